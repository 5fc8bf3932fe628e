// The interlock checks at their thresholds: a reading exactly at a limit is on the safe side of
// it (the conditions say "below", "above", "older than"), one step past it trips, and the trip's
// detail names the value the operator must act on. The plainer trips live in the other
// interlock-*.test.ts files; these pin the comparisons a `<` for `<=` would move.
import { describe, expect, it } from 'vitest';
import { physicalFloorC } from '../src/controller/context.js';
import { DEFAULT_SETTINGS, parseSettings, withProtocol } from '../src/controller/settings.js';
import type { Settings } from '../src/controller/settings.js';
import type { ControllerState } from '../src/controller/state.js';
import type { ReadingOverrides } from './helpers/readings.js';
import {
  NormalPatient,
  RETURN_FLOWING_BAR,
  SHORT_PROTOCOL,
  drive,
  driveSteps,
  expectTrip,
  gasPathOpen,
  inPhase,
  normalUntil,
  tripDetail,
  trips,
} from './helpers/readings.js';

const SETTINGS = withProtocol(DEFAULT_SETTINGS, SHORT_PROTOCOL);

/** From 10 s into the first freeze (gas flowing, tip near -65 C), apply `o` for `durationMs`. */
function fromMidFreeze(o: (nowMs: number, t0Ms: number, state: ControllerState) => ReadingOverrides, durationMs = 1_000, settings: Settings = SETTINGS) {
  const patient = new NormalPatient();
  const { at } = normalUntil(settings, inPhase('Freezing', 10_000), patient);
  expect(gasPathOpen(at.state.outputs)).toBe(true);
  const t0 = at.lastMs + 20;
  return { t0, patient, d: drive(patient.script((nowMs, state) => o(nowMs, t0, state)), { settings, state: at.state, durationMs }) };
}

const tripIds = (d: { events: Parameters<typeof trips>[0] }): string[] => trips(d.events).map((t) => t.id);

describe('the tip limits at their thresholds', () => {
  it('does not call a tip exactly at the physical floor impossible: CO2 can reach it', () => {
    const floorC = physicalFloorC(RETURN_FLOWING_BAR, SETTINGS, 'T');
    const { d } = fromMidFreeze(() => ({ tipC: floorC }));
    expect(tripIds(d)).toEqual([]);
  });

  it('trips the physical floor on the control channel even when a second channel reads warmer', () => {
    const { d } = fromMidFreeze((now) => ({
      tips: [
        { tipC: -90, coldJunctionC: 25, fault: null, atMs: now },
        { tipC: -64, coldJunctionC: 25, fault: null, atMs: now },
      ],
    }));
    expectTrip(d, 'TIP_BELOW_PHYSICAL_FLOOR', 'Fault');
    expect(tripDetail(d, 'TIP_BELOW_PHYSICAL_FLOOR')).toMatch(/^tip -90\.00 C below the physical floor -7\d\.\d\d C$/);
  });

  it('leaves a tip of exactly -100 C to the physical floor: the absolute limit is "below -100 C"', () => {
    const wide = parseSettings({ protocol: SHORT_PROTOCOL, tip: { floorMarginC: 5 }, pressure: { ambientBarAbs: 0.6 } });
    const { d } = fromMidFreeze(() => ({ tipC: -100, returnBarAbs: 0.6 }), 1_000, wide);
    expect(tripIds(d)).toEqual(['TIP_BELOW_PHYSICAL_FLOOR']);
  });
});

describe('the supply window at its edges', () => {
  it('does not trip with the supply held at exactly 40 bar, the low limit', () => {
    const { d } = fromMidFreeze(() => ({ supplyBarGauge: 40 }), 2_000);
    expect(tripIds(d)).toEqual([]);
  });

  it('does not trip with the supply held at exactly 70 bar, the high limit', () => {
    const { d } = fromMidFreeze(() => ({ supplyBarGauge: 70 }), 2_000);
    expect(tripIds(d)).toEqual([]);
  });

  it('names the low supply pressure and its limit', () => {
    const { d } = fromMidFreeze(() => ({ supplyBarGauge: 35.04 }));
    expect(tripDetail(d, 'SUPPLY_PRESSURE_LOW')).toBe('supply 35.0 bar below 40 bar');
  });

  it('names the high supply pressure and its limit', () => {
    const { d } = fromMidFreeze(() => ({ supplyBarGauge: 80.06 }));
    expect(tripDetail(d, 'SUPPLY_PRESSURE_HIGH')).toBe('supply 80.1 bar above 70 bar');
  });

  it('names an unreadable supply as the sensor fault', () => {
    const { d } = fromMidFreeze(() => ({ supplyBarGauge: Number.NaN }));
    expect(tripDetail(d, 'PRESSURE_SENSOR_FAULT')).toBe('supply transducer reads NaN');
  });
});

