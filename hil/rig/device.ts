// The emulated board as a device of its own (`cryo rig`): the plant model as the physical world,
// the real StandardFirmata firmware on an emulated ATmega328P whose pins drive the plant's valves
// and read its transducer voltages, and the thermocouple front-end emulator. Each is reached only
// through a serial device (a pty, hil/rig/pty-link.ts) at the path the board file gives, so the
// console opens them with its unchanged hardware back-ends, from another process, as it opens a
// real board. What the real board does when its host goes away is modelled: a closed port resets
// the Uno (every pin an input: the normally-closed valves close), and the external watchdog in
// the plant cuts valve power WATCHDOG_TIMEOUT_MS after the last heartbeat edge. Everything
// physical is written to the trace (hil/rig/trace.ts).

import { existsSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import { SAFE_OUTPUTS } from '../../hal/contract.js';
import type { Outputs } from '../../hal/contract.js';
import { SimHal } from '../sim/index.js';
import type { HardwareBoard, TransducerConfig } from '../../hal/hardware-board.js';
import { barGaugeFromAbs } from '../../kernel/units.js';
import type { Clock } from '../../kernel/clock.js';
import { VirtualClock } from '../../kernel/clock.js';
import { FrontendEmulator } from '../frontend/emulator.js';
import type { EmulatorPort } from '../frontend/emulator.js';
import { simHalProvider } from '../frontend/sim-provider.js';
import { PLANT_SUBSTEP_MS } from '../plant/index.js';
import type { PlantState } from '../plant/index.js';
import { createFirmataUno } from '../uno/index.js';
import { wireUnoToPlant } from '../uno/wiring.js';
import type { RigPaths } from './paths.js';
import { PtyLink } from './pty-link.js';
import { TraceWriter } from './trace.js';
import type { TraceEvent } from './trace.js';

/** The true plant state goes to the trace this often. */
export const PLANT_SAMPLE_MS = 100;
/** The plant is brought up to the wall clock at least this often (and before every pin change). */
const PLANT_FOLLOW_MS = PLANT_SUBSTEP_MS;
/** socat makes a device within a few ms; a loaded machine may take longer. */
const DEVICE_TIMEOUT_MS = 5_000;

import { RIG_BUTTONS, type RigButton } from './buttons.js';

/** Emulated seconds the Uno runs, unpaced, before the rig opens its devices (then it is reset). */
const UNO_WARM_UP_S = 0.5;

export { RIG_BUTTONS, type RigButton };

/** Wall-clock epoch milliseconds: one time base for the rig, its trace and the tests reading it. */
export const epochClock: Clock = { nowMs: () => performance.timeOrigin + performance.now() };

export interface RigDeviceOptions {
  readonly board: HardwareBoard;
  readonly paths: RigPaths;
  readonly seed: number;
  /** Where the trace goes; `paths.trace` by default. */
  readonly tracePath?: string;
  readonly socatPath?: string;
  /** Problems worth a line in the rig's log (socat failures). */
  readonly log?: (line: string) => void;
}

export interface RigDevice {
  readonly paths: RigPaths;
  readonly tracePath: string;
  /** Press or release an operator input wired to the Uno. */
  setButton(button: RigButton, pressed: boolean): void;
  /** OR fault bits into a front-end channel's readings (0 clears). */
  setFrontendFaultBits(channel: number, bits: number): void;
  /** The true plant state now. */
  plant(): PlantState;
  /** Called whenever gas starts or stops flowing. */
  onFlowChange(listener: (flowing: boolean) => void): () => void;
  /** True while a host has either device open. */
  hostConnected(): boolean;
  close(): Promise<void>;
}

/** Transducer output voltage for a pressure, from the board file's scaling (the inverse of the back-end's). */
export function transducerVolts(bar: number, t: TransducerConfig): number {
  const fraction = (bar - t.minBar) / (t.maxBar - t.minBar);
  return t.minV + Math.min(Math.max(fraction, 0), 1) * (t.maxV - t.minV);
}

/** The front-end emulator's port: the pty link, open while a host has the device open. */
class LinkPort extends EventEmitter implements EmulatorPort {
  link: PtyLink | null = null;
  get isOpen(): boolean {
    return this.link?.hostOpen === true;
  }
  write(data: Buffer): boolean {
    this.link?.write(data);
    return true;
  }
  close(callback: () => void): void {
    callback();
  }
}

export async function startRigDevice(options: RigDeviceOptions): Promise<RigDevice> {
  const { board, paths } = options;
  const log = options.log ?? (() => undefined);
  const tracePath = options.tracePath ?? paths.trace;
  const trace = new TraceWriter(tracePath);
  // The plant moves on its own clock, stepped substep by substep up to the wall clock, so every
  // change of valve power, seat and flow is stamped with the substep in which it happened.
  const plantClock = new VirtualClock(epochClock.nowMs());
  const world = new SimHal({ clock: plantClock, seed: options.seed });
  const emit = (event: TraceEvent, t = plantClock.nowMs()): void => {
    trace.write(t, event);
  };
  let last = world.plantState;
  let lastHeartbeatEdgeMs: number | null = null;
  let lastSampleMs = Number.NEGATIVE_INFINITY;
  const flowListeners = new Set<(flowing: boolean) => void>();
  const inspect = (): void => {
    const s = world.plantState;
    // The substep that produced `s` began PLANT_SUBSTEP_MS before its end.
    const at = s.atMs - PLANT_SUBSTEP_MS;
    if (s.valvePowerOn !== last.valvePowerOn) {
      emit({ kind: 'valve-power', on: s.valvePowerOn }, at);
      // Nothing else breaks valve power here (the e-stop is an input the controller reads).
      if (!s.valvePowerOn) emit({ kind: 'watchdog-trip', lastHeartbeatEdgeMs }, at);
    }
    if (s.supplyValveOpen !== last.supplyValveOpen || s.safetyValveOpen !== last.safetyValveOpen) {
      emit({ kind: 'valves', supplyOpen: s.supplyValveOpen, safetyOpen: s.safetyValveOpen }, at);
    }
    if (s.flowing !== last.flowing) {
      emit({ kind: 'flow', flowing: s.flowing, gPerS: s.massFlowGPerS }, at);
      for (const listener of flowListeners) listener(s.flowing);
    }
    if (s.atMs - lastSampleMs >= PLANT_SAMPLE_MS) {
      lastSampleMs = s.atMs;
      emit({ kind: 'plant', gPerS: s.massFlowGPerS, tipC: s.tipTrueC, supplyBarAbs: s.supplyBarAbs, returnBarAbs: s.returnBarAbs }, s.atMs);
    }
    last = s;
  };
  /** Brings the plant up to the wall clock, one substep at a time. */
  const follow = (): void => {
    const target = epochClock.nowMs();
    while (plantClock.nowMs() + PLANT_SUBSTEP_MS <= target) {
      plantClock.advanceMs(PLANT_SUBSTEP_MS);
      inspect();
    }
  };
  let commanded: Outputs = SAFE_OUTPUTS;
  const drive = (changes: Partial<Outputs>): void => {
    follow();
    commanded = { ...commanded, ...changes };
    world.write(commanded);
  };

  const closers: (() => Promise<void> | void)[] = [() => {
    emit({ kind: 'rig-stop' }, epochClock.nowMs());
    trace.close();
  }];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.reverse()) await close();
  };
  try {
    // Warm-up before the devices exist: the first quarter second of emulation, before the JIT has
    // compiled avr8js, runs slower than real time (306 ms of wall time for 250 ms emulated, then
    // 88 ms); a console connecting then would see late reports. A real Uno's boot takes longer.
    const uno = await createFirmataUno({ speed: 1, autoStart: false });
    uno.runFor(UNO_WARM_UP_S);
    uno.reset();
    uno.start();
    closers.push(() => {
      uno.close();
    });
    const pin = (name: string): number | string => {
      const p = board.pins[name];
      if (p === undefined) throw new Error(`${board.name}: pins.${name} is not wired`);
      return p;
    };
    const activeLow = board.buttons.polarity === 'active-low';
    const volts = (bar: () => number, t: TransducerConfig) => (): number => {
      follow();
      return transducerVolts(bar(), t);
    };
    const transducers = [{ channel: board.pressure.supply.pin, volts: volts(() => barGaugeFromAbs(world.plantState.supplyBarAbs), board.pressure.supply) }];
    const ret = board.pressure.return;
    if (ret !== null) transducers.push({ channel: ret.pin, volts: volts(() => world.plantState.returnBarAbs, ret) });
    const wired = wireUnoToPlant(
      uno,
      {
        commandValves: (supplyValveOpen, safetyValveOpen) => {
          drive({ supplyValveOpen, safetyValveOpen });
          emit({ kind: 'valve-command', supplyOpen: supplyValveOpen, safetyOpen: safetyValveOpen });
        },
        heartbeat: (heartbeat) => {
          drive({ heartbeat });
          lastHeartbeatEdgeMs = plantClock.nowMs();
          emit({ kind: 'heartbeat', level: heartbeat });
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
    const follower = setInterval(follow, PLANT_FOLLOW_MS);
    closers.push(() => {
      clearInterval(follower);
    });

    // The Uno's USART on its device. A closed port resets the Uno: its pins become inputs, the
    // valve drivers lose their drive and the normally-closed valves close.
    const unoLink = new PtyLink(paths.uno, {
      onHostOpen: () => {
        emit({ kind: 'host', device: 'uno', open: true }, epochClock.nowMs());
      },
      onHostClose: () => {
        follow();
        emit({ kind: 'host', device: 'uno', open: false });
        emit({ kind: 'uno-reset' });
        uno.reset();
      },
      onData: (bytes) => {
        uno.serial.write(bytes);
      },
      onError: log,
    }, options.socatPath);
    uno.serial.on('data', (bytes: Buffer) => {
      unoLink.write(bytes);
    });
    closers.push(() => unoLink.close());
    await unoLink.start(() => existsSync(paths.uno), DEVICE_TIMEOUT_MS);

    const port = new LinkPort();
    const tipsFromWorld = simHalProvider(world);
    const frontend = new FrontendEmulator(port, {
      provider: (channel) => {
        follow();
        followProbe();
        return tipsFromWorld(channel);
      },
      channels: board.frontend.channels,
      thermocoupleType: board.thermocoupleType,
    });
    closers.push(() => frontend.close());
    const frontendLink = new PtyLink(paths.frontend, {
      onHostOpen: () => {
        emit({ kind: 'host', device: 'frontend', open: true }, epochClock.nowMs());
      },
      onHostClose: () => {
        emit({ kind: 'host', device: 'frontend', open: false }, epochClock.nowMs());
        // The emulator stops streaming until the next host's HELLO.
        port.emit('close');
      },
      onData: (bytes) => {
        port.emit('data', bytes);
      },
      onError: log,
    }, options.socatPath);
    port.link = frontendLink;
    closers.push(() => frontendLink.close());
    await frontendLink.start(() => existsSync(paths.frontend), DEVICE_TIMEOUT_MS);
    emit({ kind: 'rig-start', pid: process.pid, uno: paths.uno, frontend: paths.frontend }, epochClock.nowMs());

    return {
      paths,
      tracePath,
      setButton: (button, pressed) => {
        follow();
        emit({ kind: 'button', name: button, pressed }, epochClock.nowMs());
        wired.setButton(button, pressed);
      },
      setFrontendFaultBits: (channel, bits) => {
        emit({ kind: 'frontend-fault', channel, bits }, epochClock.nowMs());
        frontend.setFaultBits(channel, bits);
      },
      plant: () => {
        follow();
        return world.plantState;
      },
      onFlowChange: (listener) => {
        flowListeners.add(listener);
        return () => flowListeners.delete(listener);
      },
      hostConnected: () => unoLink.hostOpen || frontendLink.hostOpen,
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
