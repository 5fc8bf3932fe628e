// Freeze-effect interlocks: insufficient cooling, a valve that does not shut, and freeze time limits.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, parseSettings, withProtocol } from '../src/controller/settings.js';
import type { Settings } from '../src/controller/settings.js';
import type { ControllerState } from '../src/controller/state.js';
import type { Drive } from './helpers/readings.js';
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
const FREEZE_MS = SHORT_PROTOCOL.freezeS * 1000;
const GRACE_MS = DEFAULT_SETTINGS.freezeLimit.perCycleGraceMs;

describe('INSUFFICIENT_COOLING', () => {
  it('trips when the tip has not reached -50 C 20 s after the valve opened (plus its 1 s debounce)', () => {
    const patient = new NormalPatient({ coldTipC: -45 });
    const d = drive(patient.script(), { settings: SETTINGS, durationMs: 40_000 });
    const rec = expectTrip(d, 'INSUFFICIENT_COOLING', 'Fault');
    const openedMs = d.steps.find((r) => r.state.phase === 'Freezing')?.nowMs ?? Number.NaN;
    expect(rec.nowMs).toBe(openedMs + 21_000);
    expect(tripDetail(d, 'INSUFFICIENT_COOLING')).toMatch(/^tip -4\d\.\d\d C not below -50 C after 21\.0 s$/);
  });

  it('trips when the tip warms back above target + hysteresis during the freeze', () => {
    const { patient, at } = normalUntil(SETTINGS, inPhase('Freezing', 10_000));
    const t0 = at.lastMs + 20;
    const d = drive(patient.script(() => ({ tipC: -46 })), { settings: SETTINGS, state: at.state, durationMs: 2_000 });
    const rec = expectTrip(d, 'INSUFFICIENT_COOLING', 'Fault');
    expect(rec.nowMs).toBe(t0 + 1_000);
    expect(tripDetail(d, 'INSUFFICIENT_COOLING')).toBe('tip warmed back to -46.0 C during the freeze');
  });

  it('does not trip when the tip first reaches -50 C just before the 20 s deadline', () => {
    const patient = new NormalPatient();
    const late = (now: number, s: ControllerState) =>
      s.freezeOpenedMs !== null && now - s.freezeOpenedMs < 19_900 ? { tipC: -49 + 0.1 * Math.sin(now / 100) } : {};
    const d = drive(patient.script(late), { settings: SETTINGS, until: inPhase('Complete') });
    expect(d.state.phase).toBe('Complete');
    expect(trips(d.events)).toEqual([]);
  });

  it('does not trip when the tip reaches -50 C within the 1 s debounce after the deadline', () => {
    const patient = new NormalPatient();
    const late = (now: number, s: ControllerState) =>
      s.freezeOpenedMs !== null && now - s.freezeOpenedMs < 20_900 ? { tipC: -49 + 0.1 * Math.sin(now / 100) } : {};
    const d = drive(patient.script(late), { settings: SETTINGS, until: inPhase('Complete') });
    expect(trips(d.events)).toEqual([]);
  });

  it('does not trip when the tip warms back to just inside the hysteresis band', () => {
    const { patient, at } = normalUntil(SETTINGS, inPhase('Freezing', 10_000));
    const d = drive(patient.script((now) => ({ tipC: -47.1 + 0.05 * Math.sin(now / 100) })), {
      settings: SETTINGS,
      state: at.state,
      durationMs: 5_000,
    });
    expect(trips(d.events)).toEqual([]);
  });

  it('does not trip when the tip warms back above the band for one step less than its debounce', () => {
    const { patient, at } = normalUntil(SETTINGS, inPhase('Freezing', 10_000));
    const t0 = at.lastMs + 20;
    const d = drive(patient.script((now) => (now < t0 + 1_000 ? { tipC: -46 } : {})), { settings: SETTINGS, state: at.state, durationMs: 3_000 });
    expect(trips(d.events)).toEqual([]);
  });
});

/** The normal run up to the step where the supply valve closes at the end of the first freeze. */
function atFreezeEnd(settings: Settings = SETTINGS) {
  const { patient, at } = normalUntil(settings, (r) => r.state.sub === 'freeze-verify-closed');
  expect(at.state.outputs.supplyValveOpen).toBe(false);
  expect(at.state.outputs.safetyValveOpen).toBe(true);
  return { patient, at, closedMs: at.lastMs };
}