describe('the return line at its edges', () => {
  it('does not call the line blocked with the return held at exactly 3 bar', () => {
    const { d } = fromMidFreeze(() => ({ returnBarAbs: 3 }), 2_000);
    expect(tripIds(d)).toEqual([]);
  });

  it('names the blocked return pressure and its limit', () => {
    const { d } = fromMidFreeze((_now, _t0, s) => (gasPathOpen(s.outputs) ? { returnBarAbs: 3.456 } : {}));
    expect(tripDetail(d, 'RETURN_LINE_BLOCKED')).toBe('return 3.46 bar above 3 bar');
  });

  it('takes a return of exactly 20 bar as a plausible (blocked) reading, not a sensor fault', () => {
    // At 20 bar the floor is the triple point's (-56.6 C less the tolerance and margin): the tip
    // reads -55 C, above it.
    const { d } = fromMidFreeze((_now, _t0, s) => (gasPathOpen(s.outputs) ? { returnBarAbs: 20, tipC: -55 } : { tipC: -55 }));
    expect(tripIds(d)).toEqual(['RETURN_LINE_BLOCKED']);
    expect(tripDetail(d, 'RETURN_LINE_BLOCKED')).toBe('return 20.00 bar above 3 bar');
  });

  it('takes a return of exactly 0.5 bar as a plausible reading: no flow is seen, the sensor is not faulty', () => {
    const { d } = fromMidFreeze(() => ({ returnBarAbs: 0.5 }));
    expect(tripIds(d)).toEqual(['NO_FLOW_SEEN']);
    expect(tripDetail(d, 'NO_FLOW_SEEN')).toMatch(/^return 0\.50 bar abs with the gas path open for 1\d\.\d s: no flow seen$/);
  });

  it('names an implausible return reading and the plausible range', () => {
    const { d } = fromMidFreeze(() => ({ returnBarAbs: 0.25 }));
    expect(tripDetail(d, 'PRESSURE_SENSOR_FAULT')).toBe('return transducer reads 0.25 bar absolute, outside 0.5-20');
  });

  it('calls a return stuck at 1 atm no flow when the supply is exactly at its low limit (the supply is fine)', () => {
    const { d } = fromMidFreeze(() => ({ returnBarAbs: 1.013, supplyBarGauge: 40 }));
    expect(tripIds(d)).toEqual(['NO_FLOW_SEEN']);
  });
});

describe('the freeze limits at their edges', () => {
  const capped = parseSettings({ protocol: { cycles: 2, freezeS: 30, thawS: 20 }, freezeLimit: { cumulativeMaxS: 60 } });
  const GRACE_MS = capped.freezeLimit.perCycleGraceMs;

  it('trips a freeze on the step the site total passes the cap plus the grace, not the step it reaches it', () => {
    const patient = new NormalPatient();
    const { at } = normalUntil(capped, inPhase('Freezing', 10_000), patient);
    const crafted: ControllerState = { ...at.state, cumulativeFreezeMs: 60_000 + GRACE_MS - 20 };
    const d = driveSteps(patient.script(), 2, { settings: capped, state: crafted });
    expect(d.steps[0]?.state.cumulativeFreezeMs).toBe(60_000 + GRACE_MS);
    expect(d.steps[0]?.events.filter((e) => e.kind === 'trip')).toEqual([]);
    expect(d.steps[0]?.outputs.supplyValveOpen).toBe(true);
    const rec = expectTrip(d, 'FREEZE_TIME_LIMIT', 'Fault');
    expect(rec).toBe(d.steps[1]);
    expect(tripDetail(d, 'FREEZE_TIME_LIMIT')).toBe('site total 60.5 s, cap 60 s');
  });

  it('lets the operator acknowledge a capped site back to Idle: the cap blocks a start, not the console', () => {
    const patient = new NormalPatient({ startAtMs: null });
    const idle = drive(patient.script(), { settings: capped, durationMs: 1_000 });
    const atCap: ControllerState = { ...idle.state, cumulativeFreezeMs: 60_000 };
    const startMs = idle.lastMs + 20;
    const blocked = drive(patient.script((now) => ({ operator: { start: now === startMs } })), { settings: capped, state: atCap, durationMs: 1_000 });
    expectTrip(blocked, 'FREEZE_TIME_LIMIT', 'Fault');
    const ackMs = blocked.lastMs + 20;
    const acked = driveSteps(patient.script((now) => ({ operator: { acknowledge: now === ackMs } })), 2, { settings: capped, state: blocked.state });
    expect(acked.events.filter((e) => e.kind === 'refused')).toEqual([]);
    expect(acked.state.phase).toBe('Idle');
  });
});

