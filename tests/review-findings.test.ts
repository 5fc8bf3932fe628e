// The safety findings of the adversarial review (issue 7): each test failed before its fix.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, parseSettings, SettingsError, withProtocol } from '../src/controller/settings.js';
import type { ControllerState } from '../src/controller/state.js';
import { step } from '../src/controller/step.js';
import { unknownTipWaitMs, withdrawalStatus } from '../src/controller/withdrawal.js';
import { simulateTreatment } from '../src/sim/runner.js';
import type { Drive, ReadingOverrides } from './helpers/readings.js';
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
  phaseEvents,
  tripDetail,
  trips,
} from './helpers/readings.js';

const SETTINGS = withProtocol(DEFAULT_SETTINGS, SHORT_PROTOCOL);
const TWO_CYCLES = withProtocol(DEFAULT_SETTINGS, { cycles: 2, freezeS: 30, thawS: 20 });
const DWELL_MS = DEFAULT_SETTINGS.thaw.withdrawDwellMs;

/** From 10 s into the first freeze, apply `o` on every step for `durationMs`. */
function fromMidFreeze(o: (nowMs: number, t0: number) => ReadingOverrides, durationMs: number, settings = SETTINGS) {
  const patient = new NormalPatient();
  const { at } = normalUntil(settings, inPhase('Freezing', 10_000), patient);
  const t0 = at.lastMs + 20;
  return { patient, t0, d: drive(patient.script((now) => o(now, t0)), { settings, state: at.state, durationMs }) };
}

function pressAt(atMs: number, button: 'start' | 'stop' | 'acknowledge' | 'newSite', extra: ReadingOverrides = {}) {
  return (now: number): ReadingOverrides => ({ ...extra, operator: { ...extra.operator, [button]: now === atMs } });
}

