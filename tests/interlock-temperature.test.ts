// Tip-temperature interlocks: the physical floor, the absolute -100 C limit, thermocouple faults,
// stale samples and a stuck sensor. Each trips in a test and stays quiet near its threshold.
import { TC_TOLERANCE_AT_SUBLIMATION_C } from '../src/controller/probe-calibration.js';
import { describe, expect, it } from 'vitest';
import type { TcFault } from '../hal/contract.js';
import { TC_FAULTS } from '../hal/contract.js';
import { DEFAULT_SETTINGS, parseSettings, withProtocol } from '../src/controller/settings.js';
import type { Settings } from '../src/controller/settings.js';
import { SUBLIMATION_MIN_PRESSURE_BAR, sublimationTempC } from '../kernel/co2.js';
import { ATMOSPHERIC_PRESSURE_BAR } from '../kernel/units.js';
import type { ReadingOverrides } from './helpers/readings.js';
import {
  NormalPatient,
  RETURN_FLOWING_BAR,
  SHORT_PROTOCOL,
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
const MARGIN_C = TC_TOLERANCE_AT_SUBLIMATION_C.T + DEFAULT_SETTINGS.tip.floorMarginC;
const floorAt = (returnBarAbs: number): number => sublimationTempC(returnBarAbs) - MARGIN_C;

/** A normal treatment 10 s into its first freeze (gas flowing, tip near -65 C). */
function midFreeze(settings: Settings = SETTINGS) {
  const { patient, at } = normalUntil(settings, inPhase('Freezing', 10_000));
  expect(gasPathOpen(at.state.outputs)).toBe(true);
  return { patient, state: at.state, t0: at.lastMs + 20 };
}

/** From mid-freeze, apply `o` on every step for `durationMs` (from the first step after). */
type Overrides = ReadingOverrides | ((nowMs: number, t0Ms: number) => ReadingOverrides);

function faultFromMidFreeze(o: Overrides, durationMs = 1_000, settings = SETTINGS) {
  const { patient, state, t0 } = midFreeze(settings);
  const overrides = typeof o === 'function' ? o : () => o;
  return { t0, d: drive(patient.script((nowMs) => overrides(nowMs, t0)), { settings, state, durationMs }) };
}

/** Overrides that hold only for the first `ms` after the fault starts. */
const during =
  (ms: number, o: ReadingOverrides) =>
  (nowMs: number, t0Ms: number): ReadingOverrides =>
    nowMs < t0Ms + ms ? o : {};

describe('TIP_BELOW_PHYSICAL_FLOOR', () => {
  it('trips when the tip reads colder than Tsub(return) minus tolerance and margin, closing both valves in that step', () => {
    const { t0, d } = faultFromMidFreeze({ tipC: floorAt(RETURN_FLOWING_BAR) - 0.5 });
    const rec = expectTrip(d, 'TIP_BELOW_PHYSICAL_FLOOR', 'Fault');
    expect(rec.nowMs).toBe(t0 + 100);
  });

  it('uses the sublimation temperature at the measured return pressure', () => {
    // -76 C is below the floor at 1.9 bar (about -73.8 C) but above the one at 1 atm (about -81.7 C).
    expect(-76).toBeLessThan(floorAt(RETURN_FLOWING_BAR));
    const { d } = faultFromMidFreeze({ tipC: -76 });
    expect(tripDetail(d, 'TIP_BELOW_PHYSICAL_FLOOR')).toContain(`physical floor ${floorAt(RETURN_FLOWING_BAR).toFixed(2)} C`);
  });

  it('does not trip at the same tip reading when the return line is at 1 atm', () => {
    // (A return line at 1 atm with the gas path open is NO_FLOW_SEEN's business, not the floor's.)
    const { d } = faultFromMidFreeze({ tipC: -76, returnBarAbs: 1.013 }, 2_000);
    expect(trips(d.events).map((t) => t.id)).not.toContain('TIP_BELOW_PHYSICAL_FLOOR');
  });

  it('assumes 1 atm when the board has no return-line transducer', () => {
    const { d } = faultFromMidFreeze({ tipC: floorAt(ATMOSPHERIC_PRESSURE_BAR) - 0.3, returnBarAbs: null });
    expectTrip(d, 'TIP_BELOW_PHYSICAL_FLOOR', 'Fault');
    expect(tripDetail(d, 'TIP_BELOW_PHYSICAL_FLOOR')).toContain(`physical floor ${floorAt(ATMOSPHERIC_PRESSURE_BAR).toFixed(2)} C`);
  });

  it('does not trip just above the 1 atm floor when the return line is not measured', () => {
    const { d } = faultFromMidFreeze({ tipC: floorAt(ATMOSPHERIC_PRESSURE_BAR) + 0.3, returnBarAbs: null }, 2_000);
    expect(trips(d.events)).toEqual([]);
  });

  it('does not trip with the tip held just above the floor during a freeze', () => {
    const { d } = faultFromMidFreeze({ tipC: floorAt(RETURN_FLOWING_BAR) + 0.05 }, 3_000);
    expect(trips(d.events)).toEqual([]);
  });

  it('does not trip on a reading below the floor that lasts one step short of its 100 ms debounce', () => {
    const { d } = faultFromMidFreeze(during(100, { tipC: -90 }));
    expect(trips(d.events)).toEqual([]);
  });

  it('trips on a reading below the floor that lasts its full 100 ms debounce', () => {
    const { d } = faultFromMidFreeze(during(120, { tipC: -90 }));
    expectTrip(d, 'TIP_BELOW_PHYSICAL_FLOOR', 'Fault');
  });

  it('trips in Idle too: an impossible reading is a fault whatever the phase', () => {
    const d = drive((now) => nominalReadings(now, { tipC: -90 }), { durationMs: 500 });
    expectTrip(d, 'TIP_BELOW_PHYSICAL_FLOOR', 'Fault');
  });
});

describe('TIP_BELOW_ABSOLUTE_LIMIT', () => {
  // Widest floor the settings allow (margin 5 C, a site at 0.6 bar): the floor still sits far
  // above -100 C (the margin is bounded so nitrous oxide cannot pass), so both rows act at -100.5 C;
  // the absolute limit is its own row and names its own limit.
  const wide = parseSettings({ protocol: SHORT_PROTOCOL, tip: { floorMarginC: 5 }, pressure: { ambientBarAbs: 0.6 } });
  const lowReturnBar = 0.6;

  it('trips at -100.5 C, beside the floor, naming the -100 C limit', () => {
    expect(sublimationTempC(SUBLIMATION_MIN_PRESSURE_BAR) - 5).toBeGreaterThan(-100.5);
    const { d } = faultFromMidFreeze({ tipC: -100.5, returnBarAbs: lowReturnBar }, 1_000, wide);
    expectTrip(d, 'TIP_BELOW_ABSOLUTE_LIMIT', 'Fault');
    expect(tripDetail(d, 'TIP_BELOW_ABSOLUTE_LIMIT')).toBe('tip -100.50 C below -100 C');
  });

  it('does not trip at -99.9 C (the floor does)', () => {
    const { d } = faultFromMidFreeze({ tipC: -99.9, returnBarAbs: lowReturnBar }, 2_000, wide);
    expect(trips(d.events).map((t) => t.id)).toEqual(['TIP_BELOW_PHYSICAL_FLOOR']);
  });

  it('trips with the default settings alongside the physical floor, naming the -100 C limit', () => {
    const { d } = faultFromMidFreeze({ tipC: -100.5 });
    expectTrip(d, 'TIP_BELOW_ABSOLUTE_LIMIT', 'Fault');
    expect(tripDetail(d, 'TIP_BELOW_ABSOLUTE_LIMIT')).toContain('below -100 C');
  });

  it('trips on a second channel below the limit while the control channel reads normally', () => {
    const { d } = faultFromMidFreeze(
      (now) => ({
        tips: [
          { tipC: -64, coldJunctionC: 25, fault: null, atMs: now },
          { tipC: -101, coldJunctionC: 25, fault: null, atMs: now },
        ],
        returnBarAbs: lowReturnBar,
      }),
      1_000,
      wide,
    );
    expectTrip(d, 'TIP_BELOW_ABSOLUTE_LIMIT', 'Fault');
  });

  it('does not trip on a reading below -100 C that lasts one step short of its debounce', () => {
    const { d } = faultFromMidFreeze(during(100, { tipC: -100.5, returnBarAbs: lowReturnBar }), 1_000, wide);
    expect(trips(d.events)).toEqual([]);
  });
});

describe('THERMOCOUPLE_FAULT', () => {
  it.each(TC_FAULTS)("trips on the fault bit '%s' and closes both valves in that step", (fault: TcFault) => {
    const { t0, d } = faultFromMidFreeze({ fault, tipC: 2047.9921875 });
    const rec = expectTrip(d, 'THERMOCOUPLE_FAULT', 'Fault');
    expect(rec.nowMs).toBe(t0 + 100);
    expect(tripDetail(d, 'THERMOCOUPLE_FAULT')).toBe(`channel 0: fault bit '${fault}'`);
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])('trips on a tip reading of %s', (tipC) => {
    const { d } = faultFromMidFreeze({ tipC });
    expectTrip(d, 'THERMOCOUPLE_FAULT', 'Fault');
    expect(tripDetail(d, 'THERMOCOUPLE_FAULT')).toContain('is not a number');
  });

  it.each([150.5, -200.5, 2047.9921875, 4095])('trips on the out-of-range tip reading %s C', (tipC) => {
    const { d } = faultFromMidFreeze({ tipC });
    expectTrip(d, 'THERMOCOUPLE_FAULT', 'Fault');
    expect(tripDetail(d, 'THERMOCOUPLE_FAULT')).toBe(`channel 0: tip ${tipC} C outside -200..150 C`);
  });

  it.each([-10.5, 70.5, Number.NaN])('trips on a cold junction of %s C', (coldJunctionC) => {
    const { d } = faultFromMidFreeze({ coldJunctionC });
    expectTrip(d, 'THERMOCOUPLE_FAULT', 'Fault');
    expect(tripDetail(d, 'THERMOCOUPLE_FAULT')).toContain(`cold junction ${coldJunctionC} C outside -10..70 C`);
  });

  it('trips when a second channel reports a fault', () => {
    const { d } = faultFromMidFreeze((now) => ({
      tips: [
        { tipC: -64, coldJunctionC: 25, fault: null, atMs: now },
        { tipC: 0, coldJunctionC: 25, fault: 'short-vcc', atMs: now },
      ],
    }));
    expectTrip(d, 'THERMOCOUPLE_FAULT', 'Fault');
    expect(tripDetail(d, 'THERMOCOUPLE_FAULT')).toBe("channel 1: fault bit 'short-vcc'");
  });

  it('trips when the board delivers no thermocouple channel at all', () => {
    const { d } = faultFromMidFreeze({ tips: [] });
    expectTrip(d, 'THERMOCOUPLE_FAULT', 'Fault');
    expect(tripDetail(d, 'THERMOCOUPLE_FAULT')).toBe('no thermocouple channel');
  });

  it('does not trip on a fault bit that lasts one step short of its 100 ms debounce', () => {
    const { d } = faultFromMidFreeze(during(100, { fault: 'open' }));
    expect(trips(d.events)).toEqual([]);
  });

  it('does not trip on a whole treatment with the cold junction at either edge of its range', () => {
    for (const coldJunctionC of [-9.9, 69.9]) {
      const patient = new NormalPatient();
      const d = drive(patient.script(() => ({ coldJunctionC })), { settings: SETTINGS, until: inPhase('Complete') });
      expect(d.state.phase).toBe('Complete');
      expect(trips(d.events)).toEqual([]);
    }
  });

  it('does not trip on a warm reading just inside the valid range during the thaw', () => {
    const { patient, at } = normalUntil(SETTINGS, inPhase('Thawing', 1_000));
    const d = drive(patient.script(() => ({ tipC: 149.9 })), { settings: SETTINGS, state: at.state, durationMs: 3_000 });
    expect(trips(d.events)).toEqual([]);
  });

  it('does not trip in Idle, but a faulty thermocouple then trips in the self-test before any valve opens', () => {
    const idle = drive((now) => nominalReadings(now, { fault: 'open' }), { durationMs: 2_000 });
    expect(trips(idle.events)).toEqual([]);
    const started = drive((now) => nominalReadings(now, { fault: 'open', operator: { start: now === idle.lastMs + 20 } }), {
      state: idle.state,
      durationMs: 2_000,
    });
    expectTrip(started, 'THERMOCOUPLE_FAULT', 'Fault');
    expect(started.steps.some((r) => r.outputs.supplyValveOpen || r.outputs.safetyValveOpen)).toBe(false);
  });
});

describe('SENSOR_STALE', () => {
  it('trips as soon as the tip sample is older than 100 ms, closing both valves in that step', () => {
    const { t0, d } = faultFromMidFreeze((_now, t0Ms) => ({ tipAtMs: t0Ms - 20 }));
    const rec = expectTrip(d, 'SENSOR_STALE', 'Fault');
    expect(rec.nowMs).toBe(t0 + 100);
    expect(tripDetail(d, 'SENSOR_STALE')).toBe('tip channel 0 sample is 120 ms old (limit 100 ms)');
  });

  it('trips on a stale supply pressure sample', () => {
    const { d } = faultFromMidFreeze((_now, t0Ms) => ({ supplyAtMs: t0Ms }));
    expectTrip(d, 'SENSOR_STALE', 'Fault');
    expect(tripDetail(d, 'SENSOR_STALE')).toContain('supply pressure sample');
  });

  it('trips on a stale return pressure sample', () => {
    const { d } = faultFromMidFreeze((_now, t0Ms) => ({ returnAtMs: t0Ms }));
    expectTrip(d, 'SENSOR_STALE', 'Fault');
    expect(tripDetail(d, 'SENSOR_STALE')).toContain('return pressure sample');
  });

  it('treats a sample without a valid time stamp as stale', () => {
    const { d } = faultFromMidFreeze({ tipAtMs: Number.NaN });
    expectTrip(d, 'SENSOR_STALE', 'Fault');
  });

  it('does not trip on samples exactly 100 ms old', () => {
    const { d } = faultFromMidFreeze((now) => ({ tipAtMs: now - 100, supplyAtMs: now - 100, returnAtMs: now - 100 }), 3_000);
    expect(trips(d.events)).toEqual([]);
  });
});

describe('SENSOR_STUCK', () => {
  it('trips when the tip reads one constant value for a whole window while the gas flows', () => {
    const { t0, d } = faultFromMidFreeze({ tipC: -62 }, 8_000);
    const rec = expectTrip(d, 'SENSOR_STUCK', 'Fault');
    const windowMs = SETTINGS.tip.stuckWindowMs;
    expect(rec.nowMs - t0).toBeGreaterThanOrEqual(windowMs - 20);
    expect(rec.nowMs - t0).toBeLessThanOrEqual(2 * windowMs + 20);
  });

  it('does not trip when the reading spans just more than 0.02 C in every window', () => {
    const { d } = faultFromMidFreeze((now) => ({ tipC: now % 40 === 0 ? -62 : -62.03 }), 10_000);
    expect(trips(d.events)).toEqual([]);
  });

  it('does not trip on a constant reading during the thaw, with the valves closed', () => {
    const { patient, at } = normalUntil(SETTINGS, inPhase('Thawing', 1_000));
    const d = drive(patient.script(() => ({ tipC: 20 })), { settings: SETTINGS, state: at.state, durationMs: 10_000 });
    expect(trips(d.events)).toEqual([]);
  });

  it('does not trip on a constant reading in Idle', () => {
    const d = drive((now) => nominalReadings(now, { tipC: 22 }), { durationMs: 10_000 });
    expect(trips(d.events)).toEqual([]);
  });
});
