// The calibration record of one probe: its schema (validated once, when a file is read), how a
// record is built from an accepted fit, how it is sealed on disk, and how a file is checked:
// format, schema, signature (an edited or foreign file), then the record against the product's
// own limits (calibration/fit.ts, constants in code): never against limits the file carries.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { describeIssues } from '../kernel/config-error.js';
import { PROBE_ID_RULE, PROBE_OD_MM_MAX, PROBE_OD_MM_MIN, THERMOCOUPLE_TYPES, isValidProbeId } from '../kernel/probe.js';
import { canonicalJson, sha256Hex } from './canonical.js';
import { CalibrationCorruptError, CalibrationRejectedError, ProbeIdError } from './errors.js';
import { DEFAULT_FIT_LIMITS, fitCalibration, resolveFitLimits } from './fit.js';
import type { FitLimits } from './fit.js';
import { BATHS } from './types.js';
import type { Bath, ThermocoupleType } from './types.js';

/**
 * Version of the file format; bump it (and migrate) when a field changes meaning. 2: sealed with
 * an HMAC-SHA256 under the console's key. Format 1 carried a bare sha256 anyone could recompute.
 */
export const CALIBRATION_FORMAT = 2;
/** A calibration is valid for 180 days (issue 3): thermocouples drift with thermal cycling. */
export const CALIBRATION_VALIDITY_DAYS = 180;
/**
 * 5 min: how far a record's calibratedAt may lie ahead of the console's clock. A record is
 * written with this console's own clock, so only a clock step (NTP correcting a few seconds, an
 * RTC that drifted) separates the two. A date further ahead is a forged record or a clock set
 * back, and either way the expiry cannot be trusted.
 */
export const CALIBRATION_CLOCK_TOLERANCE_MS = 5 * 60_000;
export const MS_PER_DAY = 86_400_000;
/** How far a stored fit may differ from a refit of its stored points: float noise only. */
const REFIT_TOLERANCE = 1e-9;


/** Throws ProbeIdError naming the id unless it is safe as a file name. */
export function checkProbeId(probeId: string): string {
  if (!isValidProbeId(probeId)) throw new ProbeIdError(probeId);
  return probeId;
}

/** Absolute zero to Type K's upper limit (1372 C): any temperature a thermocouple can report; a
 * point beyond them (a reference or raw reading) is refused in a record and by `calibration fit`. */
export const POINT_MIN_C = -273.15;
export const POINT_MAX_C = 1372;
const temperatureC = z.number().min(POINT_MIN_C).max(POINT_MAX_C);
// No trimming transform: the parsed record must equal the file, or its signature would not match.
const text = (maxLength: number) =>
  z.string().min(1).max(maxLength).refine((s) => s.trim().length > 0, 'must not be blank');
const isoDate = z.iso.datetime({ offset: true });

export const CalibrationRecordSchema = z
  .object({
    format: z.literal(CALIBRATION_FORMAT),
    probeId: z.string().refine(isValidProbeId, `not a valid probe id (${PROBE_ID_RULE})`),
    thermocoupleType: z.enum(THERMOCOUPLE_TYPES),
    points: z
      .array(z.object({ bath: z.enum(BATHS), referenceC: temperatureC, rawC: temperatureC, residualC: z.number() }).strict())
      .min(1)
      .max(16),
    fit: z.object({ offsetC: z.number(), gain: z.number().positive(), maxResidualC: z.number().min(0) }).strict(),
    /** The limits the fit was accepted under (the product's, or tighter), so the certificate can state them. */
    acceptance: z
      .object({
        maxResidualC: z.number().positive(),
        minSpanC: z.number().min(0),
        gainMin: z.number().positive(),
        gainMax: z.number().positive(),
        maxOffsetC: z.number().positive(),
      })
      .strict(),
    calibratedAt: isoDate,
    calibratedBy: text(200),
    referenceThermometerId: text(200).nullable(),
    expiresAt: isoDate,
    softwareVersion: text(64),
    /**
     * The probe's outer diameter, mm, as the engineer states it from the probe's label: the live
     * ice-ball estimate models this probe with it (src/controller/ice-ball-estimate.ts), so a probe
     * other than the one the settings name (iceBall.probeOdMm) is no longer modelled wrong. Absent
     * in a record made without it (and in every record made before it existed, whose seal is
     * unchanged): the estimate then uses the setting. The same bounds as the setting.
     */
    probeOdMm: z.number().min(PROBE_OD_MM_MIN).max(PROBE_OD_MM_MAX).optional(),
  })
  .strict();

export type CalibrationRecord = Readonly<z.infer<typeof CalibrationRecordSchema>>;