describe('H1: never safe to withdraw from a reading the controller does not trust', () => {
  it('shows the tip as unknown, with a wait from the last gas flow, after the sensor is found stuck warm', () => {
    // The review's case: stuck at 37 C from the start; the true tip is frozen meanwhile.
    const patient = new NormalPatient();
    const d = drive(patient.script(() => ({ tipC: 37 })), { settings: SETTINGS, durationMs: 30_000 });
    const rec = expectTrip(d, 'SENSOR_STUCK', 'Fault');
    expect(d.steps.some((r) => r.state.safeToWithdraw)).toBe(false);
    const status = withdrawalStatus(d.state, SETTINGS, d.lastMs);
    expect(status).toMatchObject({ kind: 'tip-unknown', waitOver: false });
    expect(status.kind === 'tip-unknown' ? status.waitUntilMs : 0).toBe((rec.state.gasLastFlowedMs ?? Number.NaN) + unknownTipWaitMs(SETTINGS, d.state.cumulativeFreezeMs));
    expect(status.kind === 'tip-unknown' ? status.reason : '').toMatch(/^SENSOR_STUCK: tip reading spanned only 0\.000 C/);
  });

  it('never declares it from a reading stuck warm when the freeze stopped before the stuck check could judge it', () => {
    // Found by the fuzzer (seed 3962): stuck at 37 C from the start, stop 1 s into the gas flow.
    const patient = new NormalPatient();
    const flowing = drive(patient.script(() => ({ tipC: 37 })), { settings: SETTINGS, until: inPhase('Freezing', 1_000) });
    const stopMs = flowing.lastMs + 20;
    const d = drive(patient.script(pressAt(stopMs, 'stop', { tipC: 37 })), { settings: SETTINGS, state: flowing.state, durationMs: 60_000 });
    expect(d.state.phase).toBe('Stopped');
    expect(d.steps.some((r) => r.state.safeToWithdraw)).toBe(false);
    expect(withdrawalStatus(d.state, SETTINGS, d.lastMs)).toMatchObject({ kind: 'tip-unknown', reason: expect.stringMatching(/^tip reading constant at 37\.00 C/) as unknown });
    expect(d.events).toContainEqual(expect.objectContaining({ kind: 'tip-unknown' }));
  });

  it.each([
    ['THERMOCOUPLE_FAULT', { fault: 'open' }],
    ['SENSOR_STALE', { tipAtMs: 0 }],
    ['TIP_BELOW_PHYSICAL_FLOOR', { tipC: -95 }],
  ])('after %s mid-freeze, a warm reading later never declares SAFE TO WITHDRAW', (id, fault) => {
    const { patient, t0, d } = fromMidFreeze((now, start) => (now < start + 1_000 ? fault : {}), 1_000);
    expect(trips(d.events)[0]?.id).toBe(id);
    // The fault clears, the reading warms: still not trusted to say the tip has thawed.
    const later = drive(patient.script(() => ({ tipC: 30 })), { settings: SETTINGS, state: d.state, durationMs: unknownTipWaitMs(SETTINGS, d.state.cumulativeFreezeMs) + 10_000 });
    expect(later.steps.some((r) => r.state.safeToWithdraw)).toBe(false);
    expect(withdrawalStatus(later.state, SETTINGS, later.lastMs)).toMatchObject({ kind: 'tip-unknown', waitOver: true });
    expect(t0).toBeGreaterThan(0);
  });

  it('reports the unknown tip and its wait in the simulate summary, and ends the run when the wait is over', () => {
    const summary = simulateTreatment({ settings: DEFAULT_SETTINGS, seed: 1, faults: [{ kind: 'tc-stuck', atMs: 0, durationMs: null }] });
    expect(summary.safeToWithdrawAtS).toBeNull();
    expect(summary.tipUnknown?.reason).toMatch(/^SENSOR_STUCK: /);
    expect(summary.simulatedS).toBe(summary.tipUnknown?.waitUntilS);
    expect(summary.timedOut).toBe(false);
  });

  it('trusts the reading again when a new treatment starts after the fault is acknowledged', () => {
    const { patient, d } = fromMidFreeze((now, start) => (now < start + 1_000 ? { fault: 'open' } : {}), 1_000, TWO_CYCLES);
    const ackMs = d.lastMs + 20;
    const idle = driveSteps(patient.script(pressAt(ackMs, 'acknowledge')), 2, { settings: TWO_CYCLES, state: d.state });
    expect(idle.state.phase).toBe('Idle');
    const startMs = idle.lastMs + 20;
    const started = driveSteps(patient.script(pressAt(startMs, 'start')), 2, { settings: TWO_CYCLES, state: idle.state });
    expect(started.state.phase).toBe('SelfTest');
    expect(started.state.tipDistrust).toBeNull();
  });
});

describe('H2: no setting switches off a safety function', () => {
  it.each(['OPERATOR_STOP', 'EMERGENCY_STOP', 'LOOP_OVERRUN', 'FREEZE_TIME_LIMIT', 'HAL_FAULT', 'SENSOR_STALE', 'SENSOR_STUCK', 'CALIBRATION_INVALID'])(
    'refuses any debounce for the edge row %s, naming it',
    (id) => {
      expect(() => parseSettings({ debounceMs: { [id]: 20 } }, 's.json')).toThrow(SettingsError);
      expect(() => parseSettings({ debounceMs: { [id]: 20 } }, 's.json')).toThrow(new RegExp(`^s\\.json: debounceMs\\.${id}: ${id} cannot be debounced: `));
    },
  );

  it('accepts a zero debounce for an edge row (it changes nothing)', () => {
    expect(parseSettings({ debounceMs: { OPERATOR_STOP: 0 } }).debounceMs).toEqual({ OPERATOR_STOP: 0 });
  });

  it('refuses a debounce above the row maximum, naming both', () => {
    expect(() => parseSettings({ debounceMs: { TIP_BELOW_ABSOLUTE_LIMIT: 600 } }, 's.json')).toThrow(
      's.json: debounceMs.TIP_BELOW_ABSOLUTE_LIMIT: TIP_BELOW_ABSOLUTE_LIMIT debounce 600 ms is above its maximum 500 ms',
    );
  });

  it.each([
    ['loop', 'maxGapMs', 250],
    ['tip', 'staleMs', 251],
    ['pressure', 'returnFlowBar', 1.6],
    ['tip', 'floorMarginC', 5.5],
    ['pressure', 'ambientBarAbs', 0.5],
    ['tip', 'stuckMinSpanC', 0],
    ['thaw', 'endTipC', 37],
    ['thaw', 'endTipC', -1],
  ])('refuses %s.%s = %d, which would blind its check', (section, field, value) => {
    expect(() => parseSettings({ [section]: { [field]: value } }, 's.json')).toThrow(new RegExp(`^s\\.json: ${section}\\.${field}: `));
  });

  it('stops a freeze in the tick stop is pressed even with a stored debounce for the row (second line of defence)', () => {
    // A settings object built around the schema (it would refuse this): the step still ignores it.
    const forced = { ...SETTINGS, debounceMs: { OPERATOR_STOP: 5_000 } };
    const { patient, at } = normalUntil(SETTINGS, inPhase('Freezing', 10_000));
    const stopMs = at.lastMs + 20;
    const d = driveSteps(patient.script(pressAt(stopMs, 'stop')), 1, { settings: forced, state: at.state });
    expectTrip(d, 'OPERATOR_STOP', 'Stopped');
  });
});

