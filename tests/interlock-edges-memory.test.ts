// The stateful interlock rows at their thresholds (src/controller/interlock-memory/): the stuck
// sensor's span, window and thawed exemption, the warming owed after the supply closes, the
// cooling target and its hysteresis, and the return-pressure trend. Values are chosen exact in
// binary (0.25, 0.5, 2) so a reading exactly at a limit is exactly at it.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, parseSettings, withProtocol } from '../src/controller/settings.js';
import type { Settings } from '../src/controller/settings.js';
import type { ControllerState } from '../src/controller/state.js';
import type { ReadingOverrides } from './helpers/readings.js';
import { NormalPatient, SHORT_PROTOCOL, drive, expectTrip, gasPathOpen, inPhase, nominalReadings, normalUntil, tripDetail, tripStep as tripStepOf, trips } from './helpers/readings.js';

const SETTINGS = withProtocol(DEFAULT_SETTINGS, SHORT_PROTOCOL);
const FREEZE_MS = SHORT_PROTOCOL.freezeS * 1000;

const tripIds = (d: { events: Parameters<typeof trips>[0] }): string[] => trips(d.events).map((t) => t.id);

/** From 10 s into the first freeze (gas flowing, tip near -65 C), apply `o` for `durationMs`. */
function fromMidFreeze(o: (nowMs: number, t0Ms: number, state: ControllerState) => ReadingOverrides, durationMs: number, settings: Settings = SETTINGS) {
  const patient = new NormalPatient();
  const { at } = normalUntil(settings, inPhase('Freezing', 10_000), patient);
  expect(gasPathOpen(at.state.outputs)).toBe(true);
  const t0 = at.lastMs + 20;
  return { t0, lead: at, d: drive(patient.script((nowMs, state) => o(nowMs, t0, state)), { settings, state: at.state, durationMs }) };
}

describe('SENSOR_STUCK at its edges', () => {
  it('calls a reading stuck over exactly tip.stuckWindowMs, and names the span and the window', () => {
    const { d } = fromMidFreeze(() => ({ tipC: -62 }), 8_000);
    expectTrip(d, 'SENSOR_STUCK', 'Fault');
    expect(tripDetail(d, 'SENSOR_STUCK')).toBe('tip reading spanned only 0.000 C over 3000 ms in Freezing');
  });

  it('still calls a constant reading stuck when one sample in every 2 s is faulted: the bad sample is skipped', () => {
    const { d } = fromMidFreeze((now, t0) => ((now - t0) % 2_000 === 0 ? { tipC: -62, fault: 'open' } : { tipC: -62 }), 8_000);
    expect(tripIds(d)).toEqual(['SENSOR_STUCK']);
    expect(tripDetail(d, 'SENSOR_STUCK')).toMatch(/^tip reading spanned only 0\.000 C over /);
  });

  it('does not call a reading stuck whose span is exactly tip.stuckMinSpanC', () => {
    const span = parseSettings({ protocol: SHORT_PROTOCOL, tip: { stuckMinSpanC: 0.25 } });
    const { d } = fromMidFreeze((now) => ({ tipC: now % 40 === 0 ? -62 : -61.75 }), 10_000, span);
    expect(tripIds(d)).toEqual([]);
  });

  it('judges a tip held at exactly thaw.endTipC in the thaw: 0 C is not thawed, the reading must still move', () => {
    const { patient, at } = normalUntil(SETTINGS, inPhase('Thawing', 1_000));
    const d = drive(patient.script(() => ({ tipC: SETTINGS.thaw.endTipC })), { settings: SETTINGS, state: at.state, durationMs: 8_000 });
    expectTrip(d, 'SENSOR_STUCK', 'Fault');
    expect(tripDetail(d, 'SENSOR_STUCK')).toBe('tip reading spanned only 0.000 C over 3000 ms in Thawing');
  });

  it('does not judge a steady reading in Ready before the first freeze: nothing has cooled the tip', () => {
    // Dead-man: Ready waits for the footswitch, with a probe reading a steady 0 C (in iced saline).
    const deadman = parseSettings({ protocol: SHORT_PROTOCOL, footswitch: { deadman: true } });
    const d = drive((now) => nominalReadings(now, { tipC: 0, operator: { start: now === 0 } }), { settings: deadman, durationMs: 10_000 });
    expect(d.state.phase).toBe('Ready');
    expect(d.state.cyclesBegun).toBe(0);
    expect(tripIds(d)).toEqual([]);
  });

  it('judges a steady cold reading in Ready before a resumed freeze: the tip must warm there', () => {
    const twoCycles = withProtocol(DEFAULT_SETTINGS, { cycles: 2, freezeS: 30, thawS: 20 });
    const patient = new NormalPatient();
    const { at } = normalUntil(twoCycles, inPhase('Freezing', 10_000), patient);
    const t0 = at.lastMs + 20;
    const o = (now: number): ReadingOverrides => ({ tipC: -30, operator: { stop: now === t0, start: now === t0 + 1_000 } });
    const d = drive(patient.script(o), { settings: twoCycles, state: at.state, durationMs: 12_000 });
    expectTrip(d, 'SENSOR_STUCK', 'Fault');
    expect(tripDetail(d, 'SENSOR_STUCK')).toMatch(/ in Ready$/);
  });

  it('calls a reading stuck at body temperature while the gas flows a stuck sensor, long before the cooling deadline', () => {
    const patient = new NormalPatient();
    const d = drive(patient.script((_now, s) => (s.phase === 'Freezing' ? { tipC: 37 } : {})), { settings: SETTINGS, durationMs: 30_000 });
    expect(tripIds(d)[0]).toBe('SENSOR_STUCK');
    const openedMs = d.steps.find((r) => r.state.phase === 'Freezing')?.nowMs ?? Number.NaN;
    expect((tripStepOf(d, 'SENSOR_STUCK')?.nowMs ?? Number.NaN) - openedMs).toBeLessThanOrEqual(2 * SETTINGS.tip.stuckWindowMs);
  });

  it('does not hold a steady reading in Idle against the probe: a treatment started after it runs', () => {
    const patient = new NormalPatient({ startAtMs: 10_000 });
    const d = drive(patient.script((now) => (now < 10_000 ? { tipC: 22 } : {})), { settings: SETTINGS, until: inPhase('Freezing', 5_000) });
    expect(d.state.phase).toBe('Freezing');
    expect(tripIds(d)).toEqual([]);
  });
});

