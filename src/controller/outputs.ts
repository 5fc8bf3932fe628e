// The step's outputs as shared, frozen values. There are 128 of them (two valve commands, the
// heartbeat level and the 16 alarm-signal values), built once here, so a tick picks one instead
// of building an object: a quiet tick allocates nothing for its outputs (bench/sim.ts measures it).
import type { Outputs } from '../../hal/contract.js';
import type { AlarmSignals } from './alarm-signals.js';
import { signalsOf } from './alarm-signals.js';

const SUPPLY = 64;
const SAFETY = 32;
const HEARTBEAT = 16;
const BUZZER = 8;
const HIGH = 4;
const MEDIUM = 2;
const LOW = 1;

const OUTPUT_TABLE: readonly Outputs[] = Object.freeze(
  Array.from({ length: 128 }, (_, bits): Outputs => {
    const signals = signalsOf((bits & HIGH) !== 0, (bits & MEDIUM) !== 0, (bits & LOW) !== 0, (bits & BUZZER) !== 0);
    return Object.freeze({
      supplyValveOpen: (bits & SUPPLY) !== 0,
      safetyValveOpen: (bits & SAFETY) !== 0,
      heartbeat: (bits & HEARTBEAT) !== 0,
      lamps: signals.lamps,
      buzzer: signals.buzzer,
    });
  }),
);

/** The shared, frozen outputs for these valve commands, heartbeat level and alarm signals. */
export function outputsOf(supplyValveOpen: boolean, safetyValveOpen: boolean, heartbeat: boolean, signals: AlarmSignals): Outputs {
  const { lamps, buzzer } = signals;
  const bits =
    (supplyValveOpen ? SUPPLY : 0) |
    (safetyValveOpen ? SAFETY : 0) |
    (heartbeat ? HEARTBEAT : 0) |
    (buzzer ? BUZZER : 0) |
    (lamps.high ? HIGH : 0) |
    (lamps.medium ? MEDIUM : 0) |
    (lamps.low ? LOW : 0);
  const outputs = OUTPUT_TABLE[bits];
  // Stryker disable next-line ConditionalExpression: equivalent: the index is 0..127 and the table has 128 entries
  if (outputs === undefined) throw new Error('outputs: table index out of range');
  return outputs;
}
