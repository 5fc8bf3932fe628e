// The console's keyboard on the simulated board takes keys, not characters: a function key or an
// arrow sends an escape sequence whose letters are no command. Taken one character at a time, F4
// (ESC O S) pressed start and began a freeze, Up (ESC [ A) acknowledged the alarms, F1 (ESC O P)
// paused the audio and F2 (ESC O Q) quit mid-treatment.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { KeyReader, keyAction } from '../src/ui/keys.js';
import { tempDirForFile } from './helpers/temp.js';

const ESC = '\u001b';

describe('KeyReader', () => {
  it.each([
    ['F1, F2, F3, F4 (xterm)', `${ESC}OP${ESC}OQ${ESC}OR${ESC}OS`, [`${ESC}OP`, `${ESC}OQ`, `${ESC}OR`, `${ESC}OS`]],
    ['F1 and F5 (Linux console)', `${ESC}[[A${ESC}[[E`, [`${ESC}[[A`, `${ESC}[[E`]],
    ['the arrows', `${ESC}[A${ESC}[B${ESC}OC${ESC}OD`, [`${ESC}[A`, `${ESC}[B`, `${ESC}OC`, `${ESC}OD`]],
    ['Home, End, Delete and F5 (xterm)', `${ESC}[H${ESC}[F${ESC}[3~${ESC}[15~`, [`${ESC}[H`, `${ESC}[F`, `${ESC}[3~`, `${ESC}[15~`]],
    ['a C1 CSI', '\u009bA', ['\u009bA']],
  ])('reads %s as keys that are no command', (_what, data, keys) => {
    const read = new KeyReader().keys(data);
    expect(read).toEqual(keys);
    expect(read.map(keyAction)).toEqual(keys.map(() => null));
  });

  it('reads typed keys one by one, with an escape sequence among them', () => {
    expect(new KeyReader().keys(`s${ESC}[Ax`).map(keyAction)).toEqual(['start', null, 'stop']);
  });

  it('keeps a sequence split across reads whole', () => {
    const reader = new KeyReader();
    expect([...reader.keys(ESC), ...reader.keys('O'), ...reader.keys('S')]).toEqual([`${ESC}OS`]);
    expect([...reader.keys(`${ESC}[1`), ...reader.keys('5~a')]).toEqual([`${ESC}[15~`, 'a']);
  });

  it('takes the key after a lone Esc for what it is: a stop after Esc is a stop', () => {
    const reader = new KeyReader();
    expect(reader.keys(ESC)).toEqual([]);
    expect(reader.keys('x')).toEqual([ESC, 'x']);
    expect(new KeyReader().keys(`${ESC}x`).map(keyAction)).toEqual([null, 'stop']);
  });
});

describe('cryo run on the simulated board', () => {
  // Made here, not in the test: tempDirForFile registers its removal with afterAll, which a hook
  // registered inside a running test never gets (the folder was left behind).
  const dataDir = tempDirForFile('cryo-run-keys-');
  it('takes F4 and Up as unknown keys: nothing starts, nothing is acknowledged', async () => {
    const env = { ...process.env, CRYO_DATA_DIR: dataDir };
    const child = spawn(process.execPath, ['dist/src/cli/main.js', 'run', '--board', 'boards/sim.json', '--no-web', '--no-records'], { stdio: ['pipe', 'pipe', 'pipe'], env });
    let log = '';
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    child.stdout.resume();
    const exited = new Promise<void>((resolve) => child.on('exit', () => { resolve(); }));
    const waitFor = async (text: string): Promise<void> => {
      for (let i = 0; i < 3_000 && !log.includes(text); i++) await new Promise((r) => setTimeout(r, 5));
      expect(log, `waited for ${text}`).toContain(text);
    };
    try {
      await waitFor('console ready');
      child.stdin.write(`${ESC}OS`);
      await waitFor('unknown key \\"\\\\u001bOS\\"');
      child.stdin.write(`${ESC}[A`);
      await waitFor('unknown key \\"\\\\u001b[A\\"');
      child.stdin.end('q');
      await exited;
    } finally {
      child.kill('SIGKILL');
    }
    expect(log).not.toContain('operator: start');
    expect(log).not.toContain('operator: acknowledge');
    expect(log).not.toContain('SelfTest');
  });
});
