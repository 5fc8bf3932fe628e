// Expected failures of `cryo run` that are not bad flags still end with one line and their own
// exit status, never a stack trace: a data directory that cannot hold records, a board that
// does not connect.
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { tempDirForFile } from './helpers/temp.js';
import { ConsoleError, EXIT_UNAVAILABLE } from '../src/cli/errors.js';
import { main } from '../src/cli/main.js';
import type { MainIo } from '../src/cli/main.js';
import { runConsole } from '../src/cli/run.js';

const dir = tempDirForFile('cryo-run-failures-');

function consoleIo(): MainIo['console'] {
  const stream = new PassThrough();
  stream.resume();
  return { stdin: new PassThrough(), stdout: stream, stderr: stream };
}

describe('cryo run', () => {
  it('exits 2 naming --data-dir when the data directory is a file', async () => {
    const file = path.join(dir, 'not-a-dir');
    fs.writeFileSync(file, '');
    let err = '';
    const io: MainIo = { stdout: () => undefined, stderr: (t) => void (err += t), console: consoleIo() };
    const code = await main(['run', '--data-dir', file, '--auto-start', '--exit-when-done', '--speed', '1000'], io);
    expect(code).toBe(2);
    expect(err).toMatch(new RegExp(`^cryo: --data-dir: '${file}' cannot hold calibration records .*ENOTDIR`));
    expect(err.trimEnd().split('\n')).toHaveLength(1);
  });

  it('fails with exit status 69 naming the board file when the board does not connect', async () => {
    const board = JSON.parse(fs.readFileSync('boards/arduino-uno.json', 'utf8')) as { firmata: Record<string, unknown>; frontend: Record<string, unknown> };
    board.firmata.port = path.join(dir, 'no-such-uno');
    board.frontend.port = path.join(dir, 'no-such-frontend');
    const file = path.join(dir, 'absent-board.json');
    fs.writeFileSync(file, JSON.stringify(board));
    const run = runConsole({ board: file, dataDir: dir }, consoleIo(), { connectTimeoutMs: 300 });
    await expect(run).rejects.toBeInstanceOf(ConsoleError);
    await expect(run).rejects.toMatchObject({ exitCode: EXIT_UNAVAILABLE, message: expect.stringMatching(new RegExp(`^${file}: the board did not connect within 0.3 s`)) as unknown });
  });
});

describe('a terminal that goes away', () => {
  it('stops the console with the treatment counted as interrupted when every write fails with EIO', async () => {
    const eio = (): Error => Object.assign(new Error('write EIO'), { code: 'EIO', errno: -5, syscall: 'write' });
    const deadTerminal = new Writable({
      write(_chunk, _encoding, done) {
        done(eio());
      },
    });
    const logs = new PassThrough();
    logs.resume();
    const result = await runConsole({ board: 'boards/sim.json', dataDir: dir, autoStart: true, speed: '10' }, { stdin: new PassThrough(), stdout: deadTerminal, stderr: logs });
    expect(result.interrupted).toBe(true);
  });
});

describe('an operating-system error in any verb', () => {
  it('is one line naming the call and the path with exit status 1, not a stack trace', async () => {
    const file = path.join(dir, 'data-dir-is-a-file');
    fs.writeFileSync(file, '');
    let err = '';
    const io: MainIo = { stdout: () => undefined, stderr: (t) => void (err += t), console: consoleIo() };
    const code = await main(['calibration', 'list', '--data-dir', file], io);
    expect(code).toBe(1);
    expect(err).toBe(`cryo: ENOTDIR: not a directory, scandir '${file}/calibrations'\n`);
  });
});
