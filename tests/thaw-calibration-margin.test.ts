// Issue 11: a calibration that reads warm must not end a thaw, start a refreeze or declare SAFE TO
// WITHDRAW on a tip that is truly still frozen. Every "thawed" judgement on the calibrated reading
// adds the reading's uncertainty (src/controller/probe-calibration.ts), and no setting the
// schema accepts can take it away.
import { describe, expect, it } from 'vitest';
import {
  CALIBRATED_TIP_UNCERTAINTY_C,
  WITHDRAW_FLOOR_C,
  calibrated,
  thawEndReadingC,
  tipUncertaintyC,
  withdrawReadingC,
} from '../src/controller/probe-calibration.js';
import type { ProbeCalibration } from '../src/controller/probe-calibration.js';
import { DEFAULT_SETTINGS, parseSettings } from '../src/controller/settings.js';
import { SETTINGS_JSON_SCHEMA } from '../src/sim/fuzz/draw-settings.js';
import type { Settings } from '../src/controller/settings.js';
import { NormalPatient, SHORT_PROTOCOL, drive, inPhase, normalUntil, trips } from './helpers/readings.js';

/** A reading that moves (so SENSOR_STUCK has nothing to say) but stays within this of `levelC`. */
const RIPPLE_C = 0.05;
const rippled = (levelC: number, nowMs: number): number => levelC + RIPPLE_C * Math.sin((2 * Math.PI * nowMs) / 1_700);

const TYPE_K = calibrated('K', 0, 1);

/** From 100 ms into the first thaw, every tip reading is held near `levelC` for 2 min. */
function thawWithReadingAt(levelC: number, settings: Settings = DEFAULT_SETTINGS, calibration?: ProbeCalibration) {
  const patient = new NormalPatient();
  const { at } = normalUntil(settings, inPhase('Thawing', 100), patient);
  const script = patient.script((nowMs) => ({ tipC: rippled(levelC, nowMs), ...(calibration === undefined ? {} : { calibration }) }));
  return drive(script, { settings, state: at.state, durationMs: 120_000 });
}

/** After a one-cycle treatment has completed, every tip reading is held near `levelC` for 1 min. */
function completeWithReadingAt(levelC: number, settings: Settings) {
  const patient = new NormalPatient();
  const { at } = normalUntil(settings, inPhase('Complete'), patient);
  return drive(patient.script((nowMs) => ({ tipC: rippled(levelC, nowMs) })), { settings, state: at.state, durationMs: 60_000 });
}

const refroze = (d: ReturnType<typeof drive>): boolean => d.steps.some((r) => r.state.phase === 'Freezing');

describe('the calibrated reading uncertainty', () => {
  it('is the ASTM E230 standard tolerance of the type at -78.5 C (shared/domain.md section 5)', () => {
    expect(CALIBRATED_TIP_UNCERTAINTY_C).toEqual({ T: 1.18, K: 2.2 });
    expect(tipUncertaintyC({ thermocoupleType: 'T' })).toBe(1.18);
    expect(tipUncertaintyC({ thermocoupleType: 'K' })).toBe(2.2);
    expect(Object.isFrozen(CALIBRATED_TIP_UNCERTAINTY_C)).toBe(true);
  });

  it("adds to thaw.endTipC for the thaw's end", () => {
    expect(thawEndReadingC(0, { thermocoupleType: 'T' })).toBeCloseTo(1.18, 12);
    expect(thawEndReadingC(5, { thermocoupleType: 'T' })).toBeCloseTo(6.18, 12);
    expect(thawEndReadingC(0, { thermocoupleType: 'K' })).toBeCloseTo(2.2, 12);
  });

  it('is the least withdrawal margin over 0 C: a larger thaw.withdrawMarginC stands, a smaller one is raised to it', () => {
    expect(WITHDRAW_FLOOR_C).toBe(0);
    expect(withdrawReadingC(0, { thermocoupleType: 'T' })).toBe(1.18);
    expect(withdrawReadingC(2, { thermocoupleType: 'T' })).toBe(2);
    expect(withdrawReadingC(2, { thermocoupleType: 'K' })).toBe(2.2);
    expect(withdrawReadingC(5, { thermocoupleType: 'K' })).toBe(5);
  });

  it('cannot be disabled by any setting that passes validation: the lowest endTipC and withdrawMarginC still leave it', () => {
    const thaw = SETTINGS_JSON_SCHEMA.properties?.thaw?.properties;
    const lowest = { endTipC: thaw?.endTipC?.minimum, withdrawMarginC: thaw?.withdrawMarginC?.minimum };
    expect(lowest).toEqual({ endTipC: 0, withdrawMarginC: 0 });
    const settings = parseSettings({ thaw: lowest }, 'test');
    for (const thermocoupleType of ['T', 'K'] as const) {
      const u = CALIBRATED_TIP_UNCERTAINTY_C[thermocoupleType];
      expect(thawEndReadingC(settings.thaw.endTipC, { thermocoupleType }) - settings.thaw.endTipC).toBeCloseTo(u, 12);
      expect(withdrawReadingC(settings.thaw.withdrawMarginC, { thermocoupleType }) - WITHDRAW_FLOOR_C).toBe(u);
    }
  });
});

describe("a thaw's end judged with the calibration uncertainty (refreeze-before-thaw)", () => {
  it('does not end the thaw while the reading is above thaw.endTipC (0 C) but within the uncertainty: a calibration 1 C warm shows a true -0.1 C as +0.9 C', () => {
    const d = thawWithReadingAt(0.9);
    expect(refroze(d)).toBe(false);
    expect(d.state.phase).toBe('Thawing');
    expect(trips(d.events)).toEqual([]);
  });

  it('ends the thaw and starts the next freeze once the reading is past thaw.endTipC plus the uncertainty (no false hold)', () => {
    expect(refroze(thawWithReadingAt(1.18 + 2 * RIPPLE_C))).toBe(true);
  });

  it('adds the margin to a raised thaw.endTipC too', () => {
    const settings = parseSettings({ thaw: { endTipC: 5 } }, 'test');
    expect(refroze(thawWithReadingAt(5.9, settings))).toBe(false);
    expect(refroze(thawWithReadingAt(6.18 + 2 * RIPPLE_C, settings))).toBe(true);
  });

  it("uses the probe's type: a Type K probe's 2.2 C", () => {
    expect(refroze(thawWithReadingAt(2.0, DEFAULT_SETTINGS, TYPE_K))).toBe(false);
    expect(refroze(thawWithReadingAt(2.2 + 2 * RIPPLE_C, DEFAULT_SETTINGS, TYPE_K))).toBe(true);
  });
});

describe('SAFE TO WITHDRAW judged with the calibration uncertainty', () => {
  const noMargin = parseSettings({ protocol: SHORT_PROTOCOL, thaw: { withdrawMarginC: 0 } }, 'test');

  it('is never declared with thaw.withdrawMarginC 0 while the reading is within the uncertainty of 0 C', () => {
    const d = completeWithReadingAt(0.9, noMargin);
    expect(d.steps.some((r) => r.state.safeToWithdraw)).toBe(false);
  });

  it('is declared once the reading is past 0 C plus the uncertainty for the dwell (no false hold)', () => {
    const d = completeWithReadingAt(1.18 + 2 * RIPPLE_C, noMargin);
    expect(d.state.safeToWithdraw).toBe(true);
  });
});
