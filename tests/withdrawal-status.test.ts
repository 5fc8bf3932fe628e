// What the console says about pulling the probe out (docs/safety.md, "Safe to withdraw, and a tip
// the controller does not trust"): DO NOT WITHDRAW while the trusted reading says the tip may be
// frozen, and, once the reading is not trusted, a wait counted from the last gas flow.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, withProtocol } from '../src/controller/settings.js';
import { isWithdrawn, unknownTipWaitMs, withdrawalStatus } from '../src/controller/withdrawal.js';
import { NormalPatient, SHORT_PROTOCOL, drive, expectTrip, inPhase, normalUntil } from './helpers/readings.js';

const SETTINGS = withProtocol(DEFAULT_SETTINGS, SHORT_PROTOCOL);

describe('withdrawal status', () => {
  it('says DO NOT WITHDRAW, not unknown, while a trusted reading shows a frozen tip', () => {
    const { at } = normalUntil(SETTINGS, inPhase('Freezing', 10_000));
    expect(at.state.tipDistrust).toBeNull();
    expect(withdrawalStatus(at.state, SETTINGS, at.lastMs)).toEqual({ kind: 'do-not-withdraw' });
    expect(isWithdrawn(at.state, SETTINGS, at.lastMs)).toBe(false);
  });

  it('counts the unknown-tip wait from the last gas flow when the reading fails later, in the thaw', () => {
    const patient = new NormalPatient();
    const { at } = normalUntil(SETTINGS, inPhase('Thawing', 5_000), patient);
    const lastFlowMs = at.state.gasLastFlowedMs;
    expect(lastFlowMs).not.toBeNull();
    const d = drive(patient.script(() => ({ fault: 'open' })), { settings: SETTINGS, state: at.state, durationMs: 1_000 });
    const trip = expectTrip(d, 'THERMOCOUPLE_FAULT', 'Fault');
    // The gas stopped at the end of the freeze, seconds before the reading failed.
    expect(trip.nowMs - (lastFlowMs ?? Number.NaN)).toBeGreaterThanOrEqual(5_000);
    expect(withdrawalStatus(d.state, SETTINGS, d.lastMs)).toMatchObject({ kind: 'tip-unknown', waitUntilMs: (lastFlowMs ?? Number.NaN) + unknownTipWaitMs(SETTINGS, d.state.cumulativeFreezeMs), waitOver: false });
  });
});
