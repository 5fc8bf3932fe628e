// Feeds the front-end emulator from a SimHal: the plant's tip temperature through the simulated
// thermocouple model (lag, noise, gain/offset error, fault modes), channel 0 only; further
// channels repeat channel 0 (a second probe is not modelled).

import type { SimHal } from '../sim/index.js';
import { faultBitsOf } from '../../hal/serial/protocol.js';
import type { EmulatedReading, SampleProvider } from './emulator.js';

export function simHalProvider(hal: SimHal): SampleProvider {
  return (): EmulatedReading => {
    const [tip] = hal.read().tips;
    if (tip === undefined) return { tempC: Number.NaN, coldJunctionC: 25, faultBits: faultBitsOf('open') };
    return { tempC: tip.tipC, coldJunctionC: tip.coldJunctionC, faultBits: faultBitsOf(tip.fault) };
  };
}
