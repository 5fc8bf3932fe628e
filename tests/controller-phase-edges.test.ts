// Edges of the treatment state machine that tests/controller-phases.test.ts does not reach: when a
// freeze may begin (every tip channel thawed, the thaw time since gas last flowed at the same site,
// none at a new site), a second trip in Fault, start and new site in one tick, and a self-test
// whose settle time is longer than its valve windows. Each test drives the pure step inside `it`.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, parseSettings, withProtocol } from '../src/controller/settings.js';
import type { Settings } from '../src/controller/settings.js';
import type { Drive, ReadingOverrides } from './helpers/readings.js';
import { NormalPatient, drive, gasPathOpen, inPhase, nominalReadings, normalUntil, phaseEvents, trips } from './helpers/readings.js';

const TWO_CYCLES = withProtocol(DEFAULT_SETTINGS, { cycles: 2, freezeS: 10, thawS: 10 });
const END_TIP_C = DEFAULT_SETTINGS.thaw.endTipC;

const transitions = (d: Drive): string[] => phaseEvents(d.events).map((e) => `${e.from}->${e.to}(${e.cycle})`);

/** A reading that is never constant (SENSOR_STUCK judges a still one): `c` with a small ripple. */
const moving = (c: number, now: number): number => c + 0.3 * Math.sin(now / 100);

/** A normal run stopped 5 s into its first freeze; the patient carries on from there. */
function stoppedMidFreeze(settings: Settings, o: ReadingOverrides = {}): { patient: NormalPatient; stopped: Drive; stopMs: number } {
  const patient = new NormalPatient();
  const at = drive(patient.script(() => o), { settings, until: inPhase('Freezing', 5_000) });
  expect(at.state.phase).toBe('Freezing');
  const stopMs = at.lastMs + 20;
  const stopped = drive(patient.script((now) => ({ ...o, operator: { stop: now === stopMs } })), { settings, state: at.state, durationMs: 20 });
  expect(stopped.state.phase).toBe('Stopped');
  return { patient, stopped, stopMs };
}

describe('a freeze begins only on a thawed tip', () => {
  it('does not start the next freeze while another tip channel reports a fault, even before that fault trips', () => {
    const patient = new NormalPatient();
    const { at } = normalUntil(TWO_CYCLES, inPhase('Thawing'), patient);
    const thawEndsMs = at.state.phaseSinceMs + TWO_CYCLES.protocol.thawS * 1000;
    const faultFromMs = thawEndsMs - 40;
    const tips = (now: number): ReadingOverrides => ({
      tips: [
        { tipC: moving(20, now), coldJunctionC: 25, fault: null, atMs: now },
        { tipC: moving(20, now), coldJunctionC: 25, fault: now >= faultFromMs ? 'open' : null, atMs: now },
      ],
    });
    const d = drive(patient.script(tips), { settings: TWO_CYCLES, state: at.state, durationMs: 11_000 });
    expect(d.steps.some((r) => gasPathOpen(r.outputs))).toBe(false);
    expect(transitions(d)).not.toContain('Thawing->Freezing(2)');
    // The fault trips once its debounce is met: after the thaw time, with the valves still closed.
    expect(trips(d.events).map((t) => t.id)).toContain('THERMOCOUPLE_FAULT');
  });

  it('does not complete the last thaw while a tip channel reports a fault, however warm the other reads', () => {
    // Complete ends the treatment (THERMOCOUPLE_FAULT is not armed there): the fault must trip first.
    const oneCycle = withProtocol(DEFAULT_SETTINGS, { cycles: 1, freezeS: 10, thawS: 10 });
    const patient = new NormalPatient();
    const { at } = normalUntil(oneCycle, inPhase('Thawing'), patient);
    const faultFromMs = at.state.phaseSinceMs + oneCycle.protocol.thawS * 1000 - 40;
    const tips = (now: number): ReadingOverrides => ({
      tips: [
        { tipC: moving(20, now), coldJunctionC: 25, fault: null, atMs: now },
        { tipC: moving(20, now), coldJunctionC: 25, fault: now >= faultFromMs ? 'open' : null, atMs: now },
      ],
    });
    const d = drive(patient.script(tips), { settings: oneCycle, state: at.state, durationMs: 11_000 });
    expect(transitions(d)).toEqual(['Thawing->Fault(1)']);
    expect(trips(d.events).map((t) => t.id)).toEqual(['THERMOCOUPLE_FAULT']);
  });

  it('stays in Thawing past the thaw time while the coldest reading is exactly thaw.endTipC', () => {
    const patient = new NormalPatient();
    const { at } = normalUntil(TWO_CYCLES, inPhase('Thawing'), patient);
    const d = drive(patient.script((now) => ({ tipC: now % 40 === 0 ? END_TIP_C : END_TIP_C - 0.3 })), {
      settings: TWO_CYCLES,
      state: at.state,
      durationMs: 15_000,
    });
    expect(d.steps.filter((r) => r.readings.tips[0]?.tipC === END_TIP_C).length).toBeGreaterThan(100);
    expect(d.state.phase).toBe('Thawing');
    expect(phaseEvents(d.events)).toEqual([]);
  });

  it('waits in Ready after a resumed start while the tip is still frozen, long after the thaw time', () => {
    const { patient, stopped, stopMs } = stoppedMidFreeze(TWO_CYCLES);
    const startMs = stopMs + 15_000;
    const d = drive(patient.script((now) => ({ tipC: moving(-30, now), operator: { start: now === startMs } })), {
      settings: TWO_CYCLES,
      state: stopped.state,
      durationMs: 25_000,
    });
    expect(transitions(d)).toEqual(['Stopped->SelfTest(0)', 'SelfTest->Ready(0)']);
    expect(d.state.phase).toBe('Ready');
    expect(d.steps.some((r) => gasPathOpen(r.outputs))).toBe(false);
  });
});