describe('VALVE_FAILURE', () => {
  it('trips when the return line still shows flow 1.5 s after the supply valve closed (plus its debounce)', () => {
    const { patient, at, closedMs } = atFreezeEnd();
    const d = drive(patient.script(() => ({ returnBarAbs: RETURN_FLOWING_BAR, tipC: -65 })), { settings: SETTINGS, state: at.state, durationMs: 3_000 });
    const rec = expectTrip(d, 'VALVE_FAILURE', 'Fault');
    expect(rec.nowMs).toBe(closedMs + 1_600);
    // The safety valve was still open the step before: the trip is what closed it.
    const before = d.steps[d.steps.indexOf(rec) - 1];
    expect(before?.outputs.safetyValveOpen).toBe(true);
    expect(tripDetail(d, 'VALVE_FAILURE')).toBe('return 1.90 bar shows flow with a valve closed');
  });

  it('trips when the tip keeps cooling through the verify window after the supply valve closed', () => {
    const { patient, at, closedMs } = atFreezeEnd();
    // No return transducer on this board: only the tip can show the valve stuck open.
    const d = drive(patient.script((now) => ({ returnBarAbs: null, tipC: -65 - (now - closedMs) / 1000 })), {
      settings: SETTINGS,
      state: at.state,
      durationMs: 3_000,
    });
    const rec = expectTrip(d, 'VALVE_FAILURE', 'Fault');
    expect(rec.nowMs).toBe(closedMs + 1_600);
    expect(tripDetail(d, 'VALVE_FAILURE')).toMatch(/^tip warmed only -1\.\d\d C in 1500 ms after the supply valve closed$/);
  });

  it('trips when a single-valve self-test window shows flow', () => {
    const patient = new NormalPatient();
    const d = drive(patient.script((_now, s) => (s.sub === 'selftest-safety-only' ? { returnBarAbs: RETURN_FLOWING_BAR } : {})), {
      settings: SETTINGS,
      durationMs: 3_000,
    });
    const rec = expectTrip(d, 'VALVE_FAILURE', 'Fault');
    expect(rec.state.cycle).toBe(0);
    expect(d.steps.some((r) => gasPathOpen(r.outputs))).toBe(false);
  });

  it('trips on flow with both valves closed long after the treatment', () => {
    const patient = new NormalPatient();
    const complete = drive(patient.script(), { settings: SETTINGS, until: inPhase('Complete', 2_000) });
    const d = drive(patient.script(() => ({ returnBarAbs: RETURN_FLOWING_BAR })), { settings: SETTINGS, state: complete.state, durationMs: 1_000 });
    expectTrip(d, 'VALVE_FAILURE', 'Fault');
  });

  it('does not trip on flow that dies away within the 1.5 s verify time', () => {
    const { patient, at, closedMs } = atFreezeEnd();
    const d = drive(patient.script((now) => (now < closedMs + 1_400 ? { returnBarAbs: RETURN_FLOWING_BAR } : {})), {
      settings: SETTINGS,
      until: inPhase('Complete'),
      state: at.state,
    });
    expect(d.state.phase).toBe('Complete');
    expect(trips(d.events)).toEqual([]);
  });

  it('does not trip when the tip warms 0.6 C in the verify window', () => {
    const { patient, at } = atFreezeEnd();
    const startC = at.state.tipAtSubStartC ?? Number.NaN;
    const d = drive(patient.script((_now, s) => (s.sub === 'freeze-verify-closed' ? { tipC: startC + 0.6 } : {})), {
      settings: SETTINGS,
      state: at.state,
      durationMs: 3_000,
    });
    expect(d.state.phase).toBe('Thawing');
    expect(trips(d.events)).toEqual([]);
  });

  it('trips when the tip warms only 0.4 C in the verify window on a board without a return transducer', () => {
    const { patient, at } = atFreezeEnd();
    const startC = at.state.tipAtSubStartC ?? Number.NaN;
    const d = drive(patient.script((_now, s) => (s.sub === 'freeze-verify-closed' ? { tipC: startC + 0.4, returnBarAbs: null } : {})), {
      settings: SETTINGS,
      state: at.state,
      durationMs: 3_000,
    });
    expectTrip(d, 'VALVE_FAILURE', 'Fault');
  });

  it('calls a tip that warms only 0.4 C with no flow in the return line a stuck sensor, not a stuck valve', () => {
    const { patient, at } = atFreezeEnd();
    const startC = at.state.tipAtSubStartC ?? Number.NaN;
    const d = drive(patient.script((now, s) => (s.sub === 'freeze-verify-closed' ? { tipC: startC + 0.4 + 0.01 * Math.sin(now) } : {})), {
      settings: SETTINGS,
      state: at.state,
      durationMs: 3_000,
    });
    expectTrip(d, 'SENSOR_STUCK', 'Fault');
    expect(trips(d.events).map((t) => t.id)).toEqual(['SENSOR_STUCK']);
    expect(tripDetail(d, 'SENSOR_STUCK')).toMatch(/^tip warmed only 0\.\d\d C in 1500 ms after the supply valve closed, with no flow in the return line$/);
  });
});

