// From a board file to a running HAL: the simulated board (optionally faster than real time),
// the emulated rig (`cryo rig`, its own process: opened like real hardware), or real hardware.
// Also says how operator keys reach the board and which probe's calibration to use. The console
// (src/cli/run.ts) runs the same loop on all three. One opener per kind, in one table.
// The hardware libraries (johnny-five, serialport) are imported only when a board needs them, so
// a simulated board never loads them (tests/cold-start-imports.test.ts checks it).
import type { Hal } from '../../hal/contract.js';
import type { HardwareHal } from '../../hal/composite.js';
import type { HardwareBoard } from '../../hal/hardware-board.js';
import type { FaultSpec } from '../../hil/faults.js';
import { DEFAULT_PLANT_PARAMS } from '../../hil/plant/index.js';
import type { RigButton } from '../../hil/rig/buttons.js';
import { connectRig } from '../../hil/rig/launch.js';
import { rigPaths } from '../../hil/rig/paths.js';
import { SimBoardSchema, type SimBoard } from '../../hil/sim/board.js';
import { SimHal } from '../../hil/sim/index.js';
import type { Clock } from '../../kernel/clock.js';
import { LatchedClock, MonotonicClock, VirtualClock } from '../../kernel/clock.js';
import { realTimers, type Timers } from '../../kernel/timers.js';
import { waitUntilReady } from '../../kernel/wait.js';
import { staleness } from '../controller/context.js';
import type { Board } from '../board.js';
import { MAX_BOARD_NAME_CHARS } from '../../hal/board-name.js';

/** A momentary button held this long on an emulated board: longer than the board's debounce
 * plus a Firmata report period, so the controller sees exactly one press. */
export const EMULATED_PRESS_MS = 150;
/** A hardware board must connect (Firmata ready, front-end handshake) within this. */
export const CONNECT_TIMEOUT_MS = 20_000;
const CONNECT_POLL_MS = 50;
/** How often the freshness of the samples is looked at before the first tick: a fraction of the
 * shortest stale limit settings allow, so the wait ends a moment after the pending input is read. */
const FRESH_POLL_MS = 5;

export type SessionKind = 'sim' | 'emulated' | 'hardware';
export type OperatorButton = 'start' | 'stop' | 'acknowledge' | 'audioPause' | 'newSite';

export interface BoardSession {
  readonly kind: SessionKind;
  readonly hal: Hal;
  /** The control loop's clock: the real clock, or a virtual one paced by it (`--speed`). On a
   * simulated board it reads 0 when the session opens (injected faults are timed on it). */
  readonly clock: Clock;
  readonly virtualClock: VirtualClock | null;
  /** Control ticks of simulated time per real tick (`--speed`); 1 except on simulated boards. */
  readonly speed: number;
  /** Operator inputs from the console keys; null on real hardware (its buttons are real). */
  readonly operator: {
    press(button: OperatorButton): void;
    setEstop(pressed: boolean): void;
    setFootswitch(down: boolean): void;
  } | null;
  /** The probe id to look calibrations up by when the probe reports none. */
  readonly fittedProbeId: string | null;
  /** A simulated board to calibrate the probe on, when the board allows auto-calibration. */
  readonly autoCalibration: SimBoard | null;
  /** Gas can physically flow (the plant's truth); null on real hardware. */
  gasFlowing(): boolean | null;
  /** The time of a real-time tick, read once at its start (a simulated board in real time then
   * stamps its samples with it); absent where `clock.nowMs()` is the tick's time already. */
  readonly latchTick?: () => number;
  readonly seed: number;
  close(): Promise<void>;
}

export interface BoardSessionOptions {
  /** Starts a rig process for an emulated board when none runs (`cryo run` passes it). */
  readonly launchRig?: () => void;
  /**
   * Faults the simulated board injects (`cryo run --fault`); refused on any other board. Their
   * times are on the session's clock, which starts at 0 when the session opens: real seconds at
   * speed 1 (start-up and the probe's auto-calibration included), simulated seconds at speed N.
   */
  readonly faults?: readonly FaultSpec[];
}

export class BoardSessionError extends Error {
  override name = 'BoardSessionError';
}

/** Which opener a board takes: a hardware board with a `rig` section is served by `cryo rig`. */
export function boardKind(board: Board): SessionKind {
  if (board.backend === 'sim') return 'sim';
  return board.rig !== null ? 'emulated' : 'hardware';
}

interface BoardOf {
  sim: SimBoard;
  emulated: HardwareBoard;
  hardware: HardwareBoard;
}

type Opener<K extends SessionKind> = (board: BoardOf[K], speed: number, options: BoardSessionOptions) => Promise<BoardSession>;

/** The one table of board kinds and how each is opened. */
const OPENERS: { readonly [K in SessionKind]: Opener<K> } = {
  sim: openSim,
  emulated: openRig,
  hardware: openHardware,
};

export async function openBoardSession(board: Board, speed: number, options: BoardSessionOptions = {}): Promise<BoardSession> {
  if (board.backend === 'sim') return OPENERS.sim(board, speed, options);
  // A fault list on real hardware would be silently ignored: the operator would believe a fault
  // was being exercised that never happens.
  if ((options.faults?.length ?? 0) > 0) throw new BoardSessionError(`${board.name}: injected faults exist only on a simulated board`);
  return OPENERS[boardKind(board) === 'emulated' ? 'emulated' : 'hardware'](board, speed, options);
}