/** The file on disk: the record and its seal, HMAC-SHA256 (lower-case hex) of the record's canonical JSON. */
export const CalibrationFileSchema = CalibrationRecordSchema.extend({
  hmacSha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits (HMAC-SHA256)'),
}).strict();

export type CalibrationFile = Readonly<z.infer<typeof CalibrationFileSchema>>;

export interface CalibrationInput {
  readonly probeId: string;
  readonly thermocoupleType: ThermocoupleType;
  readonly points: readonly { readonly bath: Bath; readonly referenceC: number; readonly rawC: number }[];
  readonly calibratedAt: Date | string;
  readonly calibratedBy: string;
  readonly referenceThermometerId: string | null;
  readonly softwareVersion: string;
  /** Default and most CALIBRATION_VALIDITY_DAYS. */
  readonly validityDays?: number;
  /** The probe's outer diameter, mm (CalibrationRecordSchema probeOdMm); null or absent: not stated. */
  readonly probeOdMm?: number | null;
  /** The product's limits, tightened (resolveFitLimits refuses looser ones). */
  readonly limits?: Partial<FitLimits>;
}

/** HMAC-SHA256, lower-case hex, of the record's canonical JSON (calibration/canonical.ts) under `key`. */
export function recordHmac(record: CalibrationRecord, key: Buffer): string {
  return createHmac('sha256', key).update(canonicalJson(recordFields(record)), 'utf8').digest('hex');
}

/** The record with its seal, as written to disk. */
export function sealRecord(record: CalibrationRecord, key: Buffer): CalibrationFile {
  const fields = recordFields(record);
  return { ...fields, hmacSha256: recordHmac(fields, key) };
}

/** sha256 of the record's canonical JSON: names the exact record on a certificate. Not a seal: anyone can compute it. */
export function recordFingerprint(record: CalibrationRecord): string {
  return sha256Hex(recordFields(record));
}

/** The record's own fields, without a seal a file may have carried. */
function recordFields(record: CalibrationRecord): CalibrationRecord {
  const fields: Record<string, unknown> = { ...record };
  delete fields.hmacSha256;
  return fields as CalibrationRecord;
}

/** Fit the points and build the record; throws CalibrationRejectedError unless fit and fields are acceptable. */
export function buildCalibrationRecord(input: CalibrationInput): CalibrationRecord {
  checkProbeId(input.probeId);
  let limits: FitLimits;
  try {
    limits = resolveFitLimits(input.limits);
  } catch (err) {
    if (err instanceof RangeError) throw new CalibrationRejectedError(input.probeId, [err.message]);
    throw err;
  }
  const fit = fitCalibration(input.points, limits);
  if (!fit.accepted) throw new CalibrationRejectedError(input.probeId, fit.rejectionReasons);
  const validityDays = input.validityDays ?? CALIBRATION_VALIDITY_DAYS;
  const calibratedAtMs = new Date(input.calibratedAt).getTime();
  if (!(validityDays > 0 && validityDays <= CALIBRATION_VALIDITY_DAYS) || !Number.isFinite(calibratedAtMs)) {
    throw new CalibrationRejectedError(input.probeId, [
      `calibratedAt ${String(input.calibratedAt)} / validityDays ${validityDays}: need a valid date and 1 to ${CALIBRATION_VALIDITY_DAYS} days`,
    ]);
  }
  const record: CalibrationRecord = {
    format: CALIBRATION_FORMAT,
    probeId: input.probeId,
    thermocoupleType: input.thermocoupleType,
    points: input.points.map((p, i) => ({ bath: p.bath, referenceC: p.referenceC, rawC: p.rawC, residualC: fit.residualsC[i] ?? NaN })),
    fit: { offsetC: fit.offsetC, gain: fit.gain, maxResidualC: fit.maxResidualC },
    acceptance: { ...limits },
    calibratedAt: new Date(calibratedAtMs).toISOString(),
    calibratedBy: input.calibratedBy,
    referenceThermometerId: input.referenceThermometerId,
    expiresAt: new Date(calibratedAtMs + validityDays * MS_PER_DAY).toISOString(),
    softwareVersion: input.softwareVersion,
    // Absent, not null, when not stated: a record without it seals as every record before it did.
    ...(input.probeOdMm === undefined || input.probeOdMm === null ? {} : { probeOdMm: input.probeOdMm }),
  };
  const result = CalibrationRecordSchema.safeParse(record);
  if (!result.success) {
    throw new CalibrationRejectedError(input.probeId, describeIssues('record', result.error, record).split('\n'));
  }
  return result.data;
}

/**
 * Check an unsealed record (before it is sealed and written): schema, then the product's limits.
 * Throws CalibrationCorruptError naming `source` and every problem.
 */
