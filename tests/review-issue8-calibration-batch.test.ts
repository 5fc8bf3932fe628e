// Review of issue 8 (ec21f1a, a5580b0): "no file is read inside a tick" moved the start press's
// calibration re-read to a setImmediate queued after controlTick. With a simulated board at
// --speed N the console runs N ticks in ONE scheduler callback (virtual.runTicks(speed, ...)), so
// the re-read waits for the whole batch: at --speed 1000 that is 20 s of treatment. A start
// pressed after the probe's record became unusable runs the self-test and opens the gas on the
// verdict read before the press; by the time the record is read again the console is Freezing,
// where CALIBRATION_INVALID is not armed. Before the change the press tick re-read the record and
// the first self-test tick tripped. (Simulated boards only: the real-time path runs one tick per
// callback; but the calibration-provider doc claims "the fresh verdict acts in the same tick as
// before", which does not hold here.)
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runConsole } from '../src/cli/run.js';
import { tempDirMaker } from './helpers/temp.js';

const newDir = tempDirMaker('cryo-review-calbatch-');

async function until(what: string, cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('review issue 8: the start press re-reads the calibration before gas flows', () => {
  async function startAfterRemovingRecord(speed: string): Promise<string> {
    const dataDir = newDir();
    let logs = '';
    const stderr = new PassThrough();
    stderr.on('data', (chunk: Buffer) => {
      logs += chunk.toString();
    });
    const stdout = new PassThrough();
    stdout.resume();
    const stdin = new PassThrough();
    // boards/sim.json auto-calibrates its probe at start-up: the verdict loaded is valid.
    const run = runConsole({ board: 'boards/sim.json', dataDir, speed }, { stdin, stdout, stderr });
    await until('the console to be ready', () => logs.includes('console ready'), 20_000);
    const record = path.join(dataDir, 'calibrations', 'SIM-PROBE-001.json');
    expect(fs.existsSync(record)).toBe(true);
    fs.rmSync(record);
    stdin.write('s');
    await until('a trip or a freeze', () => logs.includes('CALIBRATION_INVALID') || logs.includes('-> Freezing'), 20_000);
    // Let the loop run on a little: the re-read has happened by then.
    await new Promise((resolve) => setTimeout(resolve, 200));
    stdin.write('q');
    await run;
    return logs.split('\n').filter((l) => l.includes('"phase"') || l.includes('"trip"')).map((l) => (JSON.parse(l) as { msg: string }).msg).join('\n');
  }

  it('control, real time (--speed 1): the first self-test tick trips', async () => {
    const events = await startAfterRemovingRecord('1');
    expect(events).toContain('interlock CALIBRATION_INVALID');
    expect(events).not.toContain('-> Freezing');
  }, 60_000);

  it('at --speed 1000, a record removed before start blocks the freeze (CALIBRATION_INVALID)', async () => {
    const events = await startAfterRemovingRecord('1000');
    expect(events).toContain('interlock CALIBRATION_INVALID');
    expect(events).not.toContain('-> Freezing');
  }, 60_000);
});
