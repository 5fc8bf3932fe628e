// Every phase transition of the treatment state machine, driven through the pure step.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, parseSettings, withProtocol } from '../src/controller/settings.js';
import type { Phase } from '../src/controller/types.js';
import type { Drive } from './helpers/readings.js';
import { NormalPatient, SHORT_PROTOCOL, drive, driveSteps, inPhase, nominalReadings, normalUntil, phaseEvents } from './helpers/readings.js';

const SETTINGS = withProtocol(DEFAULT_SETTINGS, SHORT_PROTOCOL);
const TWO_CYCLES = withProtocol(DEFAULT_SETTINGS, { cycles: 2, freezeS: 10, thawS: 10 });

const transitions = (d: Drive): string[] => phaseEvents(d.events).map((e) => `${e.from}->${e.to}(${e.cycle})`);

/** Press `button` once, on the first step after `d`, then run `durationMs` with `patient`. */
function pressAfter(d: Drive, patient: NormalPatient, button: 'start' | 'stop' | 'acknowledge' | 'newSite', settings = SETTINGS, durationMs = 200): Drive {
  const atMs = d.lastMs + 20;
  return drive(patient.script((now) => ({ operator: { [button]: now === atMs } })), { settings, state: d.state, durationMs });
}

describe('Idle and the self-test', () => {
  it('stays in Idle with both valves closed until start is pressed', () => {
    const d = drive((now) => nominalReadings(now), { durationMs: 5_000 });
    expect(d.state.phase).toBe('Idle');
    expect(d.steps.every((r) => !r.outputs.supplyValveOpen && !r.outputs.safetyValveOpen)).toBe(true);
  });

  it('enters SelfTest in the step start is pressed', () => {
    const d = drive((now) => nominalReadings(now, { operator: { start: now === 1_000 } }), { durationMs: 1_000 });
    expect(phaseEvents(d.events)).toEqual([{ kind: 'phase', atMs: 1_000, from: 'Idle', to: 'SelfTest', cycle: 0 }]);
    expect(d.state.sub).toBe('selftest-settle');
  });

  it('runs the self-test sub-steps in order: settle, safety valve alone, pause, supply valve alone', () => {
    const d = drive(new NormalPatient().script(), { settings: SETTINGS, until: inPhase('Ready') });
    const seen: { sub: string; fromMs: number; supply: boolean; safety: boolean }[] = [];
    for (const r of d.steps) {
      if (r.state.phase !== 'SelfTest') continue;
      const last = seen.at(-1);
      if (last?.sub !== r.state.sub) seen.push({ sub: r.state.sub, fromMs: r.nowMs, supply: r.outputs.supplyValveOpen, safety: r.outputs.safetyValveOpen });
      else expect([r.outputs.supplyValveOpen, r.outputs.safetyValveOpen]).toEqual([last.supply, last.safety]);
    }
    expect(seen).toEqual([
      { sub: 'selftest-settle', fromMs: 0, supply: false, safety: false },
      { sub: 'selftest-safety-only', fromMs: 500, supply: false, safety: true },
      { sub: 'selftest-pause', fromMs: 1_000, supply: false, safety: false },
      { sub: 'selftest-supply-only', fromMs: 1_200, supply: true, safety: false },
    ]);
  });

  it('goes from the self-test to Ready and straight on to Freezing(1) without a second press', () => {
    const d = drive(new NormalPatient().script(), { settings: SETTINGS, until: inPhase('Freezing') });
    expect(transitions(d)).toEqual(['Idle->SelfTest(0)', 'SelfTest->Ready(0)', 'Ready->Freezing(1)']);
    expect(d.events.filter((e) => e.kind === 'input')).toHaveLength(1);
    const freezeStep = d.steps.at(-1);
    expect(freezeStep?.nowMs).toBe(1_720);
    expect(freezeStep?.outputs).toMatchObject({ supplyValveOpen: true, safetyValveOpen: true });
  });

  it('waits in Ready for the footswitch when the dead-man is set, then freezes as it goes down', () => {
    const deadman = parseSettings({ protocol: SHORT_PROTOCOL, footswitch: { deadman: true } });
    const patient = new NormalPatient();
    const ready = drive(patient.script(), { settings: deadman, durationMs: 5_000 });
    expect(ready.state.phase).toBe('Ready');
    expect(ready.steps.some((r) => r.outputs.supplyValveOpen && r.outputs.safetyValveOpen)).toBe(false);
    const d = drive(patient.script(() => ({ operator: { footswitch: true } })), { settings: deadman, state: ready.state, durationMs: 100 });
    expect(transitions(d)[0]).toBe('Ready->Freezing(1)');
  });
});