describe('M1: a condition that comes and goes still trips (k bad samples of 2k)', () => {
  it('trips TIP_BELOW_ABSOLUTE_LIMIT on -150 C in 4 samples of every 5', () => {
    const { d } = fromMidFreeze((now) => (Math.round(now / 20) % 5 === 0 ? {} : { tipC: -150 }), 1_000);
    expectTrip(d, 'TIP_BELOW_ABSOLUTE_LIMIT', 'Fault');
  });

  it('trips TIP_BELOW_PHYSICAL_FLOOR on -95 C in every other sample', () => {
    const { d } = fromMidFreeze((now) => (Math.round(now / 20) % 2 === 0 ? { tipC: -95 } : {}), 1_000);
    expectTrip(d, 'TIP_BELOW_PHYSICAL_FLOOR', 'Fault');
  });

  it('does not trip on a lone bad sample every 100 ms (one in five)', () => {
    const { d } = fromMidFreeze((now) => (Math.round(now / 20) % 5 === 0 ? { tipC: -95 } : {}), 2_000);
    expect(trips(d.events)).toEqual([]);
  });

  it('calls a reading stuck even with one faulted sample every 2 s', () => {
    const { t0, d } = fromMidFreeze((now, start) => ((now - start) % 2_000 === 0 ? { fault: 'open' } : { tipC: -62 }), 8_000);
    const rec = expectTrip(d, 'SENSOR_STUCK', 'Fault');
    expect(rec.nowMs - t0).toBeLessThanOrEqual(2 * SETTINGS.tip.stuckWindowMs + 20);
  });

  it('calls a reading stuck when it spans just under tip.stuckMinSpanC (0.015 C of 0.02)', () => {
    const { d } = fromMidFreeze((now) => ({ tipC: now % 40 === 0 ? -62 : -62.015 }), 8_000);
    expectTrip(d, 'SENSOR_STUCK', 'Fault');
  });
});

