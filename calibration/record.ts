// The calibration record of one probe: its schema (validated once, when a file is read), how a
// record is built from an accepted fit, and how a file's contents are checked: schema, then
// checksum (an edited file), then consistency of the stored fit with the stored points.
import { z } from 'zod';
import { describeIssues } from '../src/controller/settings.js';
import { sha256Hex } from './canonical.js';
import { CalibrationCorruptError, CalibrationRejectedError, ProbeIdError } from './errors.js';
import { fitCalibration, resolveFitLimits } from './fit.js';
import type { FitLimits } from './fit.js';
import { BATHS, RECORD_THERMOCOUPLE_TYPES } from './types.js';
import type { Bath, ThermocoupleType } from './types.js';

/** Version of the file format; bump it (and migrate) when a field changes meaning. */
export const CALIBRATION_FORMAT = 1;
/** A calibration is valid for 180 days (issue 3): thermocouples drift with thermal cycling. */
export const CALIBRATION_VALIDITY_DAYS = 180;
const MS_PER_DAY = 86_400_000;
/** How far a stored fit may differ from a refit of its stored points: float noise only. */
const REFIT_TOLERANCE = 1e-9;

/** Probe ids name files: letters, digits, '.', '_', '-', 1-64 characters, never '.' or '..'. */
export const PROBE_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

export function isValidProbeId(probeId: string): boolean {
  return PROBE_ID_PATTERN.test(probeId) && probeId !== '.' && probeId !== '..';
}

/** Throws ProbeIdError naming the id unless it is safe as a file name. */
export function checkProbeId(probeId: string): string {
  if (!isValidProbeId(probeId)) throw new ProbeIdError(probeId);
  return probeId;
}

// Absolute zero to Type K's upper limit (1372 C): any temperature a thermocouple can report.
const temperatureC = z.number().min(-273.15).max(1372);
// No trimming transform: the parsed record must equal the file, or its checksum would not match.
const text = (maxLength: number) =>
  z.string().min(1).max(maxLength).refine((s) => s.trim().length > 0, 'must not be blank');
const isoDate = z.iso.datetime({ offset: true });

export const CalibrationRecordSchema = z
  .object({
    format: z.literal(CALIBRATION_FORMAT),
    probeId: z.string().refine(isValidProbeId, 'not a valid probe id (1-64 of A-Z a-z 0-9 . _ -, not . or ..)'),
    thermocoupleType: z.enum(RECORD_THERMOCOUPLE_TYPES),
    points: z
      .array(z.object({ bath: z.enum(BATHS), referenceC: temperatureC, rawC: temperatureC, residualC: z.number() }).strict())
      .min(1),
    fit: z.object({ offsetC: z.number(), gain: z.number().positive(), maxResidualC: z.number().min(0) }).strict(),
    /** The limits the fit was accepted under, so the certificate can state them. */
    acceptance: z
      .object({ maxResidualC: z.number().positive(), minSpanC: z.number().min(0), gainMin: z.number().positive(), gainMax: z.number().positive() })
      .strict(),
    calibratedAt: isoDate,
    calibratedBy: text(200),
    referenceThermometerId: text(200).nullable(),
    expiresAt: isoDate,
    softwareVersion: text(64),
    /** sha256 hex of the canonical JSON of every other field (calibration/canonical.ts). */
    checksum: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits (sha256)'),
  })
  .strict();

export type CalibrationRecord = Readonly<z.infer<typeof CalibrationRecordSchema>>;

export interface CalibrationInput {
  readonly probeId: string;
  readonly thermocoupleType: ThermocoupleType;
  readonly points: readonly { readonly bath: Bath; readonly referenceC: number; readonly rawC: number }[];
  readonly calibratedAt: Date | string;
  readonly calibratedBy: string;
  readonly referenceThermometerId: string | null;
  readonly softwareVersion: string;
  /** Default CALIBRATION_VALIDITY_DAYS. */
  readonly validityDays?: number;
  readonly limits?: Partial<FitLimits>;
}

/** The checksum a record should carry: sha256 of the canonical JSON of all fields but `checksum`. */
export function recordChecksum(record: Omit<CalibrationRecord, 'checksum'> & { checksum?: string }): string {
  const fields: Record<string, unknown> = { ...record };
  delete fields.checksum;
  return sha256Hex(fields);
}

/** Fit the points and build the record; throws CalibrationRejectedError unless fit and fields are acceptable. */
export function buildCalibrationRecord(input: CalibrationInput): CalibrationRecord {
  checkProbeId(input.probeId);
  const limits = resolveFitLimits(input.limits);
  const fit = fitCalibration(input.points, limits);
  if (!fit.accepted) throw new CalibrationRejectedError(input.probeId, fit.rejectionReasons);
  const validityDays = input.validityDays ?? CALIBRATION_VALIDITY_DAYS;
  const calibratedAtMs = new Date(input.calibratedAt).getTime();
  if (!(validityDays > 0) || !Number.isFinite(calibratedAtMs)) {
    throw new CalibrationRejectedError(input.probeId, [`calibratedAt ${String(input.calibratedAt)} / validityDays ${validityDays}: need a valid date and a positive number of days`]);
  }
  const fields: Omit<CalibrationRecord, 'checksum'> = {
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
  };
  const record = { ...fields, checksum: recordChecksum(fields) };
  const result = CalibrationRecordSchema.safeParse(record);
  if (!result.success) {
    throw new CalibrationRejectedError(input.probeId, describeIssues('record', result.error, record).split('\n'));
  }
  return result.data;
}

/**
 * Check parsed JSON from `source` (a file path) and return the typed record. Throws
 * CalibrationCorruptError naming the source and every problem: schema (field path and value),
 * checksum mismatch (an edited or damaged file), or a stored fit that does not follow from the
 * stored points (a faulty writer).
 */
export function parseCalibrationRecord(input: unknown, source: string): CalibrationRecord {
  const result = CalibrationRecordSchema.safeParse(input);
  if (!result.success) {
    const prefix = `${source}: `;
    const lines = describeIssues(source, result.error, input).split('\n');
    throw new CalibrationCorruptError(source, lines.map((l) => (l.startsWith(prefix) ? l.slice(prefix.length) : l)));
  }
  const record = result.data;
  if (recordChecksum(record) !== record.checksum) {
    throw new CalibrationCorruptError(source, ['checksum mismatch: the file was edited or damaged; recalibrate the probe']);
  }
  const problems = consistencyProblems(record);
  if (problems.length > 0) throw new CalibrationCorruptError(source, problems);
  return record;
}

function consistencyProblems(record: CalibrationRecord): string[] {
  const problems: string[] = [];
  if (Date.parse(record.expiresAt) <= Date.parse(record.calibratedAt)) {
    problems.push(`expiresAt: ${record.expiresAt} is not after calibratedAt ${record.calibratedAt}`);
  }
  let limits: FitLimits;
  try {
    limits = resolveFitLimits(record.acceptance);
  } catch (err) {
    if (err instanceof RangeError) return [...problems, `acceptance: ${err.message}`];
    throw err;
  }
  const refit = fitCalibration(record.points, limits);
  if (!refit.accepted) problems.push(`points: do not pass the recorded acceptance limits: ${refit.rejectionReasons.join('; ')}`);
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
