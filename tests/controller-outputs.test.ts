// Outputs other than the valves: safe-to-withdraw and the watchdog heartbeat.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, withProtocol } from '../src/controller/settings.js';
import { NormalPatient, SHORT_PROTOCOL, drive, driveSteps, inPhase, nominalReadings, normalUntil } from './helpers/readings.js';

const SETTINGS = withProtocol(DEFAULT_SETTINGS, SHORT_PROTOCOL);
const TWO_CYCLES = withProtocol(DEFAULT_SETTINGS, { cycles: 2, freezeS: 10, thawS: 10 });
const MARGIN_C = DEFAULT_SETTINGS.thaw.withdrawMarginC;
const DWELL_MS = DEFAULT_SETTINGS.thaw.withdrawDwellMs;

describe('safe to withdraw', () => {
  it('is false on every freeze and thaw step of a treatment', () => {
    const d = drive(new NormalPatient().script(), { settings: TWO_CYCLES, until: inPhase('Complete') });
    const treating = d.steps.filter((r) => r.state.phase === 'Freezing' || r.state.phase === 'Thawing');
    expect(treating.length).toBeGreaterThan(1_000);
    expect(treating.every((r) => !r.state.safeToWithdraw)).toBe(true);
  });

  it('is false even with a warm tip during the thaw', () => {
    const patient = new NormalPatient();
    const { at } = normalUntil(SETTINGS, inPhase('Thawing'), patient);
    const d = drive(patient.script(() => ({ tipC: 30 })), { settings: SETTINGS, state: at.state, until: inPhase('Complete') });
    const thawing = d.steps.filter((r) => r.state.phase === 'Thawing');
    // The whole thaw but its last step (the one that enters Complete) ran on a warm tip.
    expect(thawing).toHaveLength(SHORT_PROTOCOL.thawS * 1000 / 20 - 1);
    expect(thawing.filter((r) => r.state.safeToWithdraw)).toEqual([]);
  });

  it('turns true after the treatment only once the tip has read above 0 C plus the margin for the dwell', () => {
    const patient = new NormalPatient();
    const { at } = normalUntil(SETTINGS, inPhase('Thawing', 19_000), patient);
    // Hold the tip just at the margin past the end of the thaw, then let it warm slowly.
    const holdUntilMs = at.state.phaseSinceMs + 25_000;
    const d = drive(patient.script((now) => ({ tipC: now < holdUntilMs ? MARGIN_C : MARGIN_C + (now - holdUntilMs) / 1000 })), {
      settings: SETTINGS,
      state: at.state,
      until: (r) => r.state.safeToWithdraw,
      durationMs: 60_000,
    });
    const first = d.steps.at(-1);
    expect(first?.state.phase).toBe('Complete');
    expect(first?.readings.tips[0]?.tipC).toBeGreaterThan(MARGIN_C);
    expect(first?.nowMs).toBe(holdUntilMs + 20 + DWELL_MS);
    expect(first?.events).toContainEqual({ kind: 'safe-to-withdraw', atMs: holdUntilMs + 20 + DWELL_MS, safe: true });
  });

  it('stays false after a stop until the frozen tip has warmed above the margin', () => {
    const patient = new NormalPatient();
    const { at } = normalUntil(SETTINGS, inPhase('Freezing', 10_000), patient);
    const stopMs = at.lastMs + 20;
    const d = drive(patient.script((now) => ({ operator: { stop: now === stopMs } })), { settings: SETTINGS, state: at.state, until: (r) => r.state.safeToWithdraw });
    expect(d.state.phase).toBe('Stopped');
    const tipAt = (i: number): number => d.steps[i]?.readings.tips[0]?.tipC ?? Number.NaN;
    const dwellSteps = DWELL_MS / 20;
    const last = d.steps.length - 1;
    for (let i = last - dwellSteps; i <= last; i++) expect(tipAt(i)).toBeGreaterThan(MARGIN_C);
    expect(tipAt(last - dwellSteps - 1)).toBeLessThanOrEqual(MARGIN_C);
  });

  it('is false with a warm tip when the reading is stale or faulty', () => {
    const complete = drive(new NormalPatient().script(), { settings: SETTINGS, until: inPhase('Complete', 1_000) });
    expect(complete.state.safeToWithdraw).toBe(true);
    const stale = drive((now) => nominalReadings(now, { tipAtMs: complete.lastMs }), { settings: SETTINGS, state: complete.state, durationMs: 500 });
    expect(stale.state.safeToWithdraw).toBe(false);
    const faulty = drive((now) => nominalReadings(now, { fault: 'open' }), { settings: SETTINGS, state: complete.state, durationMs: 100 });
    expect(faulty.steps.length).toBeGreaterThan(0);
    expect(faulty.steps.filter((r) => r.state.safeToWithdraw)).toEqual([]);
  });
});

