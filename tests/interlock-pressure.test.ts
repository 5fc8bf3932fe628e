// Gas-pressure interlocks: supply low (blocks start), supply high, and a blocked return line by
// level and by trend.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, withProtocol } from '../src/controller/settings.js';
import type { ReadingOverrides } from './helpers/readings.js';
import {
  NormalPatient,
  RETURN_FLOWING_BAR,
  SHORT_PROTOCOL,
  anyValveOpen,
  drive,
  expectTrip,
  gasPathOpen,
  inPhase,
  nominalReadings,
  normalUntil,
  tripDetail,
  trips,
} from './helpers/readings.js';

const SETTINGS = withProtocol(DEFAULT_SETTINGS, SHORT_PROTOCOL);
const TWO_CYCLES = withProtocol(DEFAULT_SETTINGS, { cycles: 2, freezeS: 10, thawS: 10 });

type Overrides = ReadingOverrides | ((nowMs: number, t0Ms: number) => ReadingOverrides);

/** From 10 s into the first freeze, apply `o` on every step for `durationMs`. */
function faultFromMidFreeze(o: Overrides, durationMs = 2_000) {
  const { patient, at } = normalUntil(SETTINGS, inPhase('Freezing', 10_000));
  expect(gasPathOpen(at.state.outputs)).toBe(true);
  const t0 = at.lastMs + 20;
  const overrides = typeof o === 'function' ? o : () => o;
  return { t0, d: drive(patient.script((nowMs) => overrides(nowMs, t0)), { settings: SETTINGS, state: at.state, durationMs }) };
}

const during =
  (ms: number, o: ReadingOverrides) =>
  (nowMs: number, t0Ms: number): ReadingOverrides =>
    nowMs < t0Ms + ms ? o : {};

/** A whole normal treatment with `o` applied throughout. */
function wholeTreatment(o: ReadingOverrides) {
  const patient = new NormalPatient();
  return drive(patient.script(() => o), { settings: SETTINGS, until: inPhase('Complete') });
}

describe('SUPPLY_PRESSURE_LOW', () => {
  it('blocks start: with 35 bar no valve ever opens and the controller ends in Fault', () => {
    const d = drive((now) => nominalReadings(now, { supplyBarGauge: 35, operator: { start: now === 1_000 } }), { durationMs: 10_000 });
    const rec = expectTrip(d, 'SUPPLY_PRESSURE_LOW', 'Fault');
    expect(d.steps.some((r) => anyValveOpen(r.outputs))).toBe(false);
    expect(d.state.phase).toBe('Fault');
    // The condition was already debounced in Idle: it acts on the first self-test step.
    expect(rec.nowMs).toBe(1_020);
  });

  it('blocks start when the supply falls just as start is pressed (debounced inside the self-test)', () => {
    const d = drive((now) => nominalReadings(now, { supplyBarGauge: now >= 1_000 ? 35 : 57, operator: { start: now === 1_000 } }), {
      durationMs: 10_000,
    });
    const rec = expectTrip(d, 'SUPPLY_PRESSURE_LOW', 'Fault');
    expect(rec.nowMs).toBe(1_500);
    expect(d.steps.some((r) => anyValveOpen(r.outputs))).toBe(false);
  });

  it('trips 500 ms after the supply falls below 40 bar during a freeze, closing both valves in that step', () => {
    const { t0, d } = faultFromMidFreeze({ supplyBarGauge: 35 });
    const rec = expectTrip(d, 'SUPPLY_PRESSURE_LOW', 'Fault');
    expect(rec.nowMs).toBe(t0 + 500);
    expect(tripDetail(d, 'SUPPLY_PRESSURE_LOW')).toBe('supply 35.0 bar below 40 bar');
  });


  it('does not trip on a whole treatment at 40.5 bar', () => {
    const d = wholeTreatment({ supplyBarGauge: 40.5 });
    expect(d.state.phase).toBe('Complete');
    expect(trips(d.events)).toEqual([]);
  });

  it('does not trip on a dip below 40 bar one step shorter than its 500 ms debounce', () => {
    const { d } = faultFromMidFreeze(during(500, { supplyBarGauge: 35 }));
    expect(trips(d.events)).toEqual([]);
  });

  it('trips on a dip below 40 bar that lasts its full 500 ms debounce', () => {
    const { d } = faultFromMidFreeze(during(520, { supplyBarGauge: 35 }));
    expectTrip(d, 'SUPPLY_PRESSURE_LOW', 'Fault');
  });

  it('trips during the thaw, so the operator learns of it before the next freeze', () => {
    const { patient, at } = normalUntil(TWO_CYCLES, inPhase('Thawing', 1_000));
    const d = drive(patient.script(() => ({ supplyBarGauge: 35 })), { settings: TWO_CYCLES, state: at.state, durationMs: 5_000 });
    expectTrip(d, 'SUPPLY_PRESSURE_LOW', 'Fault');
  });

  // A supply that fell below 40 bar during the thaw must not open the valves, even for one step,
  // at the start of the next freeze: "blocks start" holds for every freeze.
  it('never opens the valves for the next freeze when the supply fell below 40 bar during the thaw', () => {
    const { patient, at } = normalUntil(TWO_CYCLES, inPhase('Thawing', 1_000));
    const d = drive(patient.script(() => ({ supplyBarGauge: 35 })), { settings: TWO_CYCLES, state: at.state, durationMs: 20_000 });
    expect(d.steps.some((r) => anyValveOpen(r.outputs))).toBe(false);
  });
});

