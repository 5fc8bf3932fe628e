// Emulated Uno speed: emulated seconds per wall second running the real StandardFirmata build
// unpaced on avr8js. It must stay at or above 1 for `cryo run --board boards/uno-emulated.json`
// to keep real time; the figure is itself a ratio against the wall clock of the same run.
import { EmulatedUno, loadFirmataHex } from '../hil/uno/index.js';

export interface UnoFigures {
  emulatedS: number;
  wallMs: number;
  emulatedSecondsPerWallSecond: number;
}

/** Long enough to pass the firmware's boot blink (~1.9 s) and run its main loop. */
const EMULATED_S = 4;

export async function benchUno(): Promise<UnoFigures> {
  const uno = new EmulatedUno({ firmware: await loadFirmataHex(), speed: Number.POSITIVE_INFINITY });
  try {
    uno.runFor(0.5); // warm the JIT
    const t0 = process.hrtime.bigint();
    uno.runFor(EMULATED_S);
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    return { emulatedS: EMULATED_S, wallMs: Number(wallMs.toFixed(1)), emulatedSecondsPerWallSecond: Number((EMULATED_S / (wallMs / 1000)).toFixed(2)) };
  } finally {
    uno.close();
  }
}