/**
 * A normal freeze whose tip reads exactly -64 C on its last open steps and `afterC` once the
 * supply has closed, on a board with (returnBarAbs 1 atm, no flow) or without (null) a return
 * transducer; run until 500 ms into the thaw or a trip.
 */
function closeWithWarming(afterC: number, returnBarAbs: number | null) {
  const patient = new NormalPatient();
  const o = (_now: number, s: ControllerState): ReadingOverrides => {
    if (s.sub === 'freeze-verify-closed' || s.phase === 'Thawing') return { tipC: afterC, returnBarAbs };
    return s.sub === 'freeze-open' && s.cycleFreezeMs >= FREEZE_MS - 60 ? { tipC: -64 } : {};
  };
  const d = drive(patient.script(o), { settings: SETTINGS, until: (r) => r.state.phase === 'Fault' || inPhase('Thawing', 500)(r) });
  const closing = d.steps.find((r) => r.state.sub === 'freeze-verify-closed');
  expect(closing?.state.tipAtSubStartC).toBe(-64);
  return d;
}

describe('the warming owed after the supply closes', () => {
  it('takes a tip warming exactly 0.5 C as warming, with a fitted return line showing no flow', () => {
    const d = closeWithWarming(-63.5, 1.013);
    expect(d.state.phase).toBe('Thawing');
    expect(tripIds(d)).toEqual([]);
  });

  it('takes a tip warming exactly 0.5 C as warming on a board without a return transducer', () => {
    const d = closeWithWarming(-63.5, null);
    expect(d.state.phase).toBe('Thawing');
    expect(tripIds(d)).toEqual([]);
  });

  it('calls a tip warming only 0.25 C a stuck valve, and only that, on a board without a return transducer', () => {
    const d = closeWithWarming(-63.75, null);
    expect(tripIds(d)).toEqual(['VALVE_FAILURE']);
    expect(tripDetail(d, 'VALVE_FAILURE')).toBe('tip warmed only 0.25 C in 1500 ms after the supply valve closed');
  });

  it('calls a tip warming only 0.25 C with no flow in a fitted return line a stuck sensor, and only that', () => {
    const d = closeWithWarming(-63.75, 1.013);
    expect(tripIds(d)).toEqual(['SENSOR_STUCK']);
    expect(tripDetail(d, 'SENSOR_STUCK')).toBe('tip warmed only 0.25 C in 1500 ms after the supply valve closed, with no flow in the return line');
  });
});