describe('M2: safe to withdraw needs a dwell after the last gas flow', () => {
  it('is not declared in the trip tick when the lagging reading is warm but the gas has just flowed', () => {
    // Early in a freeze the reading lags the true tip: 5 C read while the tip is below 0 C.
    const patient = new NormalPatient();
    const ready = drive(patient.script(), { settings: SETTINGS, until: inPhase('Freezing', 500) });
    const d = drive(patient.script(() => ({ tipC: 5, supplyBarGauge: 80 })), { settings: SETTINGS, state: ready.state, durationMs: 2_000 });
    const rec = expectTrip(d, 'SUPPLY_PRESSURE_HIGH', 'Fault');
    expect(rec.state.safeToWithdraw).toBe(false);
    expect(d.steps.some((r) => r.state.safeToWithdraw)).toBe(false);
  });

  it('never flashes SAFE TO WITHDRAW for one warm sample among -40 C readings', () => {
    const { patient, at } = normalUntil(SETTINGS, inPhase('Complete'));
    const d = drive(patient.script((now) => ({ tipC: now % 1_000 === 0 ? 10 : -40 + 0.1 * Math.sin(now) })), {
      settings: SETTINGS,
      state: at.state,
      durationMs: 20_000,
    });
    expect(d.steps.some((r) => r.state.safeToWithdraw)).toBe(false);
  });

  it('is declared exactly one dwell after the first of an unbroken run of warm samples', () => {
    const { patient, at } = normalUntil(SETTINGS, inPhase('Complete'));
    const warmFromMs = at.lastMs + 10_000;
    const tipC = (now: number): number => (now < warmFromMs ? -10 : 20) + 0.1 * Math.sin(now);
    const d = drive(patient.script((now) => ({ tipC: tipC(now) })), { settings: SETTINGS, state: at.state, until: (r) => r.state.safeToWithdraw });
    expect(d.lastMs).toBe(warmFromMs + DWELL_MS);
  });
});

/** The phase the controller was in on the step before the first trip. */
function tripStepPhase(d: Drive): string | undefined {
  const i = d.steps.findIndex((r) => r.events.some((e) => e.kind === 'trip'));
  return d.steps[i - 1]?.state.phase;
}

describe('M3: stop and start', () => {
  function stoppedLateInFreeze(): { patient: NormalPatient; d: Drive } {
    const patient = new NormalPatient();
    const { at } = normalUntil(TWO_CYCLES, inPhase('Freezing', 29_000), patient);
    const stopMs = at.lastMs + 20;
    const d = driveSteps(patient.script(pressAt(stopMs, 'stop')), 2, { settings: TWO_CYCLES, state: at.state });
    expect(d.state.phase).toBe('Stopped');
    return { patient, d };
  }

  it('resumes at the next cycle and opens no gas before the tip has thawed and the thaw time has passed', () => {
    const { patient, d } = stoppedLateInFreeze();
    const stoppedMs = d.lastMs;
    const startMs = stoppedMs + 20;
    const resumed = drive(patient.script(pressAt(startMs, 'start')), { settings: TWO_CYCLES, state: d.state, until: inPhase('Freezing') });
    const freeze = resumed.steps.at(-1);
    expect(freeze?.state.cycle).toBe(2);
    expect(freeze?.readings.tips[0]?.tipC).toBeGreaterThan(TWO_CYCLES.thaw.endTipC);
    expect((freeze?.nowMs ?? 0) - (d.state.gasLastFlowedMs ?? 0)).toBeGreaterThanOrEqual(TWO_CYCLES.protocol.thawS * 1000);
    expect(resumed.steps.filter((r) => r !== freeze).some((r) => gasPathOpen(r.outputs))).toBe(false);
  });

  it('calls a reading stuck below thaw.endTipC while Ready waits to resume, instead of waiting for ever', () => {
    const { patient, d } = stoppedLateInFreeze();
    const stuckC = d.steps.at(-1)?.readings.tips[0]?.tipC ?? Number.NaN;
    const startMs = d.lastMs + 20;
    const resumed = drive(patient.script(pressAt(startMs, 'start', { tipC: stuckC })), { settings: TWO_CYCLES, state: d.state, durationMs: 20_000 });
    expectTrip(resumed, 'SENSOR_STUCK', 'Fault');
    expect(tripStepPhase(resumed)).toBe('Ready');
    expect(resumed.steps.some((r) => gasPathOpen(r.outputs))).toBe(false);
  });

  it('names the refusal of new site in Fault, and of a start pressed in the same tick as new site', () => {
    const { patient, d } = stoppedLateInFreeze();
    const bothMs = d.lastMs + 20;
    const both = driveSteps(patient.script((now) => ({ operator: { start: now === bothMs, newSite: now === bothMs } })), 1, { settings: TWO_CYCLES, state: d.state });
    expect(both.events).toContainEqual(expect.objectContaining({ kind: 'refused', input: 'start', reason: 'new site pressed in the same tick: press start again' }));
    const faulted = drive(patient.script(() => ({ operator: { estop: true } })), { settings: TWO_CYCLES, state: both.state, durationMs: 100 });
    expect(faulted.state.phase).toBe('Fault');
    const pressMs = faulted.lastMs + 20;
    const refused = driveSteps(patient.script(pressAt(pressMs, 'newSite', { operator: { estop: true } })), 1, { settings: TWO_CYCLES, state: faulted.state });
    expect(refused.events).toContainEqual(expect.objectContaining({ kind: 'refused', input: 'new-site', reason: 'acknowledge the fault first' }));
  });

  it('carries the site freeze total across the stop', () => {
    const { patient, d } = stoppedLateInFreeze();
    const startMs = d.lastMs + 20;
    const resumed = drive(patient.script(pressAt(startMs, 'start')), { settings: TWO_CYCLES, state: d.state, until: inPhase('Complete') });
    expect(resumed.state.cumulativeFreezeMs).toBeGreaterThanOrEqual(59_000);
    expect(phaseEvents(resumed.events).filter((e) => e.to === 'Freezing').map((e) => e.cycle)).toEqual([2]);
  });
});

