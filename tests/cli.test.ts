import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import type { MainIo } from '../src/cli/main.js';
import { PassThrough } from 'node:stream';
import fs from 'node:fs';
import path from 'node:path';
import { tempDirMaker } from './helpers/temp.js';

const newTempDir = tempDirMaker('cryo-run-');

function capture(): { io: MainIo; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const stream = new PassThrough();
  return {
    io: {
      stdout: (t) => void (out += t),
      stderr: (t) => void (err += t),
      console: { stdin: new PassThrough(), stdout: stream, stderr: stream },
    },
    out: () => out,
    err: () => err,
  };
}

describe('cryo simulate', () => {
  it('prints the documented JSON summary for a short treatment and exits 0', async () => {
    const c = capture();
    const code = await main(['simulate', '--cycles', '1', '--freeze-s', '20', '--thaw-s', '20', '--seed', '5', '--json'], c.io);
    expect(code).toBe(0);
    const summary = JSON.parse(c.out()) as Record<string, unknown>;
    expect(Object.keys(summary)).toEqual(
      expect.arrayContaining(['outcome', 'finalPhase', 'cycles', 'interlocks', 'valveOpenAtEnd', 'safeToWithdrawAtS', 'simulatedS', 'wallMs', 'seed']),
    );
    expect(summary.outcome).toBe('complete');
    expect(summary.seed).toBe(5);
    expect(summary.cycles).toHaveLength(1);
  });

  it('reports a fault injected with --fault and still exits 0', async () => {
    const c = capture();
    const code = await main(['simulate', '--cycles', '1', '--freeze-s', '30', '--thaw-s', '20', '--fault', 'tip-reads-cold@15', '--json'], c.io);
    expect(code).toBe(0);
    const summary = JSON.parse(c.out()) as { outcome: string; interlocks: { id: string }[]; valveOpenAtEnd: boolean };
    expect(summary.outcome).toBe('fault');
    expect(summary.interlocks.map((i) => i.id)).toContain('TIP_BELOW_PHYSICAL_FLOOR');
    expect(summary.valveOpenAtEnd).toBe(false);
  });

  it.each([
    [['--cycles', '6'], '--cycles'],
    [['--freeze-s', '301'], '--freeze-s'],
    [['--thaw-s', 'abc'], '--thaw-s'],
    [['--preset', 'nope'], '--preset'],
    [['--preset', 'standard', '--cycles', '2'], '--preset'],
    [['--seed', '-1'], '--seed'],
    [['--fault', 'bogus@3'], 'bogus'],
    [['--fault', 'tc-open'], 'tc-open'],
    [['--cylinder-temp-c', '45'], '--cylinder-temp-c'],
    [['--stop-at', '-3'], '--stop-at'],
    [['--settings', '/nonexistent/settings.json'], '/nonexistent/settings.json'],
    [['--no-such-flag'], '--no-such-flag'],
  ])('exits 2 naming the bad argument for %j', async (args, named) => {
    const c = capture();
    const code = await main(['simulate', ...args, '--json'], c.io);
    expect(code).toBe(2);
    expect(c.err()).toContain(named);
    expect(c.out()).toBe('');
  });
});

describe('cryo co2', () => {
  it('prints the sublimation temperature for a pressure', async () => {
    const c = capture();
    expect(await main(['co2', '--pressure-bar', '1.013', '--json'], c.io)).toBe(0);
    const { sublimationC } = JSON.parse(c.out()) as { sublimationC: number };
    expect(sublimationC).toBeCloseTo(-78.5, 1);
  });

  it('prints the saturation pressure for a cylinder temperature', async () => {
    const c = capture();
    expect(await main(['co2', '--cylinder-temp-c', '20', '--json'], c.io)).toBe(0);
    const { saturationBar } = JSON.parse(c.out()) as { saturationBar: number };
    expect(saturationBar).toBeCloseTo(57.29, 2);
  });

  it('exits 2 naming the valid range for a pressure outside the sublimation curve', async () => {
    const c = capture();
    expect(await main(['co2', '--pressure-bar', '80', '--json'], c.io)).toBe(2);
    expect(c.err()).toMatch(/--pressure-bar: .*outside the CO2 sublimation range/);
  });

  it('exits 2 when neither or both quantities are given', async () => {
    const both = capture();
    expect(await main(['co2', '--pressure-bar', '1', '--cylinder-temp-c', '20'], both.io)).toBe(2);
    const neither = capture();
    expect(await main(['co2'], neither.io)).toBe(2);
    expect(neither.err()).toContain('exactly one');
  });
});

describe('cryo run', () => {
  it('refuses --speed out of range', async () => {
    const c = capture();
    expect(await main(['run', '--speed', '0'], c.io)).toBe(2);
    expect(c.err()).toContain('--speed');
  });

  it('refuses a board file that does not exist, naming it', async () => {
    const c = capture();
    expect(await main(['run', '--board', 'boards/nope.json'], c.io)).toBe(2);
    expect(c.err()).toContain('boards/nope.json');
  });

  it('runs a whole treatment on the sim board with --auto-start --exit-when-done --json', async () => {
    const c = capture();
    let printed = '';
    const stdout = new PassThrough();
    stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    const io = { ...c.io, console: { stdin: new PassThrough(), stdout, stderr: new PassThrough() } };
    const dataDir = newTempDir();
    const args = ['run', '--data-dir', dataDir, '--speed', '1000', '--auto-start', '--cycles', '1', '--freeze-s', '10', '--thaw-s', '10', '--exit-when-done', '--json'];
    expect(await main(args, io)).toBe(0);
    const summary = JSON.parse(printed.trim().split('\n').at(-1) ?? '') as { outcome: string; valveOpenAtEnd: boolean; safeToWithdrawAtS: number | null; loopTiming: { p50Ms: number; p99Ms: number; p999Ms: number; maxMs: number; late: number; missed: number; ticks: number } };
    expect(summary.outcome).toBe('complete');
    // The loop's own timing, as logged at exit (the log is at warn with --json).
    expect(Object.keys(summary.loopTiming).sort()).toEqual(['late', 'maxMs', 'missed', 'p50Ms', 'p999Ms', 'p99Ms', 'ticks']);
    expect(summary.loopTiming.ticks).toBeGreaterThan(0);
    expect(summary.loopTiming.p999Ms).toBeGreaterThanOrEqual(summary.loopTiming.p50Ms);
    expect(summary.loopTiming.maxMs).toBeGreaterThanOrEqual(summary.loopTiming.p999Ms);
    expect(summary.valveOpenAtEnd).toBe(false);
    expect(summary.safeToWithdrawAtS).not.toBeNull();
    // The simulated probe calibrated itself on first use and saved an ordinary record.
    expect(fs.existsSync(path.join(dataDir, 'calibrations', 'SIM-PROBE-001.json'))).toBe(true);
  });
});
