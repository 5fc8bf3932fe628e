/**
 * Wires an emulated Uno's pins to a plant-like device: valve pins command the plant's valves,
 * the heartbeat pin feeds its watchdog, transducer voltages drive the ADC, buttons drive inputs.
 * Generic: every pin number comes from the caller (board file), nothing here knows the HAL.
 */
import type { EmulatedUno, UnoPinMode } from './emulated-uno.js';
import { unoPinNumber } from './emulated-uno.js';
import { UNO } from '../../hal/chips.js';

/** The part of the plant model the Uno's outputs act on (hil/plant's Plant satisfies it). */
export interface UnoPlantPort {
  commandValves(supplyOpen: boolean, safetyOpen: boolean): void;
  heartbeat(level: boolean): void;
}

export interface UnoButtonWiring {
  pin: number | string;
  /** Pressed pulls the pin to ground (pull-up wiring); default true. */
  activeLow?: boolean;
}

export interface UnoWiring {
  supplyValvePin: number | string;
  safetyValvePin: number | string;
  heartbeatPin: number | string;
  /** Valve driver energises (opens the normally-closed valve) on a low output; default false (high opens). */
  valveActiveLow?: boolean;
  /** Analog inputs sampled at each ADC conversion, in volts (e.g. pressure transducer outputs). */
  transducers?: { channel: number | string; volts: () => number }[];
  /** Operator buttons by name. */
  buttons?: Record<string, UnoButtonWiring>;
}

export interface WiredUno {
  /** Presses or releases a named button. */
  setButton(name: string, pressed: boolean): void;
  /** Current valve command as the plant last saw it. */
  valves(): { supplyOpen: boolean; safetyOpen: boolean };
  /** Detaches listeners and analog sources. */
  dispose(): void;
}

/**
 * Connects `uno` to `plant`. A valve is open only while its pin is an output at the active level:
 * an input (floating) pin, as after reset, leaves the valve closed. The plant is told the initial
 * (closed) valve state immediately; heartbeat edges are forwarded as they happen.
 */
export function wireUnoToPlant(uno: EmulatedUno, plant: UnoPlantPort, wiring: UnoWiring): WiredUno {
  const supplyPin = unoPinNumber(wiring.supplyValvePin);
  const safetyPin = unoPinNumber(wiring.safetyValvePin);
  const heartbeatPin = unoPinNumber(wiring.heartbeatPin);
  const openMode: UnoPinMode = wiring.valveActiveLow ? 'output-low' : 'output-high';
  const buttons = new Map<string, { pin: number; activeLow: boolean }>();
  const used = new Map<number, string>([
    [supplyPin, 'supplyValvePin'],
    [safetyPin, 'safetyValvePin'],
  ]);
  const claim = (pin: number, what: string): void => {
    const other = used.get(pin);
    if (other !== undefined) throw new Error(`pin ${pin} used by both ${other} and ${what}`);
    used.set(pin, what);
  };
  if (supplyPin === safetyPin) throw new Error(`pin ${supplyPin} used by both valves`);
  claim(heartbeatPin, 'heartbeatPin');
  for (const [name, b] of Object.entries(wiring.buttons ?? {})) {
    const pin = unoPinNumber(b.pin);
    claim(pin, `button ${name}`);
    buttons.set(name, { pin, activeLow: b.activeLow ?? true });
  }
  const channels: number[] = [];
  for (const t of wiring.transducers ?? []) {
    const pin = unoPinNumber(typeof t.channel === 'number' ? t.channel + UNO.firstAnalogPin : t.channel);
    const channel = pin - UNO.firstAnalogPin;
    claim(pin, `transducer A${channel}`);
    channels.push(channel);
    uno.setAnalogSource(channel, t.volts);
  }
  for (const b of buttons.values()) uno.setDigitalInput(b.pin, b.activeLow);

  let supplyOpen = uno.pinMode(supplyPin) === openMode;
  let safetyOpen = uno.pinMode(safetyPin) === openMode;
  let heartbeat = uno.isDrivenHigh(heartbeatPin);
  plant.commandValves(supplyOpen, safetyOpen);

  const unsubscribe = uno.onPinChange((pin, _mode, high) => {
    if (pin === supplyPin || pin === safetyPin) {
      const s = uno.pinMode(supplyPin) === openMode;
      const f = uno.pinMode(safetyPin) === openMode;
      if (s !== supplyOpen || f !== safetyOpen) {
        supplyOpen = s;
        safetyOpen = f;
        plant.commandValves(s, f);
      }
    } else if (pin === heartbeatPin && high !== heartbeat) {
      heartbeat = high;
      plant.heartbeat(high);
    }
  });

  return {
    setButton(name, pressed) {
      const b = buttons.get(name);
      if (!b) throw new Error(`no button named ${name}`);
      uno.setDigitalInput(b.pin, pressed !== b.activeLow);
    },
    valves: () => ({ supplyOpen, safetyOpen }),
    dispose() {
      unsubscribe();
      for (const ch of channels) uno.setAnalogSource(ch, undefined);
    },
  };
}