describe('M5: acknowledge does not clear a cause that is still there', () => {
  function stuckFault() {
    const { patient, d } = fromMidFreeze(() => ({ tipC: -62 }), 8_000);
    expect(d.state.phase).toBe('Fault');
    return { patient, d };
  }

  it('refuses to clear SENSOR_STUCK while the same probe is fitted (it cannot be re-checked without gas)', () => {
    const { patient, d } = stuckFault();
    const ackMs = d.lastMs + 20;
    const after = driveSteps(patient.script(pressAt(ackMs, 'acknowledge', { tipC: -62 })), 2, { settings: SETTINGS, state: d.state });
    expect(after.state.phase).toBe('Fault');
    expect(after.events).toContainEqual(expect.objectContaining({ kind: 'refused', input: 'acknowledge' }));
  });

  it('clears SENSOR_STUCK once the probe has been disconnected and a probe fitted again', () => {
    const { patient, d } = stuckFault();
    const out = drive(patient.script(() => ({ probePresent: false, tipC: 25 })), { settings: SETTINGS, state: d.state, durationMs: 500 });
    const back = drive(patient.script(() => ({ tipC: 25 })), { settings: SETTINGS, state: out.state, durationMs: 500 });
    const ackMs = back.lastMs + 20;
    const after = driveSteps(patient.script(pressAt(ackMs, 'acknowledge', { tipC: 25 })), 2, { settings: SETTINGS, state: back.state });
    expect(after.state.phase).toBe('Idle');
  });

  it('keeps LOOP_OVERRUN until the console restarts, as its hint says', () => {
    const { patient, at } = normalUntil(SETTINGS, inPhase('Freezing', 10_000));
    const d = driveSteps(patient.script(), 1, { settings: SETTINGS, state: at.state, startMs: at.lastMs + 250 });
    expectTrip(d, 'LOOP_OVERRUN', 'Fault');
    const later = drive(patient.script(), { settings: SETTINGS, state: d.state, durationMs: 5_000 });
    const ackMs = later.lastMs + 20;
    const after = driveSteps(patient.script(pressAt(ackMs, 'acknowledge')), 2, { settings: SETTINGS, state: later.state });
    expect(after.state.phase).toBe('Fault');
    expect(after.events).toContainEqual(expect.objectContaining({ kind: 'refused', input: 'acknowledge' }));
  });
});

describe('M6: the floor never trusts a return pressure below the room', () => {
  it('trips the physical floor on -89 C (nitrous oxide) when the return transducer reads a plausible 0.5 bar', () => {
    const { d } = fromMidFreeze(() => ({ tipC: -89, returnBarAbs: 0.55 }), 1_000);
    expectTrip(d, 'TIP_BELOW_PHYSICAL_FLOOR', 'Fault');
  });
});

