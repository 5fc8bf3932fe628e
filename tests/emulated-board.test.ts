// End to end on boards/uno-emulated.json: the unchanged controller against the real
// StandardFirmata firmware (avr8js) and the thermocouple front-end emulator, served by `cryo rig`
// as two pseudo-terminals from a process of its own, in real time. Slow by nature (tens of
// seconds); they are the hardware code paths' proof in CI. The board's devices are in this file's
// own folder, so a rig left by anything else is never used.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULT_BITS } from '../hal/serial/protocol.js';
import { RigClient } from '../hil/rig/control.js';
import { runningRigPid, stopRig } from '../hil/rig/launch.js';
import { rigPaths } from '../hil/rig/paths.js';
import { SIM_PROBE_CALIBRATION } from '../src/sim/runner.js';
import { loadAnyBoardFile } from '../src/board.js';
import type { HardwareBoard } from '../src/board.js';
import { launchRigProcess } from '../src/cli/rig.js';
import { DEFAULT_SETTINGS, withProtocol } from '../src/controller/settings.js';
import type { ControllerEvent } from '../src/controller/types.js';
import { silentLogger } from '../kernel/log.js';
import { openBoardSession, waitForConnection } from '../src/runtime/board-session.js';
import type { BoardSession } from '../src/runtime/board-session.js';
import { ControlLoop } from '../src/runtime/loop.js';
import { RealTimeScheduler } from '../kernel/scheduler/index.js';
import { raiseLoopThread } from '../src/runtime/loop-priority.js';
import { normalPriority, readTrace, rigBoardIn, spawnCryo, stopProcess, waitFor } from './helpers/rig.js';
import type { CryoProcess } from './helpers/rig.js';
import { tempDirForFile } from './helpers/temp.js';

const dir = tempDirForFile('cryo-emulated-');
const BOARD = rigBoardIn(dir);
const board = loadAnyBoardFile(BOARD) as HardwareBoard;
const paths = rigPaths(board);

const consoles: CryoProcess[] = [];

// `cryo run` starts the rig (detached, it outlives the console); stop it when the file is done.
afterAll(async () => {
  for (const c of consoles) await stopProcess(c);
  await stopRig(paths);
}, 30_000);

describe('a treatment on the emulated Uno', () => {
  it('completes one short treatment in real time through cryo run, which starts the rig', async () => {
    expect(runningRigPid(paths)).toBeNull();
    const dataDir = path.join(dir, 'data');
    const args = ['run', '--board', BOARD, '--no-web', '--data-dir', dataDir, '--auto-start', '--cycles', '1', '--freeze-s', '10', '--thaw-s', '10', '--exit-when-done', '--json'];
    const console1 = spawnCryo(args);
    // It raises its own loop thread, as the deployed console does (tests/helpers/rig.ts).
    consoles.push(console1);
    // An interlock trip ends the test at once, with the console's log (a faulted run would wait
    // out the unknown-tip time before it exits). An advisory's trip (INEFFECTIVE_FREEZE: a 10 s
    // freeze never reaches its target) acts on nothing and is not one.
    const actingTrip = (line: string): boolean => line.includes('"event":"trip"') && !line.includes('"id":"INEFFECTIVE_FREEZE"');
    const tripped = waitFor('an interlock trip or the end', 120_000, () => {
      if (console1.stderr().split('\n').some(actingTrip)) return 'tripped';
      return console1.child.exitCode === null && console1.child.signalCode === null ? null : 'exited';
    });
    let ended: number | null | string;
    try {
      ended = await Promise.race([console1.exited, tripped]);
    } finally {
      // A console left running holds the board's ports: the next test could not open them.
      await stopProcess(console1);
    }
    expect(ended, console1.stderr()).toBe(0);
    const printed = console1.stdout();
    const summary = JSON.parse(printed.trim().split('\n').at(-1) ?? '') as {
      outcome: string;
      cycles: { freezeS: number; minTipC: number }[];
      interlocks: unknown[];
      valveOpenAtEnd: boolean;
    };
    expect(summary.outcome, `${JSON.stringify(summary)}\n${console1.stderr()}`).toBe('complete');
    expect(summary.interlocks).toEqual([]);
    expect(summary.cycles[0]?.freezeS).toBeGreaterThanOrEqual(10);
    expect(summary.cycles[0]?.minTipC).toBeLessThan(-50);
    expect(summary.valveOpenAtEnd).toBe(false);
    // The rig is a process of its own, still running after the console ended...
    expect(runningRigPid(paths)).not.toBeNull();
    expect(runningRigPid(paths)).not.toBe(console1.pid);
    // ...and its trace shows the gas flowed and stopped, with the valves closed at the end.
    const trace = readTrace(paths.trace);
    expect(trace.some((r) => r.kind === 'flow' && r.flowing)).toBe(true);
    expect(trace.filter((r) => r.kind === 'flow').at(-1)).toMatchObject({ flowing: false });
    expect(trace.filter((r) => r.kind === 'valves').at(-1)).toMatchObject({ supplyOpen: false, safetyOpen: false });
  }, 120_000);
});

