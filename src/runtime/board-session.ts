// From a board file to a running HAL: the simulated board (optionally faster than real time),
// the emulated Uno rig, or real hardware. Also says how operator keys reach the board and which
// probe's calibration to use. The console (src/cli/run.ts) runs the same loop on all three.
// The hardware libraries (johnny-five, serialport, avr8js) are imported only when a board needs
// them, so a simulated board never loads them (tests/cold-start-imports.test.ts checks it).
import type { Hal } from '../../hal/contract.js';
import { SimHal } from '../../hil/sim/index.js';
import { DEFAULT_PLANT_PARAMS } from '../../hil/plant/index.js';
import type { Board, SimBoard } from '../board.js';
import { isEmulatedPort } from '../../hal/hardware-board.js';
import { SimBoardSchema } from '../../hil/sim/board.js';
import type { Clock } from '../../kernel/clock.js';
import { MonotonicClock, VirtualClock } from '../../kernel/clock.js';
import { realTimers, type Timers } from '../../kernel/timers.js';
import { waitUntilReady } from '../../kernel/wait.js';

/** A momentary button held this long on an emulated board: longer than the board's debounce
 * plus a Firmata report period, so the controller sees exactly one press. */
export const EMULATED_PRESS_MS = 150;
/** A hardware board must connect (Firmata ready, front-end handshake) within this. */
export const CONNECT_TIMEOUT_MS = 20_000;
const CONNECT_POLL_MS = 50;

export type BoardKind = 'sim' | 'emulated' | 'hardware';
export type OperatorButton = 'start' | 'stop' | 'acknowledge' | 'newSite';

export interface BoardSession {
  readonly kind: BoardKind;
  readonly hal: Hal;
  /** The control loop's clock: the real clock, or a virtual one paced by it (`--speed`). */
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
  readonly seed: number;
  close(): Promise<void>;
}

export function boardKind(board: Board): BoardKind {
  if (board.backend === 'sim') return 'sim';
  return isEmulatedPort(board.firmata.port) && isEmulatedPort(board.frontend.port) ? 'emulated' : 'hardware';
}

/** Seed of the emulated rig's plant noise (the board file has none). */
const EMULATED_SEED = 1;

export async function openBoardSession(board: Board, speed: number): Promise<BoardSession> {
  const realClock = new MonotonicClock();
  if (board.backend === 'sim') {
    const virtualClock = speed === 1 ? null : new VirtualClock(0);
    const clock = virtualClock ?? realClock;
    const hal = new SimHal({ clock, seed: board.seed, plant: board.plant });
    return {
      kind: 'sim',
      hal,
      clock,
      virtualClock,
      speed,
      operator: { press: (b) => {
        hal.press(b);
      }, setEstop: (p) => {
        hal.setEstop(p);
      }, setFootswitch: (d) => {
        hal.setFootswitch(d);
      } },
      fittedProbeId: board.plant.probeId === undefined ? DEFAULT_PLANT_PARAMS.probeId : board.plant.probeId,
      autoCalibration: board.calibration.autoCalibrate ? board : null,
      gasFlowing: () => hal.plantState.flowing,
      seed: board.seed,
      close: () => hal.close(),
    };
  }
  const kind = boardKind(board);
  if (kind === 'emulated') {
    const { startEmulatedRig } = await import('../../hil/emulated-rig.js');
    const rig = await startEmulatedRig({ board, clock: realClock, seed: EMULATED_SEED });
    const press = (button: OperatorButton): void => {
      // The emulated Uno has no new-site input (run.ts says so when the key is pressed).
      if (button === 'newSite') return;
      rig.setButton(button, true);
      setTimeout(() => {
        rig.setButton(button, false);
      }, EMULATED_PRESS_MS);
    };
    return {
      kind,
      hal: rig.hal,
      clock: realClock,
      virtualClock: null,
      speed: 1,
      operator: {
        press,
        setEstop: (p) => {
          rig.setButton('estop', p);
        },
        setFootswitch: (d) => {
          rig.setButton('footswitch', d);
        },
      },
      fittedProbeId: board.probeId,
      autoCalibration: board.calibration.autoCalibrate
        ? SimBoardSchema.parse({ name: `${board.name} (plant model)`, backend: 'sim', seed: EMULATED_SEED, thermocoupleType: board.thermocoupleType, calibration: board.calibration })
        : null,
      gasFlowing: () => rig.world.plantState.flowing,
      seed: EMULATED_SEED,
      close: () => rig.close(),
    };
  }
  const [{ createHardwareHal }, { openFrontend }] = await Promise.all([
    import('../../hal/composite.js'),
    import('../../hal/serial/open.js'),
  ]);
  const tips = openFrontend(board.frontend, board.thermocoupleType, realClock);
  const hal = createHardwareHal({ board, tips, clock: realClock });
  return {
    kind,
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

/** Resolves once every back-end reports in (no HAL fault); rejects naming what did not. The
 * deadline is on the session's clock, the polling on the given timers. */
export function waitForConnection(hal: Hal, clock: Clock, timeoutMs = CONNECT_TIMEOUT_MS, timers: Timers = realTimers): Promise<void> {
  return waitUntilReady(() => hal.read().halFault, { clock, timers, timeoutMs, pollMs: CONNECT_POLL_MS, what: 'the board' });
}