describe('M8: a sample stamped in the future', () => {
  it('is stale, trips SENSOR_STALE and does not feed the watchdog', () => {
    const { d } = fromMidFreeze((now) => ({ tipAtMs: now + 10_000 }), 500);
    expectTrip(d, 'SENSOR_STALE', 'Fault');
    expect(tripDetail(d, 'SENSOR_STALE')).toBe('tip channel 0 sample is stamped 10000 ms in the future');
    expect(new Set(d.steps.map((r) => r.outputs.heartbeat)).size).toBe(1);
  });

  it('is fresh within the small clock tolerance', () => {
    const { d } = fromMidFreeze((now) => ({ tipAtMs: now + 2 }), 500);
    expect(trips(d.events)).toEqual([]);
  });
});

describe('a sensor stuck at the end of a freeze', () => {
  it('trips SENSOR_STUCK in the thaw instead of waiting for ever for the tip to warm', () => {
    const patient = new NormalPatient();
    const { at } = normalUntil(SETTINGS, inPhase('Thawing'), patient);
    const stuckC = at.steps.at(-1)?.readings.tips[0]?.tipC ?? Number.NaN;
    const d = drive(patient.script(() => ({ tipC: stuckC })), { settings: SETTINGS, state: at.state, durationMs: 10_000 });
    expectTrip(d, 'SENSOR_STUCK', 'Fault');
    expect(tripDetail(d, 'SENSOR_STUCK')).toMatch(/in Thawing$/);
  });
});

describe('mutations the suite must kill', () => {
  it('does not declare safe to withdraw while a second channel is faulted', () => {
    const { patient, at } = normalUntil(SETTINGS, inPhase('Complete'));
    const d = drive(
      patient.script((now) => ({
        tips: [
          { tipC: 25, coldJunctionC: 25, fault: null, atMs: now },
          { tipC: 25, coldJunctionC: 25, fault: 'open', atMs: now },
        ],
      })),
      { settings: SETTINGS, state: at.state, durationMs: 20_000 },
    );
    expect(d.steps.some((r) => r.state.safeToWithdraw)).toBe(false);
  });

  it('sees flow after the self-test through the safety valve closed longest, before the supply has been closed that long', () => {
    const patient = new NormalPatient();
    const ready = drive(patient.script(), { settings: withProtocol(DEFAULT_SETTINGS, SHORT_PROTOCOL), until: inPhase('Ready') });
    // Flow right after the supply-only window: the safety valve has been closed 700 ms, the supply 0.
    const deadman = parseSettings({ protocol: SHORT_PROTOCOL, footswitch: { deadman: true } });
    const d = drive(patient.script(() => ({ returnBarAbs: RETURN_FLOWING_BAR })), { settings: deadman, state: ready.state, durationMs: 1_400 });
    const rec = expectTrip(d, 'VALVE_FAILURE', 'Fault');
    const supplyClosedMs = rec.nowMs - (ready.state.supplyClosedSinceMs ?? rec.nowMs);
    expect(supplyClosedMs).toBeLessThan(DEFAULT_SETTINGS.valves.closeVerifyMs);
  });

  it('commands both valves closed whenever an interlock is tripped, whatever the sub-step says', () => {
    const { patient, at } = normalUntil(SETTINGS, inPhase('Freezing', 10_000));
    const tripped: ControllerState = {
      ...at.state,
      interlocks: { ...at.state.interlocks, EMERGENCY_STOP: { ...at.state.interlocks.EMERGENCY_STOP, tripped: true } },
    };
    const nowMs = at.lastMs + 20;
    const result = step(nowMs, SETTINGS, patient.readings(nowMs, tripped), tripped);
    expect(result.state.sub).toBe('freeze-open');
    expect(result.outputs.supplyValveOpen).toBe(false);
    expect(result.outputs.safetyValveOpen).toBe(false);
  });
});
