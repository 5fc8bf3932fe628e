// A console restarted after a crash knows what the interrupted treatment's site already froze
// (issue 10): the controller starts with that site total, so FREEZE_TIME_LIMIT's site cap counts
// it until the operator declares a new site.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, withProtocol } from '../src/controller/settings.js';
import { initialState } from '../src/controller/state.js';
import { NormalPatient, drive, expectTrip, trips } from './helpers/readings.js';

const SETTINGS = withProtocol(DEFAULT_SETTINGS, { cycles: 1, freezeS: 30, thawS: 20 });
const CAP_MS = SETTINGS.freezeLimit.cumulativeMaxS * 1000;

describe('initialState with a prior site', () => {
  it('starts with the prior site total; without one, from zero', () => {
    expect(initialState(0, { cumulativeFreezeMs: 12_345 }).cumulativeFreezeMs).toBe(12_345);
    expect(initialState(0).cumulativeFreezeMs).toBe(0);
    expect(initialState(0, null).cumulativeFreezeMs).toBe(0);
  });

  it.each([[-1], [Number.NaN], [Number.POSITIVE_INFINITY]])('refuses a prior total of %d', (bad) => {
    expect(() => initialState(0, { cumulativeFreezeMs: bad })).toThrow(/cumulativeFreezeMs/);
  });

  it('a site already at its cap refuses the next freeze (FREEZE_TIME_LIMIT at the start): no valve opens', () => {
    const patient = new NormalPatient({ startAtMs: 1_000 });
    const d = drive(patient.script(), { settings: SETTINGS, state: initialState(0, { cumulativeFreezeMs: CAP_MS }), startMs: 0, durationMs: 5_000 });
    expect(trips(d.events).map((t) => t.id)).toEqual(['FREEZE_TIME_LIMIT']);
    expect(d.steps.every((r) => !r.outputs.supplyValveOpen)).toBe(true);
  });

  it("a site 10 s short of its cap ends the next freeze at the cap, not after the protocol's 30 s", () => {
    const patient = new NormalPatient({ startAtMs: 1_000 });
    const d = drive(patient.script(), { settings: SETTINGS, state: initialState(0, { cumulativeFreezeMs: CAP_MS - 10_000 }), startMs: 0, durationMs: 60_000 });
    const rec = expectTrip(d, 'FREEZE_TIME_LIMIT', 'Fault');
    // The site total passed the cap by no more than the per-cycle grace and one step.
    expect(rec.state.cumulativeFreezeMs).toBeGreaterThan(CAP_MS);
    expect(rec.state.cumulativeFreezeMs).toBeLessThanOrEqual(CAP_MS + SETTINGS.freezeLimit.perCycleGraceMs + 20);
    // This cycle froze about 10 s, not 30.
    expect(rec.state.cycleFreezeMs).toBeLessThan(11_000);
  });

  it('the same freeze from a fresh site runs its whole protocol without a trip', () => {
    const patient = new NormalPatient({ startAtMs: 1_000 });
    const d = drive(patient.script(), { settings: SETTINGS, state: initialState(0), startMs: 0, durationMs: 60_000 });
    expect(trips(d.events)).toEqual([]);
  });
});