describe('a thermocouple fault injected through the front-end emulator', () => {
  let session: BoardSession;
  let rig: RigClient;
  beforeAll(async () => {
    // The rig the first test started serves this session too (started here if that test did not run).
    session = await openBoardSession(board, 1, { launchRig: () => { launchRigProcess(BOARD, board); } });
    rig = await RigClient.connect(paths.control);
    await waitForConnection(session.hal, session.clock);
    // The second console's loop runs on this test's thread: raised as `cryo run` raises its own
    // (that thread only, reset on fork), so the rest of this worker stays below the rig.
    raiseLoopThread();
  }, 60_000);
  afterAll(async () => {
    normalPriority(process.pid);
    rig.close();
    await session.close();
  });

  it('trips THERMOCOUPLE_FAULT mid-freeze and ends with both valves closed and no gas flowing', async () => {
    const events: ControllerEvent[] = [];
    // One clock for the samples' stamps and the control loop, as `cryo run` has.
    const clock = session.clock;
    const testStartMs = clock.nowMs();
    const loop = new ControlLoop({
      hal: session.hal,
      settings: withProtocol(DEFAULT_SETTINGS, { cycles: 1, freezeS: 60, thawS: 10 }),
      logger: silentLogger(),
      startMs: testStartMs,
      calibration: SIM_PROBE_CALIBRATION,
      onStep: (_now, _readings, result) => events.push(...result.events),
    });
    const scheduler = new RealTimeScheduler({ rateHz: 50, clock });
    let injectedAtMs: number | null = null;
    let endedAtMs: number | null = null;
    session.operator?.press('start');
    await scheduler.run(() => {
      const nowMs = clock.nowMs();
      loop.tick(nowMs);
      const state = loop.state;
      if (injectedAtMs === null && state.phase === 'Freezing' && state.cycleFreezeMs > 3_000) {
        void rig.setFrontendFaultBits(0, FAULT_BITS.open);
        injectedAtMs = nowMs;
      }
      if (state.phase === 'Fault') endedAtMs ??= nowMs;
      // Keep running a little after the trip so the valves' response delay has passed.
      return endedAtMs === null ? nowMs - testStartMs < 30_000 : nowMs - endedAtMs < 500;
    });
    session.hal.toSafeState();
    await rig.setFrontendFaultBits(0, 0);
    const trip = events.find((e) => e.kind === 'trip');
    // Not injected: something ended the freeze first; the message names it.
    expect(injectedAtMs, `${loop.state.phase}: ${JSON.stringify(events.filter((e) => e.kind === 'trip'))}`).not.toBeNull();
    expect(trip).toMatchObject({ kind: 'trip', id: 'THERMOCOUPLE_FAULT' });
    expect(loop.state.phase).toBe('Fault');
    expect(loop.lastOutputs.supplyValveOpen).toBe(false);
    expect(loop.lastOutputs.safetyValveOpen).toBe(false);
    const plant = await rig.status();
    expect(plant).toMatchObject({ flowing: false, supplyValveOpen: false, safetyValveOpen: false });
  }, 60_000);
});