describe('SUPPLY_PRESSURE_HIGH', () => {
  it('trips 500 ms after the supply rises above 70 bar during a freeze, closing both valves in that step', () => {
    const { t0, d } = faultFromMidFreeze({ supplyBarGauge: 80 });
    const rec = expectTrip(d, 'SUPPLY_PRESSURE_HIGH', 'Fault');
    expect(rec.nowMs).toBe(t0 + 500);
    expect(tripDetail(d, 'SUPPLY_PRESSURE_HIGH')).toBe('supply 80.0 bar above 70 bar');
  });

  it('blocks start: with 75 bar no valve ever opens', () => {
    const d = drive((now) => nominalReadings(now, { supplyBarGauge: 75, operator: { start: now === 1_000 } }), { durationMs: 5_000 });
    expectTrip(d, 'SUPPLY_PRESSURE_HIGH', 'Fault');
    expect(d.steps.some((r) => anyValveOpen(r.outputs))).toBe(false);
  });

  it('does not trip on a whole treatment at 69.5 bar', () => {
    const d = wholeTreatment({ supplyBarGauge: 69.5 });
    expect(d.state.phase).toBe('Complete');
    expect(trips(d.events)).toEqual([]);
  });

  it('does not trip on a spike above 70 bar one step shorter than its debounce', () => {
    const { d } = faultFromMidFreeze(during(500, { supplyBarGauge: 80 }));
    expect(trips(d.events)).toEqual([]);
  });
});

describe('RETURN_LINE_BLOCKED', () => {
  it('trips 200 ms after the return line rises above 3 bar, closing both valves in that step', () => {
    const { t0, d } = faultFromMidFreeze({ returnBarAbs: 3.5 });
    const rec = expectTrip(d, 'RETURN_LINE_BLOCKED', 'Fault');
    expect(rec.nowMs).toBe(t0 + 200);
    expect(tripDetail(d, 'RETURN_LINE_BLOCKED')).toBe('return 3.50 bar above 3 bar');
  });

  it('trips on return pressure rising while the tip warms, below the level threshold', () => {
    // Return +0.5 bar/s from 1.9 bar, tip +3 C/s from -65 C: both over their per-second limits.
    const { t0, d } = faultFromMidFreeze((now, t0Ms) => {
      const s = (now - t0Ms) / 1000;
      return { returnBarAbs: RETURN_FLOWING_BAR + 0.5 * s, tipC: -65 + 3 * s };
    }, 2_100);
    const rec = expectTrip(d, 'RETURN_LINE_BLOCKED', 'Fault');
    expect(tripDetail(d, 'RETURN_LINE_BLOCKED')).toBe('return pressure rising while the tip warms');
    expect(rec.readings.returnLine?.barAbs).toBeLessThan(3);
    expect(rec.nowMs - t0).toBeLessThanOrEqual(2_100);
  });

  it('does not trip on return pressure rising while the tip warms too slowly to matter', () => {
    const { d } = faultFromMidFreeze((now, t0Ms) => {
      const s = (now - t0Ms) / 1000;
      return { returnBarAbs: RETURN_FLOWING_BAR + 0.5 * s, tipC: -65 + 1.5 * s };
    }, 2_000);
    expect(trips(d.events)).toEqual([]);
  });

  it('does not trip with the return line held at 2.95 bar', () => {
    const { d } = faultFromMidFreeze({ returnBarAbs: 2.95 }, 3_000);
    expect(trips(d.events)).toEqual([]);
  });

  it('does not trip on a spike above 3 bar one step shorter than its debounce', () => {
    const { d } = faultFromMidFreeze(during(200, { returnBarAbs: 3.5 }));
    expect(trips(d.events)).toEqual([]);
  });
});

