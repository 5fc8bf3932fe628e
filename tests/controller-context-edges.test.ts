// What one tick knows (src/controller/context.ts) at its edges: the physical floor's pressure
// (never below the room's, never past the triple point), which readings are usable, which are
// fresh, and when the return line shows flow. Judged through the trips they cause.
import { describe, expect, it } from 'vitest';
import { SUBLIMATION_MAX_PRESSURE_BAR, SUBLIMATION_MIN_PRESSURE_BAR, sublimationTempC } from '../kernel/co2.js';
import { FUTURE_STAMP_TOLERANCE_MS, SUBLIMATION_CEILING_C, floorAbove, physicalFloorC } from '../src/controller/context.js';
import { TC_TOLERANCE_AT_SUBLIMATION_C } from '../src/controller/probe-calibration.js';
import { DEFAULT_SETTINGS, parseSettings, withProtocol } from '../src/controller/settings.js';
import type { Settings } from '../src/controller/settings.js';
import type { ControllerState } from '../src/controller/state.js';
import type { ReadingOverrides } from './helpers/readings.js';
import { NormalPatient, SHORT_PROTOCOL, drive, expectTrip, gasPathOpen, inPhase, normalUntil, tripDetail, trips } from './helpers/readings.js';

const SETTINGS = withProtocol(DEFAULT_SETTINGS, SHORT_PROTOCOL);
const AMBIENT_BAR = SETTINGS.pressure.ambientBarAbs;
const MARGIN_C = SETTINGS.tip.floorMarginC;

const tripIds = (d: { events: Parameters<typeof trips>[0] }): string[] => trips(d.events).map((t) => t.id);

function fromMidFreeze(o: (nowMs: number, state: ControllerState) => ReadingOverrides, durationMs = 1_000, settings: Settings = SETTINGS) {
  const patient = new NormalPatient();
  const { at } = normalUntil(settings, inPhase('Freezing', 10_000), patient);
  expect(gasPathOpen(at.state.outputs)).toBe(true);
  return { t0: at.lastMs + 20, d: drive(patient.script(o), { settings, state: at.state, durationMs }) };
}

function fromThaw(o: (nowMs: number, state: ControllerState) => ReadingOverrides, durationMs = 2_000) {
  const patient = new NormalPatient();
  const { at } = normalUntil(SETTINGS, inPhase('Thawing', 1_000), patient);
  return drive(patient.script(o), { settings: SETTINGS, state: at.state, durationMs });
}

describe('the physical floor', () => {
  it('is Tsub at the return pressure less the Type T tolerance and the margin', () => {
    expect(physicalFloorC(1.5, SETTINGS, 'T')).toBe(sublimationTempC(1.5) - (TC_TOLERANCE_AT_SUBLIMATION_C.T + MARGIN_C));
    expect(physicalFloorC(1.5, SETTINGS, 'K')).toBe(sublimationTempC(1.5) - (TC_TOLERANCE_AT_SUBLIMATION_C.K + MARGIN_C));
  });

  it('never takes the return below the room: a transducer reading 0.7 bar abs gives the 1 atm floor', () => {
    expect(physicalFloorC(0.7, SETTINGS, 'T')).toBe(physicalFloorC(AMBIENT_BAR, SETTINGS, 'T'));
    expect(physicalFloorC(null, SETTINGS, 'T')).toBe(physicalFloorC(AMBIENT_BAR, SETTINGS, 'T'));
  });

  it('follows the site pressure at altitude', () => {
    const high = parseSettings({ pressure: { ambientBarAbs: 0.7 } });
    expect(physicalFloorC(null, high, 'T')).toBe(sublimationTempC(0.7) - (TC_TOLERANCE_AT_SUBLIMATION_C.T + MARGIN_C));
    expect(physicalFloorC(null, high, 'T')).toBeLessThan(physicalFloorC(null, SETTINGS, 'T'));
  });

  it('stops at the triple point for a return above it (no solid CO2 is colder there)', () => {
    expect(physicalFloorC(10, SETTINGS, 'T')).toBe(physicalFloorC(20, SETTINGS, 'T'));
    expect(physicalFloorC(10, SETTINGS, 'T')).toBeCloseTo(-56.56 - 3.18, 1);
  });

  it('is never warmer than the ceiling floorAbove answers by without solving: the point rises with the pressure over the whole fit', () => {
    expect(SUBLIMATION_CEILING_C).toBe(sublimationTempC(SUBLIMATION_MAX_PRESSURE_BAR));
    const steps = 20_000;
    let prevC = Number.NEGATIVE_INFINITY;
    for (let i = 0; i <= steps; i++) {
      const bar = SUBLIMATION_MIN_PRESSURE_BAR + ((SUBLIMATION_MAX_PRESSURE_BAR - SUBLIMATION_MIN_PRESSURE_BAR) * i) / steps;
      const pointC = sublimationTempC(Math.min(bar, SUBLIMATION_MAX_PRESSURE_BAR));
      expect(pointC).toBeGreaterThanOrEqual(prevC);
      expect(pointC).toBeLessThanOrEqual(SUBLIMATION_CEILING_C);
      prevC = pointC;
    }
  });

  it('floorAbove gives the floor exactly when the reading is below physicalFloorC, for any reading, pressure, type and margin', () => {
    const margins = [0, 0.5, 2, 5];
    const types = ['T', 'K'] as const;
    const returns = [null, 0.2, 0.7, 1.01325, 1.5, 2.7, 4, SUBLIMATION_MAX_PRESSURE_BAR, 8];
    let below = 0;
    for (const floorMarginC of margins) {
      const settings = parseSettings({ tip: { floorMarginC } });
      for (const type of types) {
        for (const returnBar of returns) {
          const floorC = physicalFloorC(returnBar, settings, type);
          const ceilingC = SUBLIMATION_CEILING_C - (TC_TOLERANCE_AT_SUBLIMATION_C[type] + floorMarginC);
          for (const tipC of [floorC - 1, floorC - 1e-9, floorC, floorC + 1e-9, floorC + 1, ceilingC - 1e-9, ceilingC, ceilingC + 1e-9, 37, Number.NaN, -200]) {
            const want = tipC < floorC ? floorC : null;
            const returnLine = returnBar === null ? null : { barAbs: returnBar, atMs: 0 };
            expect(floorAbove(tipC, returnLine, settings, type), `tip ${tipC} return ${String(returnBar)} ${type} margin ${floorMarginC}`).toBe(want);
            if (want !== null) below++;
          }
        }
      }
    }
    expect(below).toBeGreaterThan(100);
  });

  it('trips a tip below the 1 atm floor when the return transducer reads implausibly low (0.7 bar abs)', () => {
    // Tsub(0.7 bar) is about -82 C: trusting the reading would let a -82 C tip (nitrous oxide) pass.
    const floorC = physicalFloorC(AMBIENT_BAR, SETTINGS, 'T');
    const { d } = fromMidFreeze(() => ({ returnBarAbs: 0.7, tipC: floorC - 0.5 }));
    expect(tripIds(d)).toContain('TIP_BELOW_PHYSICAL_FLOOR');
  });
});