describe('INSUFFICIENT_COOLING at its edges', () => {
  it('trips when the tip only ever reaches exactly -50 C: the target is "below -50 C"', () => {
    const patient = new NormalPatient();
    const held = (now: number, s: ControllerState): ReadingOverrides =>
      s.phase === 'Freezing' && patient.tipTrueC <= -50 ? { tipC: now % 40 === 0 ? -50 : -49.75 } : {};
    const d = drive(patient.script(held), { settings: SETTINGS, durationMs: 40_000 });
    const rec = expectTrip(d, 'INSUFFICIENT_COOLING', 'Fault');
    const openedMs = d.steps.find((r) => r.state.phase === 'Freezing')?.nowMs ?? Number.NaN;
    expect(rec.nowMs).toBe(openedMs + 21_000);
    expect(tripDetail(d, 'INSUFFICIENT_COOLING')).toMatch(/^tip -(50\.00|49\.75) C not below -50 C after 21\.0 s$/);
  });

  it('does not count a faulted sample as the tip reaching the target: the ice ball that never formed is still reported', () => {
    const patient = new NormalPatient({ coldTipC: -45 });
    const glitch = (now: number, s: ControllerState): ReadingOverrides => (s.freezeOpenedMs !== null && now - s.freezeOpenedMs === 5_000 ? { fault: 'open' } : {});
    const d = drive(patient.script(glitch), { settings: SETTINGS, durationMs: 40_000 });
    const rec = expectTrip(d, 'INSUFFICIENT_COOLING', 'Fault');
    const openedMs = d.steps.find((r) => r.state.phase === 'Freezing')?.nowMs ?? Number.NaN;
    expect(rec.nowMs).toBe(openedMs + 21_000);
    expect(tripDetail(d, 'INSUFFICIENT_COOLING')).toMatch(/^tip -4\d\.\d\d C not below -50 C after 21\.0 s$/);
  });

  it('names the tip as unknown when its sample is faulted on the step the cooling is judged', () => {
    const patient = new NormalPatient({ coldTipC: -45 });
    const glitch = (now: number, s: ControllerState): ReadingOverrides => (s.freezeOpenedMs !== null && now - s.freezeOpenedMs === 21_000 ? { fault: 'open' } : {});
    const d = drive(patient.script(glitch), { settings: SETTINGS, durationMs: 40_000 });
    expectTrip(d, 'INSUFFICIENT_COOLING', 'Fault');
    expect(tripDetail(d, 'INSUFFICIENT_COOLING')).toBe('tip unknown C not below -50 C after 21.0 s');
  });

  it('does not trip with the tip warmed back to exactly target + hysteresis (-47 C)', () => {
    const { d } = fromMidFreeze((now) => ({ tipC: now % 60 === 0 ? -47.25 : -47 }), 5_000);
    expect(tripIds(d)).toEqual([]);
  });

  it('judges a freeze shorter than cooling.withinS before it ends, leaving time for the debounce', () => {
    // freezeS 10 < withinS 20: judged from 10 s - 1 s debounce - 2 periods = 8.96 s, trips 1 s later.
    const short = withProtocol(DEFAULT_SETTINGS, { cycles: 1, freezeS: 10, thawS: 10 });
    const d = drive(new NormalPatient({ coldTipC: -45 }).script(), { settings: short, durationMs: 20_000 });
    const rec = expectTrip(d, 'INSUFFICIENT_COOLING', 'Fault');
    const openedMs = d.steps.find((r) => r.state.phase === 'Freezing')?.nowMs ?? Number.NaN;
    expect(rec.nowMs).toBe(openedMs + 9_960);
    expect(tripDetail(d, 'INSUFFICIENT_COOLING')).toMatch(/^tip -4\d\.\d\d C not below -50 C after 10\.0 s$/);
  });

  it('judges a short freeze under a settings file\'s own debounce for the row', () => {
    const short = parseSettings({ protocol: { cycles: 1, freezeS: 10, thawS: 10 }, debounceMs: { INSUFFICIENT_COOLING: 2_000 } });
    const d = drive(new NormalPatient({ coldTipC: -45 }).script(), { settings: short, durationMs: 20_000 });
    const rec = expectTrip(d, 'INSUFFICIENT_COOLING', 'Fault');
    const openedMs = d.steps.find((r) => r.state.phase === 'Freezing')?.nowMs ?? Number.NaN;
    expect(rec.nowMs).toBe(openedMs + 9_960);
  });
});