describe('the thaw time before a resumed freeze', () => {
  it('resumes the site exactly protocol.thawS after gas last flowed, not a tick later', () => {
    const { patient, stopped, stopMs } = stoppedMidFreeze(TWO_CYCLES);
    expect(stopped.state.gasLastFlowedMs).toBe(stopMs);
    const startMs = stopMs + 2_000;
    const d = drive(patient.script((now) => ({ tipC: moving(30, now), operator: { start: now === startMs } })), {
      settings: TWO_CYCLES,
      state: stopped.state,
      until: inPhase('Freezing'),
    });
    expect(transitions(d)).toEqual(['Stopped->SelfTest(0)', 'SelfTest->Ready(0)', 'Ready->Freezing(2)']);
    expect(phaseEvents(d.events).at(-1)?.atMs).toBe(stopMs + TWO_CYCLES.protocol.thawS * 1000);
  });

  it('counts the thaw time from the last tick the gas path was open on a board without a return transducer', () => {
    // Without the transducer no flow is ever seen: only the commanded gas path tells when gas last flowed.
    const { patient, stopped, stopMs } = stoppedMidFreeze(TWO_CYCLES, { returnBarAbs: null });
    expect(stopped.state.gasLastFlowedMs).toBe(stopMs);
    const startMs = stopMs + 2_000;
    const d = drive(patient.script((now) => ({ returnBarAbs: null, tipC: moving(30, now), operator: { start: now === startMs } })), {
      settings: TWO_CYCLES,
      state: stopped.state,
      until: inPhase('Freezing'),
    });
    expect(phaseEvents(d.events).at(-1)?.atMs).toBe(stopMs + TWO_CYCLES.protocol.thawS * 1000);
  });

  it("begins a new site's first freeze as soon as the self-test ends, without the previous site's thaw time", () => {
    // A thaw time much longer than the withdrawal dwell: the probe is safe to move well before it ends.
    const settings = withProtocol(DEFAULT_SETTINGS, { cycles: 2, freezeS: 10, thawS: 120 });
    const { patient, stopped, stopMs } = stoppedMidFreeze(settings);
    const safe = drive(patient.script(), { settings, state: stopped.state, until: (r) => r.state.safeToWithdraw });
    const siteMs = safe.lastMs + 20;
    const startMs = siteMs + 20;
    const d = drive(patient.script((now) => ({ operator: { newSite: now === siteMs, start: now === startMs } })), {
      settings,
      state: safe.state,
      until: inPhase('Freezing'),
      durationMs: 60_000,
    });
    expect(transitions(d)).toEqual(['Stopped->SelfTest(0)', 'SelfTest->Ready(0)', 'Ready->Freezing(1)']);
    expect(d.events.filter((e) => e.kind === 'refused')).toEqual([]);
    const freezeMs = phaseEvents(d.events).at(-1)?.atMs ?? Number.NaN;
    const readyMs = phaseEvents(d.events)[1]?.atMs ?? Number.NaN;
    expect(freezeMs - readyMs).toBeLessThanOrEqual(20);
    expect(freezeMs - stopMs).toBeLessThan(settings.protocol.thawS * 1000);
  });
});

describe('Fault and the operator inputs', () => {
  it('announces no phase change when a second latched condition trips while already in Fault', () => {
    const d = drive((now) => nominalReadings(now, { operator: { estop: now >= 10_000 }, halFault: now >= 12_000 ? 'front-end lost' : null }), {
      durationMs: 14_000,
    });
    expect(trips(d.events).map((t) => `${t.id}@${t.atMs}`)).toEqual(['EMERGENCY_STOP@10000', 'HAL_FAULT@12000']);
    expect(transitions(d)).toEqual(['Idle->Fault(0)']);
  });

  it('refuses a start pressed in the same tick as new site, saying to press it again', () => {
    const settings = withProtocol(DEFAULT_SETTINGS, { cycles: 1, freezeS: 10, thawS: 10 });
    const patient = new NormalPatient();
    const { at } = normalUntil(settings, (r) => r.state.phase === 'Complete' && r.state.safeToWithdraw, patient);
    const pressMs = at.lastMs + 20;
    const d = drive(patient.script((now) => ({ operator: { newSite: now === pressMs, start: now === pressMs } })), {
      settings,
      state: at.state,
      durationMs: 200,
    });
    expect(d.events.filter((e) => e.kind === 'refused')).toEqual([
      { kind: 'refused', atMs: pressMs, input: 'start', reason: 'new site pressed in the same tick: press start again' },
    ]);
    expect(d.state.cyclesBegun).toBe(0);
    expect(d.state.phase).toBe('Complete');
  });
});

describe('self-test timing', () => {
  it('tests each valve alone even when the settle time is longer than a valve window', () => {
    const settings = parseSettings({ protocol: { cycles: 1, freezeS: 10, thawS: 10 }, valves: { selfTestSettleMs: 1_200, selfTestValveMs: 500 } });
    const d = drive(new NormalPatient().script(), { settings, until: inPhase('Ready') });
    const subs: { sub: string; fromMs: number }[] = [];
    for (const r of d.steps) if (r.state.phase === 'SelfTest' && subs.at(-1)?.sub !== r.state.sub) subs.push({ sub: r.state.sub, fromMs: r.nowMs });
    expect(subs).toEqual([
      { sub: 'selftest-settle', fromMs: 0 },
      { sub: 'selftest-safety-only', fromMs: 1_200 },
      { sub: 'selftest-pause', fromMs: 1_700 },
      { sub: 'selftest-supply-only', fromMs: 1_900 },
    ]);
    expect(d.lastMs).toBe(2_400);
  });
});
