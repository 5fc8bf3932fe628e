// `cryo run --fault KIND@S[:DUR_S]`: faults injected into the simulated board of a console run,
// timed on the board's clock (0 when the session opens). Refused, before anything opens, on any
// other board and for a kind the console cannot inject.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import type { MainIo } from '../src/cli/main.js';
import { loadAnyBoardFile } from '../src/board.js';
import { BoardSessionError, openBoardSession } from '../src/runtime/board-session.js';
import { SimHal } from '../hil/sim/index.js';
import type { FaultSpec } from '../hil/faults.js';
import { cryo } from './helpers/cli.js';
import { tempDirMaker } from './helpers/temp.js';

const newDataDir = tempDirMaker('cryo-run-fault-');
const RETURN_BLOCKED_AT_S = 10;
/** The trip's debounce (200 ms) plus a few ticks: the trip follows the fault at once. */
const TRIP_WITHIN_S = 1;

interface Summary {
  outcome: string;
  interlocks: { id: string; atS: number; valvesClosedAtS: number | null }[];
  valveOpenAtEnd: boolean;
}

/** A whole treatment at 1000x in this process (no page: a run from the sources serves none). */
async function runTreatment(extra: string[]): Promise<Summary> {
  let printed = '';
  const stdout = new PassThrough();
  stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  const io: MainIo = {
    stdout: () => undefined,
    stderr: () => undefined,
    console: { stdin: new PassThrough(), stdout, stderr: new PassThrough() },
  };
  const args = ['run', '--no-web', '--data-dir', newDataDir(), '--speed', '1000', '--auto-start', '--cycles', '1', '--freeze-s', '30', '--thaw-s', '10', '--exit-when-done', '--json'];
  expect(await main([...args, ...extra], io)).toBe(0);
  return JSON.parse(printed.trim().split('\n').at(-1) ?? '') as Summary;
}

describe('cryo run --fault', () => {
  it('blocks the return line at the given simulated second: the freeze trips RETURN_LINE_BLOCKED then', async () => {
    const summary = await runTreatment(['--fault', `return-blocked@${RETURN_BLOCKED_AT_S}`]);
    expect(summary.outcome).toBe('fault');
    const trip = summary.interlocks.find((i) => i.id === 'RETURN_LINE_BLOCKED');
    expect(trip).toBeDefined();
    expect(trip!.atS).toBeGreaterThanOrEqual(RETURN_BLOCKED_AT_S);
    expect(trip!.atS).toBeLessThan(RETURN_BLOCKED_AT_S + TRIP_WITHIN_S);
    expect(trip!.valvesClosedAtS).toBe(trip!.atS);
    expect(summary.valveOpenAtEnd).toBe(false);
  });

  it('injects nothing without the option: the same treatment completes', async () => {
    const summary = await runTreatment([]);
    expect(summary.outcome).toBe('complete');
    expect(summary.interlocks).toEqual([]);
  });

  it('names an unknown fault kind and the kinds it knows', async () => {
    const r = await cryo(['run', '--no-web', '--fault', 'valve-melt@3']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--fault: fault spec "valve-melt@3": unknown fault kind "valve-melt"; valid kinds: tc-open');
  });

  it('names a start time that is not a number', async () => {
    const r = await cryo(['run', '--no-web', '--fault', 'tc-open@soon']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('start time "soon" is not a number of seconds >= 0');
  });

  it.each([
    ['boards/arduino-uno.json', 'hardware'],
    ['boards/uno-emulated.json', 'emulated'],
  ])('is refused on %s (%s), before the board is opened', async (board, kind) => {
    const r = await cryo(['run', '--no-web', '--board', board, '--fault', 'tc-open@3']);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`--fault: accepted only for simulated boards (${board} is ${kind})`);
  });

  it('refuses loop-stall, which only cryo simulate injects', async () => {
    const r = await cryo(['run', '--no-web', '--fault', 'loop-stall@3:0.5']);
    expect(r.code).toBe(2);
    expect(r.err).toContain("--fault: 'loop-stall' is injected only by cryo simulate");
  });
});

describe('a board session with injected faults', () => {
  const fault: FaultSpec = { kind: 'tc-open', atMs: 3_000, durationMs: 1_000 };

  it.each([1, 10])('gives them to the simulated board, on a clock that reads 0 when it opens (speed %i)', async (speed) => {
    const session = await openBoardSession(loadAnyBoardFile('boards/sim.json'), speed, { faults: [fault] });
    try {
      // Real time at speed 1: the clock has moved only by the time this test took since the open;
      // virtual time at speed N stands at 0 until the loop runs.
      if (speed === 1) expect(session.clock.nowMs()).toBeLessThan(1_000);
      else expect(session.clock.nowMs()).toBe(0);
      const hal = session.hal;
      if (!(hal instanceof SimHal)) throw new Error(`expected the simulated HAL, got ${hal.kind}`);
      expect(hal.faults.specs).toEqual([fault]);
    } finally {
      await session.close();
    }
  });

  it('refuses them for a hardware board, before opening anything', async () => {
    await expect(openBoardSession(loadAnyBoardFile('boards/arduino-uno.json'), 1, { faults: [fault] })).rejects.toThrow(BoardSessionError);
  });
});
