// Whether a probe's calibration may be used now. Pure: the caller loads the record (store.ts) and
// passes the clock reading; the CALIBRATION_INVALID interlock and the CLI share it.
import { futureDateProblem } from './record.js';
import type { CalibrationRecord } from './record.js';
import type { ThermocoupleType } from './types.js';

/** The outcome of loading a probe's record, as a value (store.ts loadCalibration). */
export type CalibrationLoad =
  | { readonly kind: 'loaded'; readonly record: CalibrationRecord }
  | { readonly kind: 'missing'; readonly message: string }
  | { readonly kind: 'corrupt'; readonly message: string };

export type CalibrationProblem = 'missing' | 'expired' | 'corrupt' | 'future' | 'wrong-type';

export type CalibrationStatus =
  | { readonly ok: true }
  | { readonly ok: false; readonly problem: CalibrationProblem; readonly message: string };

/**
 * ok, or the first problem in this order: missing, corrupt, future (calibrated after `now` beyond
 * the clock tolerance: its expiry cannot be trusted), wrong type (a different probe is needed, so
 * it outranks expiry), expired (now at or after expiresAt).
 */
export function calibrationStatus(
  loaded: CalibrationLoad | CalibrationRecord,
  now: Date | string,
  expectedType: ThermocoupleType,
): CalibrationStatus {
  const nowMs = new Date(now).getTime();
  if (!Number.isFinite(nowMs)) throw new RangeError(`calibrationStatus: now: not a date (got ${String(now)})`);
  if ('kind' in loaded && loaded.kind !== 'loaded') return { ok: false, problem: loaded.kind, message: loaded.message };
  const record = 'kind' in loaded ? loaded.record : loaded;
  const future = futureDateProblem(record, nowMs);
  if (future !== null) return { ok: false, problem: 'future', message: `probe '${record.probeId}': ${future} (cryo calibrate --probe ${record.probeId})` };
  if (record.thermocoupleType !== expectedType) {
    return {
      ok: false,
      problem: 'wrong-type',
      message:
        `probe '${record.probeId}': calibrated as Type ${record.thermocoupleType}, but the board expects Type ${expectedType}: ` +
        'fit the right probe or correct the board file',
    };
  }
  if (nowMs >= Date.parse(record.expiresAt)) {
    return {
      ok: false,
      problem: 'expired',
      message: `probe '${record.probeId}': calibration expired at ${record.expiresAt}: recalibrate it (cryo calibrate --probe ${record.probeId})`,
    };
  }
  return { ok: true };
}

/** Whether the record has expired at `now` (at or after expiresAt). */
export function isExpired(record: CalibrationRecord, now: Date): boolean {
  return now.getTime() >= Date.parse(record.expiresAt);
}