export function checkCalibrationRecord(input: unknown, source: string): CalibrationRecord {
  const record = parseSchema(CalibrationRecordSchema, input, source);
  const problems = recordProblems(record);
  if (problems.length > 0) throw new CalibrationCorruptError(source, problems);
  return record;
}

/**
 * Check parsed JSON from `source` (a file path) sealed under `key`, and return the record without
 * its seal. Throws CalibrationCorruptError naming the source and every problem: an older format,
 * schema (field path and value), a seal that does not match (an edited file, or one from another
 * console), or a record the product's limits refuse.
 */
export function parseCalibrationFile(input: unknown, source: string, key: Buffer): CalibrationRecord {
  const legacy = legacyProblem(input);
  if (legacy !== null) throw new CalibrationCorruptError(source, [legacy]);
  const file = parseSchema(CalibrationFileSchema, input, source);
  const record = recordFields(file);
  const expected = Buffer.from(recordHmac(record, key), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(file.hmacSha256, 'hex'))) {
    throw new CalibrationCorruptError(source, [
      'signature mismatch: the file was edited, damaged or written by another console; recalibrate the probe',
    ]);
  }
  const problems = recordProblems(record);
  if (problems.length > 0) throw new CalibrationCorruptError(source, problems);
  return record;
}

/** Why a parsed file is a record of an older, untrusted format (format 1, a bare sha256 checksum), or null. */
export function legacyProblem(input: unknown): string | null {
  if (typeof input !== 'object' || input === null) return null;
  const fields = input as Record<string, unknown>;
  if (fields.format !== 1 && !('checksum' in fields)) return null;
  return (
    `format ${String(fields.format)}: an older record sealed with a bare sha256 checksum, which anyone can recompute after an edit; ` +
    'this console trusts only records it signed: recalibrate the probe'
  );
}

function parseSchema<T>(schema: z.ZodType<T>, input: unknown, source: string): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const prefix = `${source}: `;
  const lines = describeIssues(source, result.error, input).split('\n');
  throw new CalibrationCorruptError(source, lines.map((l) => (l.startsWith(prefix) ? l.slice(prefix.length) : l)));
}

/** Everything wrong with a record by the product's limits (constants in code), one line each. */
function recordProblems(record: CalibrationRecord): string[] {
  const problems = dateProblems(record);
  const refit = fitCalibration(record.points, DEFAULT_FIT_LIMITS);
  if (!refit.accepted) problems.push(`points: refused by the product's limits: ${refit.rejectionReasons.join('; ')}`);
  let recorded: FitLimits | null = null;
  try {
    // The recorded limits may be tighter than the product's, never looser.
    recorded = resolveFitLimits(record.acceptance);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    problems.push(`acceptance: ${err.message}`);
  }
  const underRecorded = recorded === null ? null : fitCalibration(record.points, recorded);
  if (refit.accepted && underRecorded !== null && !underRecorded.accepted) {
    problems.push(`points: do not pass the recorded acceptance limits: ${underRecorded.rejectionReasons.join('; ')}`);
  }
  const differs = (a: number, b: number): boolean => !(Math.abs(a - b) <= REFIT_TOLERANCE);
  for (const key of ['offsetC', 'gain', 'maxResidualC'] as const) {
    if (differs(record.fit[key], refit[key])) problems.push(`fit.${key}: ${record.fit[key]} does not follow from the points (refit gives ${refit[key]})`);
  }
  record.points.forEach((p, i) => {
    const expected = refit.residualsC[i] ?? NaN;
    if (differs(p.residualC, expected)) problems.push(`points.${i}.residualC: ${p.residualC} does not follow from the fit (expected ${expected})`);
  });
  return problems;
}

function dateProblems(record: CalibrationRecord): string[] {
  const validMs = Date.parse(record.expiresAt) - Date.parse(record.calibratedAt);
  if (!(validMs > 0)) return [`expiresAt: ${record.expiresAt} is not after calibratedAt ${record.calibratedAt}`];
  if (validMs > CALIBRATION_VALIDITY_DAYS * MS_PER_DAY) {
    return [`expiresAt: ${record.expiresAt} is more than ${CALIBRATION_VALIDITY_DAYS} days after calibratedAt ${record.calibratedAt}`];
  }
  return [];
}

/** Why a record's date cannot be trusted at `nowMs` (calibrated in the future beyond the clock tolerance), or null. */
export function futureDateProblem(record: CalibrationRecord, nowMs: number): string | null {
  if (Date.parse(record.calibratedAt) <= nowMs + CALIBRATION_CLOCK_TOLERANCE_MS) return null;
  return (
    `calibratedAt ${record.calibratedAt} is later than the console's clock (${new Date(nowMs).toISOString()}): ` +
    'the record or the clock is wrong; set the clock, then recalibrate the probe'
  );
}