describe('the return-pressure trend at its edges', () => {
  // Steps once per trend window, aligned with the row's own window: every judged window sees the
  // return rise by exactly `riseBar` and the tip warm by exactly `warmC`.
  const TREND = parseSettings({ protocol: SHORT_PROTOCOL, pressure: { returnRiseBar: 0.25 } });
  function trend(riseBar: number, warmC: number, durationMs: number) {
    const patient = new NormalPatient();
    const { at } = normalUntil(TREND, inPhase('Freezing', 10_000), patient);
    const refMs = at.state.memory.RETURN_LINE_BLOCKED.ref?.refMs ?? Number.NaN;
    const windowMs = TREND.pressure.trendWindowMs;
    const script = patient.script((now) => {
      const k = Math.floor((now - refMs) / windowMs);
      return { returnBarAbs: 1.5 + riseBar * k, tipC: -64 + warmC * k };
    });
    return { refMs, d: drive(script, { settings: TREND, state: at.state, durationMs }) };
  }

  it('does not call a rise of exactly pressure.returnRiseBar per window a blockage', () => {
    const { d } = trend(0.25, 2.5, 5_000);
    expect(tripIds(d)).toEqual([]);
  });

  it('does not call a tip warming by exactly pressure.tipWarmingC per window a blockage', () => {
    const { d } = trend(0.5, 2, 3_000);
    expect(tripIds(d)).toEqual([]);
  });

  it('judges the trend at the end of each window and trips after its 200 ms debounce', () => {
    // The first window starts from the normal run's 1.9 bar: the return falls; the second rises.
    const { refMs, d } = trend(0.5, 2.5, 3_000);
    const rec = expectTrip(d, 'RETURN_LINE_BLOCKED', 'Fault');
    expect(rec.nowMs).toBe(refMs + 2 * TREND.pressure.trendWindowMs + 200);
    expect(tripDetail(d, 'RETURN_LINE_BLOCKED')).toBe('return pressure rising while the tip warms');
  });
});

describe('SENSOR_STUCK and the probe', () => {
  it('keeps the suspicion through an acknowledge, and clears it when the probe is swapped', () => {
    const patient = new NormalPatient();
    const { at } = normalUntil(SETTINGS, inPhase('Freezing', 10_000), patient);
    const stuck = drive(patient.script(() => ({ tipC: -62 })), { settings: SETTINGS, state: at.state, until: (r) => r.state.phase === 'Fault', durationMs: 8_000 });
    expectTrip(stuck, 'SENSOR_STUCK', 'Fault');
    const ack = (state: ControllerState, o: ReadingOverrides = {}) => {
      const ackMs = (state.lastStepMs ?? 0) + 20;
      return drive(patient.script((now) => ({ ...o, operator: { acknowledge: now === ackMs } })), { settings: SETTINGS, state, durationMs: 40 });
    };
    const refused = ack(stuck.state);
    expect(refused.state.phase).toBe('Fault');
    expect(refused.events.some((e) => e.kind === 'refused' && e.input === 'acknowledge')).toBe(true);
    const swapped = drive(patient.script((now) => ({ probePresent: now >= refused.lastMs + 500 })), { settings: SETTINGS, state: refused.state, durationMs: 1_000 });
    expect(ack(swapped.state).state.phase).toBe('Idle');
  });
});
