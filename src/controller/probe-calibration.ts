// The attached probe's calibration as the controller sees it: whether it may be used, its
// thermocouple type (which sets the physical-floor tolerance) and the correction every tip
// reading passes through. Pure; the runtime looks the record up (src/runtime/calibration-provider.ts).
import type { Readings, TipSample } from '../../hal/contract.js';
import type { ThermocoupleType } from '../../kernel/probe.js';

export interface ProbeCalibration {
  /** The probe may be used: a record exists, its signature (HMAC with the console key) holds, its type matches, not expired. */
  readonly ok: boolean;
  /** Why not, naming the probe and what to do; null when ok. */
  readonly problem: string | null;
  /** The board's thermocouple type (the record's, when ok: they must agree). */
  readonly thermocoupleType: ThermocoupleType;
  /** calibrated = gain * raw + offsetC; identity when not ok (start is blocked anyway). */
  readonly offsetC: number;
  readonly gain: number;
  /** The probe's outer diameter, mm, from its calibration record (calibration/record.ts
   * probeOdMm); null when the record states none, or when not ok. The live ice-ball estimate
   * models the probe with it, and with the setting iceBall.probeOdMm only when it is null
   * (probeOdMmFor). */
  readonly probeOdMm: number | null;
}

/** The probe outer diameter the live ice-ball estimate models, mm: the attached probe's own, from
 * its calibration record, when the record states it; else the setting iceBall.probeOdMm. */
export function probeOdMmFor(cal: Pick<ProbeCalibration, 'probeOdMm'>, settingOdMm: number): number {
  return cal.probeOdMm ?? settingOdMm;
}

/**
 * ASTM E230 standard tolerance at -78.5 C (shared/domain.md section 5): how far a healthy sensor
 * may read below the true sublimation floor. The physical-floor interlock uses the probe's type.
 */
export const TC_TOLERANCE_AT_SUBLIMATION_C: Readonly<Record<ThermocoupleType, number>> = { T: 1.18, K: 2.2 };

/**
 * How far a calibrated tip reading may be from the true tip, C, by thermocouple type: the margin
 * every "the tip has thawed" judgement adds (thawEndReadingC, withdrawReadingC). The calibration
 * record states no uncertainty of its own: its fit.maxResidualC and acceptance.maxResidualC (at
 * most 0.5 C, calibration/fit.ts) bound the residuals at the bath points on the day it was made,
 * not the reading in use, which also carries the bath reference's own error, the front-end's
 * cold-junction sensor as the board warms (up to +-0.7 C, MAX31856 data sheet) and the probe's
 * drift with thermal cycling over the record's 180 days. So a calibrated reading is trusted no
 * closer than the type's ASTM E230 standard tolerance, at its largest over the console's range
 * (at -78.5 C; shared/domain.md section 5): Type T +-1.18 C (+-1.0 C at 0 C), Type K +-2.2 C. A
 * record that reads 1 C warm otherwise let a refreeze start on a tip truly at -1 C (the fuzzer's
 * refreeze-before-thaw; issue 11). Constants in code: no setting or record can lower them.
 */
export const CALIBRATED_TIP_UNCERTAINTY_C: Readonly<Record<ThermocoupleType, number>> = Object.freeze({ T: 1.18, K: 2.2 });

/** The calibrated reading's uncertainty for this probe, C (CALIBRATED_TIP_UNCERTAINTY_C by its type). */
export function tipUncertaintyC(cal: Pick<ProbeCalibration, 'thermocoupleType'>): number {
  return CALIBRATED_TIP_UNCERTAINTY_C[cal.thermocoupleType];
}

/**
 * The calibrated reading every tip channel must exceed for a thaw to count as done (the thaw's
 * end, the next freeze of the site, the stuck-sensor check's "thawed"): thaw.endTipC plus the
 * reading's uncertainty, so the true tip is above thaw.endTipC even when the reading is as warm as
 * the calibration can be wrong.
 */
export function thawEndReadingC(endTipC: number, cal: Pick<ProbeCalibration, 'thermocoupleType'>): number {
  return endTipC + tipUncertaintyC(cal);
}

/** The withdrawal verdict's floor on the true tip: a probe is never declared safe to pull with the
 * tip below the melting point of ice (domain section 4: a frozen probe tears tissue). */
