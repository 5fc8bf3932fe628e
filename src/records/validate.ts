// The store's boundary: what the records worker hands in is checked once here, and a refusal
// names the field and value and writes nothing (RecordsError 'invalid'). Readings are checked for
// being representable (finite or null), not for being plausible: a record keeps what the console
// read, a faulty transducer's wild value included.
import { z } from 'zod';
import { describeIssues } from '../../kernel/config-error.js';
import { PHASES } from '../controller/types.js';
import { RecordsError } from './errors.js';
import { NERVE_SIDES, TREATMENT_OUTCOMES } from './types.js';

/** Tip channels a sample may carry; channel 0, the control channel, is always there. Eight is
 * what the front-end's protocol carries (a probe has at most 4 thermocouples and every shipped
 * board file reads 1: hal/serial/config.ts), and bounds a row's size. */
export const MAX_TIP_CHANNELS = 8;
/** Samples per append: ten minutes at 10 Hz, far above the worker's batch of five every 500 ms,
 * and room to catch up after a stall; it bounds one transaction's time and memory. */
export const MAX_SAMPLES_PER_APPEND = 6_000;
export const MAX_EVENTS_PER_APPEND = 1_000;
/** An event's detail as JSON: a controller event is well under 1 KB; 64 KiB leaves room for a
 * runtime event carrying a stack trace while keeping a runaway object out of the file. */
export const MAX_EVENT_DETAIL_CHARS = 65_536;
/** A day: no treatment lasts as long (the longest preset is under 10 minutes). */
export const MAX_TREATMENT_MS = 86_400_000;
/** Identifiers, versions, names, checksums and pseudonymous references. */
export const MAX_TEXT_CHARS = 256;
/** Cycles of one treatment: the settings allow at most 10; room for a stop and resume. */
export const MAX_CYCLES = 100;

/** An ice-ball radius a record keeps, mm: the modelled ice ball of a CO2 probe stays under 10 mm
 * (domain section 3: r(0 C) 7.6 mm after 180 s at a -70 C wall, an upper bound); 100 mm is ten
 * times that, so only a corrupt value is refused. */
export const MAX_ICE_BALL_RADIUS_MM = 100;

const text = z.string().min(1).max(MAX_TEXT_CHARS);
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'expected a SHA-256 in lower-case hex');
const epochMs = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const reading = z.number().nullable();
const durationS = z.number().min(0).max(MAX_TREATMENT_MS / 1000);
const tMs = z.number().min(0).max(MAX_TREATMENT_MS);

export const TreatmentStartSchema = z.strictObject({
  startedAtEpochMs: epochMs,
  console: z.strictObject({ consoleId: text, softwareVersion: text, boardName: text, boardSha256: sha256Hex }),
  protocol: z.strictObject({ cycles: z.number().int().min(1).max(MAX_CYCLES), freezeS: durationS, thawS: durationS }),
  settingsSha256: sha256Hex,
  probe: z.strictObject({ probeId: text.nullable(), calibrationId: text.nullable(), calibrationChecksum: text.nullable() }),
  target: z.strictObject({ nerveId: text, side: z.enum(NERVE_SIDES) }).nullable(),
  patientRef: text.nullable(),
  operatorId: text.nullable(),
});

export const SampleRowSchema = z.strictObject({
  tMs,
  phase: z.enum(PHASES),
  tipC: z.array(reading).min(1).max(MAX_TIP_CHANNELS),
  supplyBarGauge: reading,
  returnBarAbs: reading,
  supplyValveOpen: z.boolean(),
  safetyValveOpen: z.boolean(),
});

export const EventRowSchema = z.strictObject({
  tMs,
  kind: text,
  detail: z.record(z.string(), z.unknown()),
});

const radiusMm = z.number().min(0).max(MAX_ICE_BALL_RADIUS_MM);

/** A freeze's verdict as the records keep it (types.ts CycleVerdict). */
export const CycleVerdictSchema = z.strictObject({
  r20MmAtEnd: radiusMm.nullable(),
  targetMm: radiusMm.positive(),
  effective: z.boolean(),
});

export const CycleRowSchema = z.strictObject({
  index: z.number().int().min(0).max(MAX_CYCLES),
  freezeS: durationS,
  thawS: durationS,
  minTipC: reading,
  secondsToMinus50C: durationS.nullable(),
  belowMinus20S: durationS,
  belowMinus40S: durationS,
  verdict: CycleVerdictSchema.nullable(),
});

export const TreatmentEndSchema = z.strictObject({
  endedAtEpochMs: epochMs,
  outcome: z.enum(TREATMENT_OUTCOMES),
  cycles: z
    .array(CycleRowSchema)
    .max(MAX_CYCLES)
    .refine((cycles) => new Set(cycles.map((c) => c.index)).size === cycles.length, 'two cycles have the same index'),
  frozenMs: z.number().min(0).max(MAX_TREATMENT_MS),
  samplesDropped: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
});

/** `input` parsed by `schema`, or a RecordsError 'invalid' naming every bad field and value. */
export function checked<T>(schema: z.ZodType<T>, file: string, source: string, input: unknown): T {
  const result = schema.safeParse(input);
  if (!result.success) throw new RecordsError('invalid', describeIssues(`${file}: ${source}`, result.error, input));
  return result.data;
}

const IdSchema = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

export function checkedId(file: string, operation: string, id: unknown): number {
  return checked(IdSchema, file, `${operation}: treatment id`, id);
}