describe('which readings are usable', () => {
  it('takes -200 C, the bottom of the valid range, as a reading: the tip limits trip, not the thermocouple fault', () => {
    const { d } = fromMidFreeze(() => ({ tipC: -200 }));
    expect(tripIds(d)).toEqual(['TIP_BELOW_ABSOLUTE_LIMIT', 'TIP_BELOW_PHYSICAL_FLOOR']);
  });

  it('takes 150 C, the top of the valid range, as a reading in the thaw', () => {
    expect(tripIds(fromThaw(() => ({ tipC: 150 })))).toEqual([]);
  });

  it('takes a cold junction at exactly -10 C or 70 C, the edges of its range, as usable', () => {
    expect(tripIds(fromThaw(() => ({ coldJunctionC: -10 })))).toEqual([]);
    expect(tripIds(fromThaw(() => ({ coldJunctionC: 70 })))).toEqual([]);
  });

  it('names the first unusable channel when two are', () => {
    const { d } = fromMidFreeze((now) => ({
      tips: [
        { tipC: 300, coldJunctionC: 25, fault: null, atMs: now },
        { tipC: -64, coldJunctionC: 25, fault: 'open', atMs: now },
      ],
    }));
    expect(tripDetail(d, 'THERMOCOUPLE_FAULT')).toBe('channel 0: tip 300 C outside -200..150 C');
  });

  it('names an infinite cold junction as out of range', () => {
    const { d } = fromMidFreeze(() => ({ coldJunctionC: Number.POSITIVE_INFINITY }));
    expect(tripDetail(d, 'THERMOCOUPLE_FAULT')).toBe('channel 0: cold junction Infinity C outside -10..70 C');
  });
});

describe('which samples are fresh', () => {
  it(`accepts a sample stamped ${FUTURE_STAMP_TOLERANCE_MS} ms after the tick (a back-end's clock read a moment later)`, () => {
    const { d } = fromMidFreeze((now) => ({ tipAtMs: now + FUTURE_STAMP_TOLERANCE_MS, supplyAtMs: now + FUTURE_STAMP_TOLERANCE_MS, returnAtMs: now + FUTURE_STAMP_TOLERANCE_MS }));
    expect(tripIds(d)).toEqual([]);
  });

  it('calls a sample stamped further ahead stale at once, naming by how much', () => {
    const { t0, d } = fromMidFreeze((now) => ({ supplyAtMs: now + FUTURE_STAMP_TOLERANCE_MS + 1 }));
    expect(expectTrip(d, 'SENSOR_STALE', 'Fault').nowMs).toBe(t0);
    expect(tripDetail(d, 'SENSOR_STALE')).toBe('supply pressure sample is stamped 6 ms in the future');
  });

  it('names a stale second tip channel', () => {
    const { d } = fromMidFreeze((now) => ({
      tips: [
        { tipC: -64, coldJunctionC: 25, fault: null, atMs: now },
        { tipC: -64.5, coldJunctionC: 25, fault: null, atMs: now - 150 },
      ],
    }));
    expect(tripDetail(d, 'SENSOR_STALE')).toBe('tip channel 1 sample is 150 ms old (limit 100 ms)');
  });

  it('names a return sample with no valid time stamp', () => {
    const { d } = fromMidFreeze(() => ({ returnAtMs: Number.NaN }));
    expect(tripDetail(d, 'SENSOR_STALE')).toBe('return pressure sample time NaN is not a number');
  });
});

describe('when the return line shows flow', () => {
  function afterTreatment(returnBarAbs: number) {
    const patient = new NormalPatient();
    const { at } = normalUntil(SETTINGS, inPhase('Complete', 2_000), patient);
    return drive(patient.script(() => ({ returnBarAbs })), { settings: SETTINGS, state: at.state, durationMs: 1_000 });
  }

  it('does not take a return at exactly pressure.returnFlowBar for flow past the closed valves', () => {
    expect(tripIds(afterTreatment(SETTINGS.pressure.returnFlowBar))).toEqual([]);
  });

  it('takes a return just above it for flow: the valve has failed', () => {
    expect(tripIds(afterTreatment(SETTINGS.pressure.returnFlowBar + 0.01))).toEqual(['VALVE_FAILURE']);
  });
});
