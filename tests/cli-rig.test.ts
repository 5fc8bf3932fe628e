// `cryo rig`: what it refuses, and --stop when no rig runs. (The rig itself runs in the real-time
// tests, tests/emulated-*.test.ts.)
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTrace } from '../hil/rig/trace.js';
import { cryo } from './helpers/cli.js';
import { rigBoardIn } from './helpers/rig.js';
import { tempDirForFile } from './helpers/temp.js';

const dir = tempDirForFile('cryo-cli-rig-');

describe('cryo rig', () => {
  it('refuses a simulated board', async () => {
    const r = await cryo(['rig', '--board', 'boards/sim.json']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--board: boards/sim.json is not an emulated rig board (it has no "rig" section)');
  });

  it('refuses a real hardware board: there is no rig to run for it', async () => {
    const r = await cryo(['rig', '--board', 'boards/arduino-uno.json']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('boards/arduino-uno.json is not an emulated rig board');
  });

  it('refuses a bad --exit-when-idle', async () => {
    const r = await cryo(['rig', '--board', rigBoardIn(dir), '--exit-when-idle', '0']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--exit-when-idle');
  });

  it('--stop says so when no rig runs for the board', async () => {
    const board = rigBoardIn(dir);
    const r = await cryo(['rig', '--board', board, '--stop']);
    expect(r.code).toBe(0);
    expect(r.out).toBe(`no rig runs for ${join(dir, 'uno')}\n`);
  });

  it('--stop ignores a pid file whose process is gone', async () => {
    const board = rigBoardIn(dir);
    // Pid 2^22 + 1 is above Linux's pid_max ceiling: no process has it.
    writeFileSync(join(dir, 'rig.pid'), `${2 ** 22 + 1}\n`);
    const r = await cryo(['rig', '--board', board, '--stop']);
    expect(r.out).toBe(`no rig runs for ${join(dir, 'uno')}\n`);
  });
});

describe('the rig trace', () => {
  it('reads every whole line and leaves out a last line cut short by a concurrent write', () => {
    const text = '{"t":1,"kind":"heartbeat","level":true}\n{"t":2,"kind":"flow","flowing":false,"gPerS":0}\n{"t":3,"kind":"valve-po';
    expect(parseTrace(text)).toEqual([
      { t: 1, kind: 'heartbeat', level: true },
      { t: 2, kind: 'flow', flowing: false, gPerS: 0 },
    ]);
  });
});