describe('freeze and thaw', () => {
  it('closes the supply when the cycle has frozen freezeS, then enters Thawing after the verify window', () => {
    const d = drive(new NormalPatient().script(), { settings: SETTINGS, until: inPhase('Thawing') });
    const closing = d.steps.find((r) => r.state.sub === 'freeze-verify-closed');
    expect(closing?.state.cycleFreezeMs).toBe(30_000);
    expect(closing?.outputs).toMatchObject({ supplyValveOpen: false, safetyValveOpen: true });
    const thaw = d.steps.at(-1);
    // Verify window: closeVerifyMs + VALVE_FAILURE debounce + two periods.
    expect((thaw?.nowMs ?? 0) - (closing?.nowMs ?? 0)).toBe(1_500 + 100 + 40);
    expect(thaw?.outputs).toMatchObject({ supplyValveOpen: false, safetyValveOpen: false });
    expect(transitions(d).at(-1)).toBe('Freezing->Thawing(1)');
  });

  it('stays in Thawing past the thaw time while the tip is still below thaw.endTipC', () => {
    const patient = new NormalPatient();
    const { at } = normalUntil(TWO_CYCLES, inPhase('Thawing'), patient);
    // A real reading is never exactly constant (SENSOR_STUCK judges that): -5 C with a ripple.
    const d = drive(patient.script((now) => ({ tipC: -5 + 0.1 * Math.sin(now / 100) })), { settings: TWO_CYCLES, state: at.state, durationMs: 20_000 });
    expect(d.state.phase).toBe('Thawing');
    expect(phaseEvents(d.events)).toEqual([]);
  });

  it('starts the next freeze once the thaw time has passed and the tip is above thaw.endTipC plus the calibration uncertainty', () => {
    const patient = new NormalPatient();
    const { at } = normalUntil(TWO_CYCLES, inPhase('Thawing'), patient);
    const warmFromMs = at.state.phaseSinceMs + 15_000;
    // 1.5 C: above thaw.endTipC (0 C) plus the Type T reading uncertainty (1.18 C); tests/thaw-calibration-margin.test.ts holds the thaw below it.
    const tipC = (now: number): number => (now < warmFromMs ? -5 + 0.1 * Math.sin(now / 100) : 1.5);
    const d = drive(patient.script((now) => ({ tipC: tipC(now) })), { settings: TWO_CYCLES, state: at.state, until: inPhase('Freezing') });
    expect(phaseEvents(d.events)).toEqual([{ kind: 'phase', atMs: warmFromMs, from: 'Thawing', to: 'Freezing', cycle: 2 }]);
  });

  it('does not start the next freeze before the thaw time even with a warm tip', () => {
    const patient = new NormalPatient();
    const { at } = normalUntil(TWO_CYCLES, inPhase('Thawing'), patient);
    const d = drive(patient.script(() => ({ tipC: 30 })), { settings: TWO_CYCLES, state: at.state, until: inPhase('Freezing') });
    expect(d.lastMs - at.state.phaseSinceMs).toBe(10_000);
  });

  it('ends the last thaw in Complete and runs every cycle in order', () => {
    const d = drive(new NormalPatient().script(), { settings: TWO_CYCLES, until: inPhase('Complete') });
    expect(transitions(d)).toEqual([
      'Idle->SelfTest(0)',
      'SelfTest->Ready(0)',
      'Ready->Freezing(1)',
      'Freezing->Thawing(1)',
      'Thawing->Freezing(2)',
      'Freezing->Thawing(2)',
      'Thawing->Complete(2)',
    ]);
    expect(d.state.cyclesBegun).toBe(2);
  });
});

describe('after the treatment', () => {
  function complete() {
    const patient = new NormalPatient();
    const d = drive(patient.script(), { settings: SETTINGS, until: inPhase('Complete', 1_000) });
    return { patient, d };
  }

  function stopped() {
    const patient = new NormalPatient();
    const { at } = normalUntil(SETTINGS, inPhase('Freezing', 5_000), patient);
    const d = pressAfter(at, patient, 'stop');
    expect(d.state.phase).toBe('Stopped');
    return { patient, d };
  }

  it('goes from Complete to Idle on acknowledge', () => {
    const { patient, d } = complete();
    const after = pressAfter(d, patient, 'acknowledge');
    expect(transitions(after)).toEqual(['Complete->Idle(0)']);
  });

  it('refuses a start from Complete at the same site, naming new site', () => {
    const { patient, d } = complete();
    const after = pressAfter(d, patient, 'start');
    expect(phaseEvents(after.events)).toEqual([]);
    expect(after.events).toContainEqual(
      expect.objectContaining({ kind: 'refused', input: 'start', reason: 'all 1 cycles have been given at this site: withdraw the probe and choose new site first' }),
    );
  });

  it('starts again after new site once the probe is safe to withdraw, with the freeze total starting again', () => {
    const { patient, d } = complete();
    expect(d.state.cumulativeFreezeMs).toBe(30_000);
    const safe = drive(patient.script(), { settings: SETTINGS, state: d.state, until: (r) => r.state.safeToWithdraw });
    const moved = pressAfter(safe, patient, 'newSite');
    expect(moved.state.cumulativeFreezeMs).toBe(0);
    expect(moved.state.cyclesBegun).toBe(0);
    const after = pressAfter(moved, patient, 'start');
    expect(transitions(after)).toEqual(['Complete->SelfTest(0)']);
  });

  it('refuses new site while the probe is not yet safe to withdraw', () => {
    const { patient, d } = stopped();
    const after = pressAfter(d, patient, 'newSite');
    expect(after.events).toContainEqual(expect.objectContaining({ kind: 'refused', input: 'new-site', reason: 'the probe is not yet safe to withdraw' }));
    expect(after.state.cumulativeFreezeMs).toBe(d.state.cumulativeFreezeMs);
  });

  it('goes from Stopped to Idle on acknowledge', () => {
    const { patient, d } = stopped();
    const after = pressAfter(d, patient, 'acknowledge');
    expect(transitions(after)).toEqual(['Stopped->Idle(0)']);
  });

  it('goes from Stopped to SelfTest on start, keeping the site freeze total and cycle count', () => {
    const patient = new NormalPatient();
    const { at } = normalUntil(TWO_CYCLES, inPhase('Freezing', 5_000), patient);
    const d = pressAfter(at, patient, 'stop', TWO_CYCLES);
    expect(d.state.cyclesBegun).toBe(1);
    const frozenMs = d.state.cumulativeFreezeMs;
    expect(frozenMs).toBeGreaterThan(5_000);
    const after = pressAfter(d, patient, 'start', TWO_CYCLES);
    expect(transitions(after)).toEqual(['Stopped->SelfTest(0)']);
    expect(after.state.cumulativeFreezeMs).toBe(frozenMs);
    expect(after.state.cyclesBegun).toBe(1);
  });
});