function openSim(board: SimBoard, speed: number, options: BoardSessionOptions): Promise<BoardSession> {
  // Both clocks read 0 now, when the session opens: the virtual one starts there, the monotonic
  // one has its origin at construction. Injected fault times count from this instant.
  const virtualClock = speed === 1 ? null : new VirtualClock(0);
  const latched = virtualClock === null ? new LatchedClock(new MonotonicClock()) : null;
  const clock = virtualClock ?? latched ?? new MonotonicClock();
  const hal = new SimHal({ clock, seed: board.seed, plant: board.plant, ...(options.faults === undefined ? {} : { faults: options.faults }) });
  return Promise.resolve({
    ...(latched === null ? {} : { latchTick: () => latched.latch() }),
    kind: 'sim',
    hal,
    clock,
    virtualClock,
    speed,
    operator: {
      press: (b) => {
        hal.press(b);
      },
      setEstop: (p) => {
        hal.setEstop(p);
      },
      setFootswitch: (d) => {
        hal.setFootswitch(d);
      },
    },
    fittedProbeId: board.plant.probeId === undefined ? DEFAULT_PLANT_PARAMS.probeId : board.plant.probeId,
    autoCalibration: board.calibration.autoCalibrate ? board : null,
    gasFlowing: () => hal.plantState.flowing,
    seed: board.seed,
    close: () => hal.close(),
  });
}

/** The rig is another process, as a real board is another processor: its panel (buttons) and
 * plant truth come over its control socket; the two ports are opened as on real hardware. */
async function openRig(board: HardwareBoard, _speed: number, options: BoardSessionOptions): Promise<BoardSession> {
  const realClock = new MonotonicClock();
  const rig = await connectRig(rigPaths(board), options.launchRig ?? null);
  const hal = await hardwareHal(board, realClock);
  const setButton = (button: RigButton, pressed: boolean): void => {
    // A rig that went away shows as a board fault (no data): nothing more to say here.
    rig.setButton(button, pressed).catch(() => undefined);
  };
  const press = (button: OperatorButton): void => {
    // The emulated Uno has no new-site or audio-pause input (run.ts says so when the key is pressed).
    if (button === 'newSite' || button === 'audioPause') return;
    setButton(button, true);
    setTimeout(() => {
      setButton(button, false);
    }, EMULATED_PRESS_MS);
  };
  const seed = board.rig?.seed ?? 0;
  return {
    kind: 'emulated',
    hal,
    clock: realClock,
    virtualClock: null,
    speed: 1,
    operator: {
      press,
      setEstop: (p) => {
        setButton('estop', p);
      },
      setFootswitch: (d) => {
        setButton('footswitch', d);
      },
    },
    fittedProbeId: board.probeId,
    autoCalibration: board.calibration.autoCalibrate
      ? SimBoardSchema.parse({ name: plantModelName(board.name), backend: 'sim', seed, thermocoupleType: board.thermocoupleType, calibration: board.calibration })
      : null,
    gasFlowing: () => rig.flowing,
    seed,
    close: async () => {
      await hal.close();
      rig.close();
    },
  };
}

async function openHardware(board: HardwareBoard): Promise<BoardSession> {
  const realClock = new MonotonicClock();
  const hal = await hardwareHal(board, realClock);
  return {
    kind: 'hardware',
    hal,
    clock: realClock,
    virtualClock: null,
    speed: 1,
    operator: null,
    fittedProbeId: board.probeId,
    autoCalibration: null,
    gasFlowing: () => null,
    seed: 0,
    close: () => hal.close(),
  };
}

/** The unchanged hardware back-ends on the board's two serial ports. */
async function hardwareHal(board: HardwareBoard, clock: Clock): Promise<HardwareHal> {
  const [{ createHardwareHal }, { openFrontend }] = await Promise.all([
    import('../../hal/composite.js'),
    import('../../hal/serial/open.js'),
  ]);
  return createHardwareHal({ board, tips: openFrontend(board.frontend, board.thermocoupleType, clock), clock });
}

/** Resolves once every back-end reports in (no HAL fault), or at the first poll after `abandon()`
 * says to stop waiting; rejects naming what did not. The deadline is on the session's clock, the
 * polling on the given timers. */
export function waitForConnection(hal: Hal, clock: Clock, timeoutMs = CONNECT_TIMEOUT_MS, timers: Timers = realTimers, abandon?: () => boolean): Promise<void> {
  return waitUntilReady(() => hal.read().halFault, { clock, timers, timeoutMs, pollMs: CONNECT_POLL_MS, what: 'the board', ...(abandon === undefined ? {} : { abandon }) });
}

/**
 * Resolves once the board reports in and every input sample is fresh (no older than `staleMs`);
 * rejects naming the sample that is not. Called again just before the first tick: a long start-up
 * step (the emulated probe's auto-calibration, a slow disk) keeps the event loop from reading the
 * serial ports, and the first tick, which runs before the pending input is read, would otherwise
 * judge the data from before the step and trip SENSOR_STALE (latched) on a healthy board.
 */
export function waitForFreshReadings(hal: Hal, clock: Clock, staleMs: number, timeoutMs = CONNECT_TIMEOUT_MS, timers: Timers = realTimers, abandon?: () => boolean): Promise<void> {
  return waitUntilReady(() => {
    const readings = hal.read();
    return readings.halFault ?? staleness(clock.nowMs(), readings, staleMs);
  }, { clock, timers, timeoutMs, pollMs: FRESH_POLL_MS, what: 'the board', ...(abandon === undefined ? {} : { abandon }) });
}

/** The emulated rig's plant model, named after its board, within the board-name bound (a name at
 * MAX_BOARD_NAME_CHARS plus the suffix would be refused by the schema it is parsed with). */
export function plantModelName(boardName: string): string {
  const suffix = ' (plant model)';
  return `${boardName.slice(0, MAX_BOARD_NAME_CHARS - suffix.length)}${suffix}`;
}
