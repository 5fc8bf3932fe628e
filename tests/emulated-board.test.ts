// End to end on boards/uno-emulated.json: the unchanged controller against the real
// StandardFirmata firmware (avr8js) and the thermocouple front-end emulator over a socat pty, in
// real time. Slow by nature (tens of seconds); they are the hardware code paths' proof in CI.
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULT_BITS } from '../hal/serial/protocol.js';
import { startEmulatedRig } from '../hil/emulated-rig.js';
import type { EmulatedRig } from '../hil/emulated-rig.js';
import { SIM_PROBE_CALIBRATION } from '../src/sim/runner.js';
import { loadAnyBoardFile } from '../src/board.js';
import type { HardwareBoard } from '../src/board.js';
import { main } from '../src/cli/main.js';
import { DEFAULT_SETTINGS, withProtocol } from '../src/controller/settings.js';
import type { ControllerEvent } from '../src/controller/types.js';
import { silentLogger } from '../kernel/log.js';
import { waitForConnection } from '../src/runtime/board-session.js';
import { MonotonicClock } from '../kernel/clock.js';
import { ControlLoop } from '../src/runtime/loop.js';
import { RealTimeScheduler } from '../kernel/scheduler/index.js';
import { tempDirMaker } from './helpers/temp.js';

const newTempDir = tempDirMaker('cryo-emulated-');

const BOARD = 'boards/uno-emulated.json';

describe('a treatment on the emulated Uno', () => {
  it('completes one short treatment in real time through cryo run', async () => {
    const dataDir = newTempDir();
    let printed = '';
    const stdout = new PassThrough();
    stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    const sink = new PassThrough();
    sink.resume();
    const io = {
      stdout: () => undefined,
      stderr: () => undefined,
      console: { stdin: new PassThrough(), stdout, stderr: sink },
    };
    const args = ['run', '--board', BOARD, '--data-dir', dataDir, '--auto-start', '--cycles', '1', '--freeze-s', '10', '--thaw-s', '10', '--exit-when-done', '--json'];
    expect(await main(args, io)).toBe(0);
    const summary = JSON.parse(printed.trim().split('\n').at(-1) ?? '') as {
      outcome: string;
      cycles: { freezeS: number; minTipC: number }[];
      interlocks: unknown[];
      valveOpenAtEnd: boolean;
    };
    expect(summary.outcome, JSON.stringify(summary)).toBe('complete');
    expect(summary.interlocks).toEqual([]);
    expect(summary.cycles[0]?.freezeS).toBeGreaterThanOrEqual(10);
    expect(summary.cycles[0]?.minTipC).toBeLessThan(-50);
    expect(summary.valveOpenAtEnd).toBe(false);
  }, 120_000);
});

describe('a thermocouple fault injected through the front-end emulator', () => {
  let rig: EmulatedRig;
  // One clock for the rig's sample stamps and the control loop, as `cryo run` has: samples stamped
  // on another clock would read as from the future (SENSOR_STALE).
  const clock = new MonotonicClock();
  beforeAll(async () => {
    rig = await startEmulatedRig({ board: loadAnyBoardFile(BOARD) as HardwareBoard, clock, seed: 3 });
    await waitForConnection(rig.hal, clock);
  }, 60_000);
  afterAll(async () => {
    await rig.close();
  });

  it('trips THERMOCOUPLE_FAULT mid-freeze and ends with both valves closed and no gas flowing', async () => {
    const events: ControllerEvent[] = [];
    const testStartMs = clock.nowMs();
    const loop = new ControlLoop({
      hal: rig.hal,
      settings: withProtocol(DEFAULT_SETTINGS, { cycles: 1, freezeS: 60, thawS: 10 }),
      logger: silentLogger(),
      startMs: testStartMs,
      calibration: SIM_PROBE_CALIBRATION,
      onStep: (_now, _readings, result) => events.push(...result.events),
    });
    const scheduler = new RealTimeScheduler({ rateHz: 50, clock });
    let injectedAtMs: number | null = null;
    let endedAtMs: number | null = null;
    rig.setButton('start', true);
    setTimeout(() => {
      rig.setButton('start', false);
    }, 150);
    await scheduler.run(() => {
      const nowMs = clock.nowMs();
      loop.tick(nowMs);
      const state = loop.state;
      if (injectedAtMs === null && state.phase === 'Freezing' && state.cycleFreezeMs > 3_000) {
        rig.frontend.setFaultBits(0, FAULT_BITS.open);
        injectedAtMs = nowMs;
      }
      if (state.phase === 'Fault') endedAtMs ??= nowMs;
      // Keep running a little after the trip so the valves' response delay has passed.
      return endedAtMs === null ? nowMs - testStartMs < 30_000 : nowMs - endedAtMs < 500;
    });
    rig.hal.toSafeState();
    const trip = events.find((e) => e.kind === 'trip');
    expect(injectedAtMs).not.toBeNull();
    expect(trip).toMatchObject({ kind: 'trip', id: 'THERMOCOUPLE_FAULT' });
    expect(loop.state.phase).toBe('Fault');
    expect(loop.lastOutputs.supplyValveOpen).toBe(false);
    expect(loop.lastOutputs.safetyValveOpen).toBe(false);
    expect(rig.world.plantState.flowing).toBe(false);
  }, 60_000);
});