describe('the loop timing at its edges', () => {
  function midFreeze() {
    const patient = new NormalPatient();
    const { at } = normalUntil(SETTINGS, inPhase('Freezing', 10_000), patient);
    return { patient, state: at.state, lastMs: at.lastMs };
  }

  it('does not take a step repeated at the same time for a clock going backwards', () => {
    const { patient, state, lastMs } = midFreeze();
    const d = drive(patient.script(), { settings: SETTINGS, state, startMs: lastMs, durationMs: 500 });
    expect(tripIds(d)).toEqual([]);
  });

  it('trips on a clock going backwards, naming by how much', () => {
    const { patient, state, lastMs } = midFreeze();
    const d = driveSteps(patient.script(), 1, { settings: SETTINGS, state, startMs: lastMs - 30 });
    expectTrip(d, 'LOOP_OVERRUN', 'Fault');
    expect(tripDetail(d, 'LOOP_OVERRUN')).toBe('clock went backwards by 30 ms');
  });

  it('refuses an acknowledge after a timing fault, however well the loop runs after: the console must be restarted', () => {
    const { patient, state, lastMs } = midFreeze();
    const stalled = driveSteps(patient.script(), 1, { settings: SETTINGS, state, startMs: lastMs + 250 });
    expectTrip(stalled, 'LOOP_OVERRUN', 'Fault');
    const calm = drive(patient.script(), { settings: SETTINGS, state: stalled.state, durationMs: 12_000 });
    const ackMs = calm.lastMs + 20;
    const acked = driveSteps(patient.script((now) => ({ operator: { acknowledge: now === ackMs } })), 2, { settings: SETTINGS, state: calm.state });
    expect(acked.state.phase).toBe('Fault');
    expect(acked.events.some((e) => e.kind === 'refused' && e.input === 'acknowledge')).toBe(true);
    expect(acked.state.interlocks.LOOP_OVERRUN.detail).toBe('controller timing fault: restart the console');
  });

  /** Steps after mid-freeze at the given gaps (the first from the last normal step), 40 ms being
   * a late step (the limit is a 20 ms period plus 5 ms tolerance). */
  function withGaps(gaps: readonly number[]) {
    const { patient, state, lastMs } = midFreeze();
    const times = gaps.map((_, i) => lastMs + gaps.slice(0, i + 1).reduce((a, b) => a + b, 0));
    const d = drive(patient.script(), { settings: SETTINGS, state, startMs: times[0], gapMs: (i) => gaps[i] ?? 20, durationMs: (times.at(-1) ?? 0) - (times[0] ?? 0) });
    expect(d.steps.map((r) => r.nowMs)).toEqual(times);
    return { d, times };
  }
  const punctual = (n: number): number[] => Array.from({ length: n }, () => 20);
  const late = (n: number): number[] => Array.from({ length: n }, () => 40);

  it('does not count a late step exactly loop.lateWindowMs old', () => {
    // A late step, then punctual ones, then nine late ones: the tenth late step lands exactly 10 s
    // after the first, which has then left the window (it counts steps within the last 10 s).
    const { d, times } = withGaps([...late(1), ...punctual(482), ...late(9)]);
    expect((times.at(-1) ?? 0) - (times[0] ?? 0)).toBe(10_000);
    expect(tripIds(d)).toEqual([]);
  });

  it('counts it one step less old: ten late steps within 10 s trip', () => {
    const { d, times } = withGaps([...late(1), ...punctual(481), ...late(9)]);
    expect((times.at(-1) ?? 0) - (times[0] ?? 0)).toBe(9_980);
    expect(expectTrip(d, 'LOOP_OVERRUN', 'Fault')).toBe(d.steps.at(-1));
  });

  it('keeps counting the late steps still in the window after an older one has left it', () => {
    // One late step, eight more 2 s later, and two after the first has left the window: ten late
    // steps within the last 10 s.
    const { d } = withGaps([...late(1), ...punctual(100), ...late(8), ...punctual(384), ...late(2)]);
    expect(expectTrip(d, 'LOOP_OVERRUN', 'Fault')).toBe(d.steps.at(-1));
    expect(tripDetail(d, 'LOOP_OVERRUN')).toBe('10 late steps in 10000 ms');
  });
});
