// The emulated board (boards/uno-emulated.json): the plant model as the physical world, the real
// StandardFirmata firmware on an emulated ATmega328P whose pins drive the plant's valves and read
// its transducer voltages, and the thermocouple front-end emulator on a socat pseudo-terminal
// pair. The console opens both as ordinary devices through the unchanged hardware back-ends, so
// CI exercises the hardware code paths with no hardware.
import { SAFE_OUTPUTS } from '../hal/contract.js';
import type { Outputs } from '../hal/contract.js';
import { createHardwareHal } from '../hal/composite.js';
import type { HardwareHal } from '../hal/composite.js';
import { openFrontend } from '../hal/serial/open.js';
import { SimHal } from './sim/index.js';
import type { HardwareBoard, TransducerConfig } from '../hal/hardware-board.js';
import { ATMOSPHERIC_PRESSURE_BAR } from '../kernel/units.js';
import type { Clock } from '../kernel/clock.js';
import type { FaultSpec } from './faults.js';
import { FrontendEmulator } from './frontend/emulator.js';
import { openPtyPair } from './frontend/pty-pair.js';
import { simHalProvider } from './frontend/sim-provider.js';
import { createFirmataUno } from './uno/index.js';
import { wireUnoToPlant } from './uno/wiring.js';

/** 16 000 cycles = 1 ms of the Uno's 16 MHz clock per macrotask. */
export const EMULATOR_CHUNK_CYCLES = 16_000;

export type RigButton = 'start' | 'stop' | 'acknowledge' | 'footswitch' | 'estop';

export interface EmulatedRig {
  readonly hal: HardwareHal;
  /** The physical world (plant and sensors); its true state is `world.plantState`. */
  readonly world: SimHal;
  /** The thermocouple front-end emulator, for faults injected on the wire (garbage, fault bits, silence). */
  readonly frontend: FrontendEmulator;
  /** Press or release an operator input wired to the emulated Uno. */
  setButton(button: RigButton, pressed: boolean): void;
  close(): Promise<void>;
}

export interface EmulatedRigOptions {
  readonly board: HardwareBoard;
  readonly clock: Clock;
  readonly seed: number;
  readonly faults?: readonly FaultSpec[];
}

/** Transducer output voltage for a pressure, from the board file's scaling (the inverse of the back-end's). */
export function transducerVolts(bar: number, t: TransducerConfig): number {
  const fraction = (bar - t.minBar) / (t.maxBar - t.minBar);
  return t.minV + Math.min(Math.max(fraction, 0), 1) * (t.maxV - t.minV);
}

export async function startEmulatedRig(options: EmulatedRigOptions): Promise<EmulatedRig> {
  const { board, clock } = options;
  const world = new SimHal({ clock, seed: options.seed, faults: options.faults ?? [] });
  let commanded: Outputs = SAFE_OUTPUTS;
  const drive = (changes: Partial<Outputs>): void => {
    commanded = { ...commanded, ...changes };
    world.write(commanded);
  };
  const closers: (() => Promise<void> | void)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.reverse()) await close();
  };
  try {
    // Small chunks (1 ms emulated): the emulator shares the event loop with the control loop, and a
    // long chunk would delay a control tick past the 5 ms late threshold.
    const uno = await createFirmataUno({ speed: 1, chunkCycles: EMULATOR_CHUNK_CYCLES });
    closers.push(() => {
      uno.close();
    });
    const pins = board.pins;
    const pin = (name: string): number | string => {
      const p = pins[name];
      if (p === undefined) throw new Error(`${board.name}: pins.${name} is not wired`);
      return p;
    };
    const activeLow = board.buttons.polarity === 'active-low';
    const transducers = [{ channel: board.pressure.supply.pin, volts: () => transducerVolts(world.plantState.supplyBarAbs - ATMOSPHERIC_PRESSURE_BAR, board.pressure.supply) }];
    const ret = board.pressure.return;
    if (ret !== null) transducers.push({ channel: ret.pin, volts: () => transducerVolts(world.plantState.returnBarAbs, ret) });
    const wired = wireUnoToPlant(
      uno,
      {
        commandValves: (supplyValveOpen, safetyValveOpen) => {
          drive({ supplyValveOpen, safetyValveOpen });
        },
        heartbeat: (heartbeat) => {
          drive({ heartbeat });
        },
      },
      {
        supplyValvePin: pin('supplyValve'),
        safetyValvePin: pin('safetyValve'),
        heartbeatPin: pin('heartbeat'),
        valveActiveLow: board.valvePolarity === 'active-low',
        transducers,
        buttons: {
          start: { pin: pin('start'), activeLow },
          stop: { pin: pin('stop'), activeLow },
          acknowledge: { pin: pin('acknowledge'), activeLow },
          footswitch: { pin: pin('footswitch'), activeLow },
          estop: { pin: pin('estop'), activeLow: board.buttons.estopPolarity === 'active-low' },
          probePresent: { pin: pin('probePresent'), activeLow: board.buttons.probePolarity === 'active-low' },
        },
      },
    );
    closers.push(() => {
      wired.dispose();
    });
    const followProbe = (): void => {
      wired.setButton('probePresent', world.plantState.probePresent);
    };
    followProbe();

    const pair = await openPtyPair();
    closers.push(() => pair.close());
    const tipsFromWorld = simHalProvider(world);
    const emulator = await FrontendEmulator.open(
      pair.devicePath,
      {
        provider: (channel) => {
          followProbe();
          return tipsFromWorld(channel);
        },
        channels: board.frontend.channels,
        thermocoupleType: board.thermocoupleType,
      },
      board.frontend.baud,
    );
    closers.push(() => emulator.close());
    const tips = openFrontend(board.frontend, board.thermocoupleType, clock, pair.hostPath);
    const hal = createHardwareHal({ board, tips, clock, io: { emulated: () => Promise.resolve({ port: uno.serial }) } });
    closers.push(() => hal.close());
    return {
      hal,
      world,
      frontend: emulator,
      setButton: (button, pressed) => {
        wired.setButton(button, pressed);
      },
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