export const WITHDRAW_FLOOR_C = 0;

/**
 * The calibrated reading every tip channel must exceed before SAFE TO WITHDRAW: 0 C plus
 * thaw.withdrawMarginC, and that margin never less than the reading's uncertainty, so the true
 * tip is above 0 C even when the reading is as warm as the calibration can be wrong (a margin of 0
 * passes the settings' validation). The default 2 C already covers Type T's 1.18 C.
 */
export function withdrawReadingC(withdrawMarginC: number, cal: Pick<ProbeCalibration, 'thermocoupleType'>): number {
  return WITHDRAW_FLOOR_C + Math.max(withdrawMarginC, tipUncertaintyC(cal));
}

export function uncalibrated(thermocoupleType: ThermocoupleType, problem: string): ProbeCalibration {
  return { ok: false, problem, thermocoupleType, offsetC: 0, gain: 1, probeOdMm: null };
}

/** A usable calibration; `probeOdMm` is the record's probe diameter, mm, or null when it states none. */
export function calibrated(thermocoupleType: ThermocoupleType, offsetC: number, gain: number, probeOdMm: number | null = null): ProbeCalibration {
  return { ok: true, problem: null, thermocoupleType, offsetC, gain, probeOdMm };
}

/**
 * The console side's liveness as the loop sees it (issue 9): whether an operator console page is
 * being served (false with `--no-web`, in simulations and tests), and when, on the step's own
 * clock, the console side last answered. The runtime fills it from the ConsoleLink; CONSOLE_LOST
 * judges it.
 */
export interface ConsoleWatch {
  readonly watched: boolean;
  /** When it last acknowledged a snapshot (its start counts as heard, so a console side that never
   * answers is lost after console.lostMs too). Null when not watched; null while watched is
   * judged as never heard (lost). */
  readonly lastHeardMs: number | null;
}

/** No console page: CONSOLE_LOST never trips. */
export const CONSOLE_UNWATCHED: ConsoleWatch = Object.freeze({ watched: false, lastHeardMs: null });

/**
 * The treatment records' health as the loop sees it (issue 10): whether records are kept (false
 * in simulations and tests, and in a run from the TypeScript sources, which says so), why they
 * cannot be written now (a store error the records worker reported, the worker lost), and when,
 * on the step's own clock, the records side last acknowledged a batch. The runtime fills it from
 * its RecordsLink; RECORDS_UNAVAILABLE judges it.
 */
export interface RecordsWatch {
  readonly watched: boolean;
  /** Why records cannot be written now, or null. */
  readonly failure: string | null;
  /** When the records side last acknowledged (its start counts); null while watched is judged as
   * never heard (unavailable). */
  readonly lastHeardMs: number | null;
}

/** No records kept: RECORDS_UNAVAILABLE never trips. */
export const RECORDS_UNWATCHED: RecordsWatch = Object.freeze({ watched: false, failure: null, lastHeardMs: null });

/** What the step reads: the HAL's readings with tips corrected, plus the probe's calibration, the
 * console side's liveness and the records' health. */
export interface ControllerReadings extends Readings {
  readonly calibration: ProbeCalibration;
  readonly console: ConsoleWatch;
  readonly records: RecordsWatch;
}

function correct(sample: TipSample, cal: ProbeCalibration): TipSample {
  return { ...sample, tipC: cal.gain * sample.tipC + cal.offsetC };
}

/**
 * Every tip reading passes through the probe's calibration (fault bits and NaN pass unchanged).
 * Runs every tick: with an identity calibration the tip list itself is kept, and the readings are
 * one literal with every field named (a spread with fields added cost microseconds, bench/sim.ts).
 */
export function calibrateReadings(
  readings: Readings,
  cal: ProbeCalibration,
  watch: ConsoleWatch = CONSOLE_UNWATCHED,
  records: RecordsWatch = RECORDS_UNWATCHED,
): ControllerReadings {
  const identity = cal.gain === 1 && cal.offsetC === 0;
  return {
    tips: identity ? readings.tips : readings.tips.map((t) => correct(t, cal)),
    supply: readings.supply,
    returnLine: readings.returnLine,
    probe: readings.probe,
    operator: readings.operator,
    halFault: readings.halFault,
    calibration: cal,
    console: watch,
    records,
  };
}