/** Mid-freeze state with the cycle's freeze time set to `cycleFreezeMs` (as after a late loop). */
function craftedFreeze(cycleFreezeMs: number, settings: Settings = SETTINGS) {
  const { patient, at } = normalUntil(settings, inPhase('Freezing', 10_000));
  const state: ControllerState = { ...at.state, cycleFreezeMs };
  return { patient, state };
}

function pressStopAfter(d: Drive, patient: NormalPatient, settings: Settings): Drive {
  const stopMs = d.lastMs + 20;
  return driveSteps(patient.script((now) => ({ operator: { stop: now === stopMs } })), 2, { settings, state: d.state });
}

describe('FREEZE_TIME_LIMIT', () => {
  it('trips when a cycle has run longer than freezeS + grace, closing both valves in that step', () => {
    const { patient, state } = craftedFreeze(FREEZE_MS + GRACE_MS - 10);
    const d = driveSteps(patient.script(), 1, { settings: SETTINGS, state });
    expect(gasPathOpen(state.outputs)).toBe(true);
    expectTrip(d, 'FREEZE_TIME_LIMIT', 'Fault');
    expect(tripDetail(d, 'FREEZE_TIME_LIMIT')).toBe('freeze ran 30.51 s, limit 30.50 s');
  });

  it('does not trip on a cycle that reaches exactly freezeS + grace; the supply closes instead', () => {
    const { patient, state } = craftedFreeze(FREEZE_MS + GRACE_MS - 20);
    const d = driveSteps(patient.script(), 1, { settings: SETTINGS, state });
    expect(trips(d.events)).toEqual([]);
    expect(d.state.cycleFreezeMs).toBe(FREEZE_MS + GRACE_MS);
    expect(d.steps[0]?.outputs.supplyValveOpen).toBe(false);
  });

  it('trips (with LOOP_OVERRUN) when a loop stall carries the freeze past its limit', () => {
    const { patient, at } = normalUntil(SETTINGS, (r) => r.state.phase === 'Freezing' && r.state.cycleFreezeMs >= FREEZE_MS - 100);
    const d = driveSteps(patient.script(), 1, { settings: SETTINGS, state: at.state, startMs: at.lastMs + 700 });
    expectTrip(d, 'FREEZE_TIME_LIMIT', 'Fault');
    expect(trips(d.events).map((t) => t.id).sort()).toEqual(['FREEZE_TIME_LIMIT', 'LOOP_OVERRUN']);
  });

  // The per-cycle condition must not stay "present" once the valves are closed (the cycle's freeze
  // time only resets when a new freeze begins): else every acknowledge would be refused and the
  // console could never leave Fault without a restart.
  it('lets a per-cycle freeze-time trip be acknowledged once the valves are closed', () => {
    const { patient, state } = craftedFreeze(FREEZE_MS + GRACE_MS - 10);
    const tripped = driveSteps(patient.script(), 1, { settings: SETTINGS, state });
    expect(tripped.state.phase).toBe('Fault');
    const later = drive(patient.script(), { settings: SETTINGS, state: tripped.state, durationMs: 2_000 });
    const ackMs = later.lastMs + 20;
    const acked = driveSteps(patient.script((now) => ({ operator: { acknowledge: now === ackMs } })), 2, { settings: SETTINGS, state: later.state });
    expect(acked.events.filter((e) => e.kind === 'refused')).toEqual([]);
    expect(acked.state.phase).toBe('Idle');
  });

  describe('cumulative cap per site', () => {
    const capped = parseSettings({ protocol: { cycles: 2, freezeS: 30, thawS: 20 }, freezeLimit: { cumulativeMaxS: 60 } });

    /** Start (from Idle or Stopped) and freeze until the cycle has run `freezeMs`, then stop. */
    function freezeAndStop(patient: NormalPatient, state: ControllerState | undefined, freezeMs: number): Drive {
      const lastStepMs = state?.lastStepMs ?? null;
      const startMs = lastStepMs === null ? 0 : lastStepMs + 20;
      const run = drive(patient.script((now) => ({ operator: { start: now === startMs } })), {
        settings: capped,
        ...(state === undefined ? {} : { state }),
        until: (r) => r.state.phase === 'Fault' || (r.state.phase === 'Freezing' && r.state.cycleFreezeMs >= freezeMs),
        durationMs: 60_000,
      });
      if (run.state.phase === 'Fault') return run;
      return pressStopAfter(run, patient, capped);
    }

    // Within a site the cycles carry across stops, so cycles x freezeS (<= the cap, by the schema)
    // bounds the total; the cap is the backstop for what slips past that (late loops, grace).
    it('trips when a resumed freeze takes the site total past the cap', () => {
      const patient = new NormalPatient({ startAtMs: null });
      const first = freezeAndStop(patient, undefined, 25_000);
      expect(first.state.phase).toBe('Stopped');
      const crafted: ControllerState = { ...first.state, cumulativeFreezeMs: 50_000 };
      const resumeAt = drive(patient.script(), { settings: capped, state: crafted, durationMs: capped.protocol.thawS * 1000 });
      const third = freezeAndStop(patient, resumeAt.state, 29_000);
      const rec = expectTrip(third, 'FREEZE_TIME_LIMIT', 'Fault');
      // The cap (60 s) plus the per-cycle grace: the third freeze ends about 10.5 s in.
      expect(rec.state.cumulativeFreezeMs).toBeGreaterThan(60_500);
      expect(rec.state.cumulativeFreezeMs).toBeLessThanOrEqual(60_520);
      expect(tripDetail(third, 'FREEZE_TIME_LIMIT')).toBe('site total 60.5 s, cap 60 s');
    });

    it('blocks a new start at a site whose total has reached the cap, before any valve opens', () => {
      const patient = new NormalPatient({ startAtMs: null });
      const first = freezeAndStop(patient, undefined, 20_000).state;
      const state: ControllerState = { ...first, cumulativeFreezeMs: 60_000 };
      const restartMs = (state.lastStepMs ?? 0) + 20;
      const d = drive(patient.script((now) => ({ operator: { start: now === restartMs } })), { settings: capped, state, durationMs: 3_000 });
      expectTrip(d, 'FREEZE_TIME_LIMIT', 'Fault');
      expect(d.steps.some((r) => r.outputs.supplyValveOpen || r.outputs.safetyValveOpen)).toBe(false);
    });

    it('does not trip when a completed site is followed by new site and a new treatment (the total starts again)', () => {
      const exact = parseSettings({ protocol: { cycles: 2, freezeS: 30, thawS: 10 }, freezeLimit: { cumulativeMaxS: 60 } });
      const patient = new NormalPatient();
      const first = drive(patient.script(), { settings: exact, until: inPhase('Complete') });
      expect(first.state.phase).toBe('Complete');
      const safe = drive(patient.script(), { settings: exact, state: first.state, until: (r) => r.state.safeToWithdraw });
      const movedMs = safe.lastMs + 20;
      const moved = driveSteps(patient.script((now) => ({ operator: { newSite: now === movedMs } })), 2, { settings: exact, state: safe.state });
      expect(moved.state.cumulativeFreezeMs).toBe(0);
      const restartMs = moved.lastMs + 20;
      const second = drive(patient.script((now) => ({ operator: { start: now === restartMs } })), {
        settings: exact,
        state: moved.state,
        until: (r) => r.nowMs > restartMs && r.state.phase === 'Complete',
      });
      expect(second.steps.some((r) => r.state.phase === 'Freezing')).toBe(true);
      expect(second.state.phase).toBe('Complete');
      expect(trips([...first.events, ...second.events])).toEqual([]);
    });
  });
});