describe('PRESSURE_SENSOR_FAULT', () => {
  // A dead supply transducer is one fault, reported once: not also a low (or high) supply, whose
  // condition text would name a pressure that was never measured. The supply rows count a reading
  // that is no number as evidence only until the sensor fault trips (see the mixed case below).
  const supplyRowSeenAfterSensorFault = (d: ReturnType<typeof drive>): boolean => {
    const tripIndex = d.steps.findIndex((r) => r.state.interlocks.PRESSURE_SENSOR_FAULT.tripped);
    expect(tripIndex).toBeGreaterThanOrEqual(0);
    return d.steps.slice(tripIndex + 1).some((r) => r.state.interlocks.SUPPLY_PRESSURE_LOW.conditionNow || r.state.interlocks.SUPPLY_PRESSURE_HIGH.conditionNow);
  };

  it.each([Number.NaN, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY])(
    'is the only trip when start is pressed with a supply reading of %d, and the supply rows stop counting it once it has tripped',
    (supplyBarGauge) => {
      const d = drive((now) => nominalReadings(now, { supplyBarGauge, operator: { start: now === 1_000 } }), { durationMs: 10_000 });
      expect(trips(d.events).map((t) => t.id)).toEqual(['PRESSURE_SENSOR_FAULT']);
      expect(supplyRowSeenAfterSensorFault(d)).toBe(false);
    },
  );

  it('trips alone when the supply reading stops being a number mid-freeze', () => {
    const { d } = faultFromMidFreeze({ supplyBarGauge: Number.NaN });
    expect(trips(d.events).map((t) => t.id)).toEqual(['PRESSURE_SENSOR_FAULT']);
    expect(supplyRowSeenAfterSensorFault(d)).toBe(false);
  });

  it('trips 100 ms after the supply reading stops being a number, closing both valves in that step', () => {
    const { t0, d } = faultFromMidFreeze({ supplyBarGauge: Number.NaN });
    const rec = expectTrip(d, 'PRESSURE_SENSOR_FAULT', 'Fault');
    expect(rec.nowMs).toBe(t0 + 100);
  });

  it.each([
    [Number.NaN, 'not a number'],
    [0.2, 'below half an atmosphere'],
    [-0.5, 'negative'],
    [25, 'far above any exhaust pressure'],
  ])('trips on a fitted return transducer reading %d bar (%s)', (returnBarAbs) => {
    const { d } = faultFromMidFreeze({ returnBarAbs });
    expectTrip(d, 'PRESSURE_SENSOR_FAULT', 'Fault');
    expect(tripDetail(d, 'PRESSURE_SENSOR_FAULT')).toContain('return transducer');
  });

  it('does not trip when the board has no return transducer at all', () => {
    const d = wholeTreatment({ returnBarAbs: null });
    expect(trips(d.events).map((t) => t.id)).not.toContain('PRESSURE_SENSOR_FAULT');
  });

  it('does not trip on a whole normal treatment', () => {
    const d = wholeTreatment({});
    expect(d.state.phase).toBe('Complete');
    expect(trips(d.events)).toEqual([]);
  });
});

describe('NO_FLOW_SEEN', () => {
  const WITHIN_MS = DEFAULT_SETTINGS.pressure.flowExpectedWithinMs;

  it('trips when a return transducer stuck at 1 atm shows no flow with the gas path open', () => {
    const patient = new NormalPatient();
    const d = drive(patient.script(() => ({ returnBarAbs: 1.013 })), { settings: SETTINGS, durationMs: 10_000 });
    const rec = expectTrip(d, 'NO_FLOW_SEEN', 'Fault');
    const openedMs = d.steps.find((r) => r.state.phase === 'Freezing')?.nowMs ?? Number.NaN;
    // The allowance, then the 200 ms debounce (k of 2k samples).
    expect(rec.nowMs).toBe(openedMs + WITHIN_MS + 200);
    expect(tripDetail(d, 'NO_FLOW_SEEN')).toMatch(/^return 1\.01 bar abs with the gas path open for 2\.2 s: no flow seen$/);
  });

  it('does not trip while the flow is still building within its allowance', () => {
    const patient = new NormalPatient();
    const slow = (now: number, s: { freezeOpenedMs: number | null }) =>
      s.freezeOpenedMs !== null && now - s.freezeOpenedMs < WITHIN_MS - 100 ? { returnBarAbs: 1.013 } : {};
    const d = drive(patient.script(slow), { settings: SETTINGS, until: inPhase('Complete') });
    expect(trips(d.events)).toEqual([]);
  });

  it('leaves a low supply to SUPPLY_PRESSURE_LOW rather than calling the transducer stuck', () => {
    const { d } = faultFromMidFreeze({ supplyBarGauge: 30, returnBarAbs: 1.013 }, 3_000);
    expect(trips(d.events).map((t) => t.id)).toEqual(['SUPPLY_PRESSURE_LOW']);
  });

  it('does not trip on a board without a return transducer', () => {
    const d = wholeTreatment({ returnBarAbs: null });
    expect(trips(d.events)).toEqual([]);
  });
});