describe('Fault', () => {
  /** Emergency stop pressed mid-freeze and held for `holdMs`. */
  function faulted(holdMs: number) {
    const patient = new NormalPatient();
    const { at } = normalUntil(SETTINGS, inPhase('Freezing', 5_000), patient);
    const releaseMs = at.lastMs + holdMs;
    const estop = (now: number) => ({ estop: now <= releaseMs });
    const d = drive(patient.script((now) => ({ operator: estop(now) })), { settings: SETTINGS, state: at.state, durationMs: 500 });
    expect(d.state.phase).toBe('Fault');
    return { patient, d, estop };
  }

  function ackAfter(d: Drive, patient: NormalPatient, estop: (now: number) => { estop: boolean }): Drive {
    const ackMs = d.lastMs + 20;
    return driveSteps(patient.script((now) => ({ operator: { ...estop(now), acknowledge: now === ackMs } })), 5, { settings: SETTINGS, state: d.state });
  }

  it('refuses an acknowledge while the condition is still present, naming it, and stays in Fault', () => {
    const { patient, d, estop } = faulted(60_000);
    const after = ackAfter(d, patient, estop);
    const refused = after.events.find((e) => e.kind === 'refused');
    expect(refused).toMatchObject({ input: 'acknowledge' });
    expect(refused?.kind === 'refused' ? refused.reason : '').toBe('condition still present: EMERGENCY_STOP (emergency stop pressed)');
    expect(after.state.phase).toBe('Fault');
  });

  it('stays in Fault once the condition is gone until acknowledged', () => {
    const { patient, d, estop } = faulted(100);
    const later = drive(patient.script((now) => ({ operator: estop(now) })), { settings: SETTINGS, state: d.state, durationMs: 10_000 });
    expect(later.state.interlocks.EMERGENCY_STOP.conditionNow).toBe(false);
    expect(later.state.phase).toBe('Fault');
  });

  it('goes to Idle on acknowledge once the condition is gone, clearing the latched trip', () => {
    const { patient, d, estop } = faulted(100);
    const after = ackAfter(d, patient, estop);
    expect(transitions(after)).toEqual(['Fault->Idle(0)']);
    expect(after.events).toContainEqual(expect.objectContaining({ kind: 'cleared', id: 'EMERGENCY_STOP' }));
    expect(after.state.interlocks.EMERGENCY_STOP.tripped).toBe(false);
  });

  it('refuses start in Fault', () => {
    const { patient, d } = faulted(100);
    const after = pressAfter(d, patient, 'start');
    expect(after.events).toContainEqual(expect.objectContaining({ kind: 'refused', input: 'start', reason: 'acknowledge the fault first' }));
    expect(after.state.phase).toBe('Fault');
    expect(phaseEvents(after.events)).toEqual([]);
  });

  it('refuses a new start after the fault when the site has had all its cycles', () => {
    const { patient, d, estop } = faulted(100);
    const idle = ackAfter(d, patient, estop);
    const after = pressAfter(idle, patient, 'start');
    expect(phaseEvents(after.events)).toEqual([]);
    expect(after.events).toContainEqual(expect.objectContaining({ kind: 'refused', input: 'start' }));
  });
});

describe('phase bookkeeping', () => {
  it('never leaves a phase it did not announce: every phase change has an event', () => {
    const d = drive(new NormalPatient().script(), { settings: TWO_CYCLES, until: inPhase('Complete') });
    expect(d.state.phase).toBe('Complete');
    let phase: Phase = 'Idle';
    for (const r of d.steps) {
      const changes = phaseEvents(r.events);
      if (r.state.phase !== phase) expect(changes.at(-1)?.to).toBe(r.state.phase);
      phase = r.state.phase;
    }
  });
});
