// The self-test opens each valve alone for valves.selfTestValveMs: a stuck-open other valve must
// show flow on the return line and be debounced inside that window. Settings that each passed
// alone (a 200 ms window, a 500 ms VALVE_FAILURE debounce, a 1.5 bar flow threshold with a 400 ms
// window) let a stuck supply valve through the self-test, and the freeze ran on the safety valve
// alone until VALVE_FAILURE at its end (about 92.5 s instead of 0.76 s). Judged here on the
// simulated plant: with the shortest window the schema accepts, the stuck valve is caught before
// any freeze begins, at every loop rate, debounce and flow threshold tried.
import { describe, expect, it } from 'vitest';
import { SettingsError, parseSettings, DEFAULT_SETTINGS, selfTestFlowShowsMs } from '../src/controller/settings.js';
import { SELF_TEST_VALVE_PAUSE_MS } from '../src/controller/phase-logic.js';
import { simulateTreatment } from '../src/sim/runner.js';
import { DEFAULT_PLANT_PARAMS } from '../hil/plant/params.js';
import { SELF_TEST_LINE_MODEL } from '../src/controller/settings.js';
import { refusal } from './helpers/settings-refusal.js';


describe('valves.selfTestValveMs against a stuck-open valve', () => {
  it("judges by the simulated plant's own return line (the controller's copy of its figures)", () => {
    const { flowGPerSPerBar, returnRiseBarPerGPerS, returnTimeConstantMs, valveDelayMs } = DEFAULT_PLANT_PARAMS;
    expect(SELF_TEST_LINE_MODEL).toEqual({ flowGPerSPerBar, returnRiseBarPerGPerS, returnTimeConstantMs, valveDelayMs });
  });

  it('refuses a window too short for the flow to show and be debounced, naming the field and the figures', () => {
    for (const input of [
      { valves: { selfTestValveMs: 200 } },
      { debounceMs: { VALVE_FAILURE: 500 } },
      { pressure: { returnFlowBar: 1.5 }, valves: { selfTestValveMs: 400 } },
      { pressure: { returnFlowBar: 1.5 }, debounceMs: { VALVE_FAILURE: 300 } },
      { pressure: { returnFlowBar: 1.5 } },
      { loop: { rateHz: 10, maxGapMs: 200 } },
    ]) {
      expect(refusal(input)).toMatch(/valves\.selfTestValveMs: \d+ ms is too short to see a stuck-open valve: it must be at least \d+ ms \(VALVE_FAILURE's debounce \d+ ms, \d+ ms for the return line to show flow above pressure\.returnFlowBar [\d.]+ bar with the supply at pressure\.supplyLowBar \d+ bar, one period at loop\.rateHz \d+ Hz\)/);
    }
    expect(refusal({ valves: { selfTestValveMs: 200 } })).toContain('at least 500 ms');
  });

  it('names a figure the schema accepts when the period is not a whole number of ms (30 Hz)', () => {
    // 100 + 380 + 33.33 ms: the figure named must itself pass, not a rounded-down 513.33.
    const message = refusal({ loop: { rateHz: 30 }, valves: { selfTestValveMs: 513.33 } });
    const named = Number(/at least ([\d.]+) ms/.exec(message)?.[1]);
    expect(named).toBe(514);
    expect(parseSettings({ loop: { rateHz: 30 }, valves: { selfTestValveMs: named } }).valves.selfTestValveMs).toBe(514);
  });

  it('keeps the defaults, and a window long enough for a longer debounce or a slower loop', () => {
    expect(DEFAULT_SETTINGS.valves.selfTestValveMs).toBe(500);
    expect(parseSettings({ debounceMs: { VALVE_FAILURE: 500 }, valves: { selfTestValveMs: 900 } }).valves.selfTestValveMs).toBe(900);
    expect(parseSettings({ loop: { rateHz: 10, maxGapMs: 200 }, valves: { selfTestValveMs: 580 } }).loop.rateHz).toBe(10);
  });

  it('refuses a flow threshold above what a stuck valve shows at the lowest supply accepted, though the window passed at 57 bar', () => {
    // A cylinder at 12 C (48 bar abs) passes SUPPLY_PRESSURE_LOW; its line passes 1.5 bar about
    // 470 ms after the window opens, not 320 ms: the 500 ms window passed the stuck supply valve
    // and the first 120 s freeze ran on the safety valve alone (VALVE_FAILURE at 123.32 s).
    expect(refusal({ pressure: { returnFlowBar: 1.5 } })).toMatch(/valves\.selfTestValveMs: 500 ms is too short/);
    // A supply floor so low that the line never passes the threshold: no window is long enough.
    expect(refusal({ pressure: { supplyLowBar: 15 } })).toMatch(/pressure\.returnFlowBar: .*never shows flow/);
  });

  for (const rateHz of [10, 50, 200]) {
    for (const debounceMs of [0, 100, 500]) {
      for (const [returnFlowBar, cylinderTempC] of [[1.05, 20], [1.5, 20], [1.3, 7], [1.5, 7]] as const) {
        it(`catches a stuck supply valve in the self-test with the shortest window accepted (${rateHz} Hz, debounce ${debounceMs} ms, flow above ${returnFlowBar} bar, cylinder at ${cylinderTempC} C)`, () => {
          const flowShowsMs = selfTestFlowShowsMs(DEFAULT_SETTINGS.pressure.supplyLowBar, returnFlowBar);
          const windowMs = Math.ceil(debounceMs + flowShowsMs + 1000 / rateHz);
          const settings = parseSettings({
            protocol: { cycles: 1, freezeS: 30, thawS: 10 },
            loop: { rateHz, maxGapMs: 200 },
            valves: { selfTestValveMs: windowMs },
            debounceMs: { VALVE_FAILURE: debounceMs },
            pressure: { returnFlowBar },
          });
          // One millisecond shorter is refused: this is the shortest window.
          expect(() => parseSettings({ ...settings, valves: { ...settings.valves, selfTestValveMs: windowMs - 1 } })).toThrow(SettingsError);
          const summary = simulateTreatment({ settings, seed: 1, plant: { cylinderTempC }, faults: [{ kind: 'valve-stuck-open', atMs: 0, durationMs: null }] });
          expect(summary.interlocks[0]?.id).toBe('VALVE_FAILURE');
          // Within the self-test (settle, the safety-only window, the pause, the supply-only
          // window): no freeze began, so the supply was never opened on purpose.
          const selfTestEndS = (settings.valves.selfTestSettleMs + 2 * windowMs + SELF_TEST_VALVE_PAUSE_MS) / 1000;
          expect(summary.interlocks[0]?.atS).toBeLessThan(selfTestEndS);
          expect(summary.cycles).toEqual([]);
        });
      }
    }
  }
});
