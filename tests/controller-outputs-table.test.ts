// The step's outputs and alarm signals are shared frozen values (src/controller/outputs.ts,
// alarm-signals.ts): each combination is the value a literal would have been, and frozen.
import { describe, expect, it } from 'vitest';
import { signalsOf } from '../src/controller/alarm-signals.js';
import { outputsOf } from '../src/controller/outputs.js';

const BOOLS = [false, true] as const;

describe('the shared outputs', () => {
  it('hold exactly the commands, heartbeat, lamps and buzzer asked for, in every combination, frozen', () => {
    let seen = 0;
    for (const supply of BOOLS)
      for (const safety of BOOLS)
        for (const heartbeat of BOOLS)
          for (const high of BOOLS)
            for (const medium of BOOLS)
              for (const low of BOOLS)
                for (const buzzer of BOOLS) {
                  const outputs = outputsOf(supply, safety, heartbeat, signalsOf(high, medium, low, buzzer));
                  expect(outputs).toStrictEqual({ supplyValveOpen: supply, safetyValveOpen: safety, heartbeat, lamps: { high, medium, low }, buzzer });
                  expect(Object.keys(outputs)).toEqual(['supplyValveOpen', 'safetyValveOpen', 'heartbeat', 'lamps', 'buzzer']);
                  expect(Object.isFrozen(outputs) && Object.isFrozen(outputs.lamps)).toBe(true);
                  expect(outputsOf(supply, safety, heartbeat, { lamps: { high, medium, low }, buzzer })).toBe(outputs);
                  seen++;
                }
    expect(seen).toBe(128);
  });
});