describe('watchdog heartbeat', () => {
  it('toggles on every step with fresh data through a whole treatment', () => {
    const d = drive(new NormalPatient().script(), { settings: SETTINGS, until: inPhase('Complete') });
    for (let i = 1; i < d.steps.length; i++) {
      expect(d.steps[i]?.outputs.heartbeat).toBe(!d.steps[i - 1]?.outputs.heartbeat);
    }
  });

  it('holds its level while the sensor data is stale, starving the watchdog', () => {
    const fresh = driveSteps((now) => nominalReadings(now), 10);
    const stale = drive((now) => nominalReadings(now, { tipAtMs: fresh.lastMs }), { state: fresh.state, durationMs: 1_000 });
    const afterLimit = stale.steps.filter((r) => r.nowMs - fresh.lastMs > DEFAULT_SETTINGS.tip.staleMs);
    expect(afterLimit.length).toBeGreaterThan(10);
    expect(new Set(afterLimit.map((r) => r.outputs.heartbeat)).size).toBe(1);
  });

  it('holds its level while a back-end reports its device lost', () => {
    const fresh = driveSteps((now) => nominalReadings(now), 10);
    const d = drive((now) => nominalReadings(now, { halFault: 'front-end lost' }), { state: fresh.state, durationMs: 1_000 });
    expect(new Set(d.steps.map((r) => r.outputs.heartbeat))).toEqual(new Set([fresh.state.outputs.heartbeat]));
  });

  it('resumes toggling when fresh data returns', () => {
    const fresh = driveSteps((now) => nominalReadings(now), 10);
    const stale = drive((now) => nominalReadings(now, { tipAtMs: fresh.lastMs }), { state: fresh.state, durationMs: 500 });
    const again = driveSteps((now) => nominalReadings(now), 3, { state: stale.state });
    const beats = again.steps.map((r) => r.outputs.heartbeat);
    expect(beats).toEqual([!stale.state.outputs.heartbeat, stale.state.outputs.heartbeat, !stale.state.outputs.heartbeat]);
  });
});

describe('safe to withdraw with more than one tip channel', () => {
  // Safe-to-withdraw judges the coldest usable channel, not only the control channel: a second
  // channel still frozen at -10 C means a frozen probe (shared/domain.md section 4).
  it('is false while any usable tip channel is still below 0 C', () => {
    const complete = drive(new NormalPatient().script(), { settings: SETTINGS, until: inPhase('Complete', 1_000) });
    expect(complete.state.safeToWithdraw).toBe(true);
    const d = drive(
      (now) =>
        nominalReadings(now, {
          tips: [
            { tipC: 20, coldJunctionC: 25, fault: null, atMs: now },
            { tipC: -10, coldJunctionC: 25, fault: null, atMs: now },
          ],
        }),
      { settings: SETTINGS, state: complete.state, durationMs: 500 },
    );
    expect(d.steps.some((r) => r.state.safeToWithdraw)).toBe(false);
  });
});
