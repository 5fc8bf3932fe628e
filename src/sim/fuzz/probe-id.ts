// The probe's id read wrong while the probe reads present, in a fuzz run: the id chip misreads for
// a run of samples (another valid-looking id, garbage, or none) with the probe attached throughout.
// A probe id other than the one read asks the runtime for a read of that id's record
// (src/runtime/calibration-provider.ts PreloadedCalibration); another probe's id may have a record
// in the store (another probe of the same clinic's), which a treatment must never take for the
// attached probe's. The presence glitches (calibration.ts) make the id read none only while the
// probe reads absent; nothing else in the fuzzer made it read wrong while present.
import { z } from 'zod';
import type { Random } from '../../../kernel/random.js';
import { PROBE_OD_MM_MAX, PROBE_OD_MM_MIN, isValidProbeId } from '../../../kernel/probe.js';
import { DEFAULT_FIT_LIMITS, MAX_OFFSET_C } from '../../../calibration/fit.js';
import { DEFAULT_PLANT_PARAMS } from '../../../hil/plant/index.js';
import type { Hal } from '../../../hal/contract.js';
import type { Settings } from '../../controller/settings.js';
import { calibrated, uncalibrated } from '../../controller/probe-calibration.js';
import type { ProbeCalibration } from '../../controller/probe-calibration.js';
import type { CalibrationProvider } from '../../runtime/calibration-provider.js';

/** A usable record of another probe in the store, under the misread id. */
export interface OtherProbeRecord {
  readonly offsetC: number;
  readonly gain: number;
  readonly probeOdMm?: number;
}

/** From `atMs` (inclusive) for `durationMs`, while the probe reads present, its id reads `id`
 * (null: no id) instead of the attached probe's; `record`: the store holds one for that id. */
export interface ProbeIdMisread {
  readonly atMs: number;
  readonly durationMs: number;
  readonly id: string | null;
  readonly record?: OtherProbeRecord;
}

/** Longer than any id a record can be named by, and bounded (a scenario file is never unbounded). */
const MAX_MISREAD_ID_CHARS = 128;

export const ProbeIdMisreadSchema = z
  .object({
    atMs: z.number().min(0),
    durationMs: z.number().positive(),
    id: z.string().max(MAX_MISREAD_ID_CHARS).nullable(),
    record: z
      .object({
        offsetC: z.number().min(-MAX_OFFSET_C).max(MAX_OFFSET_C),
        gain: z.number().min(DEFAULT_FIT_LIMITS.gainMin).max(DEFAULT_FIT_LIMITS.gainMax),
        probeOdMm: z.number().min(PROBE_OD_MM_MIN).max(PROBE_OD_MM_MAX).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/**
 * What a scenario's misreads break, as [path, message] pairs: a misread reads an id other than the
 * attached probe's (the plant's), and only an id that can name a record file has a record.
 */
export function probeIdMisreadProblems(s: { readonly probeIdMisreads?: readonly ProbeIdMisread[]; readonly plant: Readonly<Record<string, unknown>> }): [readonly (string | number)[], string][] {
  const out: [readonly (string | number)[], string][] = [];
  const plantId: unknown = s.plant.probeId === undefined ? DEFAULT_PLANT_PARAMS.probeId : s.plant.probeId;
  (s.probeIdMisreads ?? []).forEach((m, i) => {
    if (m.id === plantId) out.push([['probeIdMisreads', i, 'id'], `${JSON.stringify(m.id)} is the attached probe's id (plant.probeId): a misread reads another id`]);
    if (m.record !== undefined && (m.id === null || !isValidProbeId(m.id))) {
      out.push([['probeIdMisreads', i, 'record'], `id ${JSON.stringify(m.id)} cannot name a calibration record: no record can be stored under it`]);
    }
  });
  return out;
}

/** The end of the last misread (the hang check's quiet time), 0 when none. */
export function misreadsQuietFromMs(misreads: readonly ProbeIdMisread[] | undefined): number {
  let lastMs = 0;
  for (const m of misreads ?? []) lastMs = Math.max(lastMs, m.atMs + m.durationMs);
  return lastMs;
}

/** The id a probe reading present reports at `nowMs`: the first misread active then, else `id`. */
export function misreadIdAt(misreads: readonly ProbeIdMisread[], nowMs: number, id: string | null): string | null {
  for (const m of misreads) if (nowMs >= m.atMs && nowMs < m.atMs + m.durationMs) return m.id;
  return id;
}

/** The sim back-end with the misreads laid over its probe id reads (only while the probe reads present). */
export function withProbeIdMisreads(hal: Hal, misreads: readonly ProbeIdMisread[], nowMs: () => number): Hal {
  if (misreads.length === 0) return hal;
  return {
    kind: hal.kind,
    read: () => {
      const readings = hal.read();
      if (!readings.probe.present) return readings;
      const id = misreadIdAt(misreads, nowMs(), readings.probe.id);
      return id === readings.probe.id ? readings : { ...readings, probe: { ...readings.probe, id } };
    },
    write: (outputs) => {
      hal.write(outputs);
    },
    toSafeState: () => {
      hal.toSafeState();
    },
    close: () => hal.close(),
  };
}

/**
 * `provider` with the misreads' records in the store beside it: a misread id with a record answers
 * that (usable) record, as the store would; an id that cannot name a file answers unusable, as the
 * store's ProbeIdError does; any other id is `provider`'s to answer.
 */
export function withOtherProbeRecords(provider: CalibrationProvider, misreads: readonly ProbeIdMisread[]): CalibrationProvider {
  const records = new Map<string, ProbeCalibration>();
  for (const m of misreads) if (m.id !== null && m.record !== undefined) records.set(m.id, calibrated('T', m.record.offsetC, m.record.gain, m.record.probeOdMm ?? null));
  return {
    lookup: (probeId, recheck) => {
      if (probeId !== null && !isValidProbeId(probeId)) return uncalibrated('T', `probe id ${JSON.stringify(probeId)} is not a valid probe id`);
      return (probeId === null ? undefined : records.get(probeId)) ?? provider.lookup(probeId, recheck);
    },
  };
}

/** The earliest a misread begins, ms: after the loop's first sample (at 0), which reads the id. */
const FIRST_MISREAD_MS = 1;
/** Of the runs with a drawn calibration record, this share has probe id misreads. */
export const MISREAD_P = 0.5;
const MAX_MISREADS = 3;
/** A misread lasts from one sample to this, log-uniform (median about half a second at 50 Hz):
 * mostly a few samples, now and then long enough to span a withdrawal dwell (thaw.withdrawDwellMs,
 * 2-60 s) or a start's self-test (a chip reading another probe's id for seconds: a contact gone
 * bad, not a probe changed). */
const MAX_MISREAD_MS = 60_000;
/** What the chip reads: another probe's id (that probe's record in the store in some), garbage, none. */
const MISREAD_KINDS: readonly (readonly ['other' | 'garbage' | 'none', number])[] = [['other', 3], ['garbage', 1], ['none', 1]];
const OTHER_HAS_RECORD_P = 0.6;
const OTHER_STATES_OD_P = 0.7;

/** Misreads at times drawn by `at`, for the plant's default probe (drawScenario never changes its id). */
export function drawProbeIdMisreads(random: Random, settings: Settings, at: () => number): ProbeIdMisread[] {
  if (random.next() >= MISREAD_P) return [];
  const uniform = (min: number, max: number): number => min + random.next() * (max - min);
  const periodMs = 1000 / settings.loop.rateHz;
  const plantId = DEFAULT_PLANT_PARAMS.probeId ?? 'SIM-PROBE-001';
  const n = 1 + Math.floor(random.next() * MAX_MISREADS);
  const out: ProbeIdMisread[] = [];
  for (let i = 0; i < n; i += 1) {
    // After the first sample: a misread from power-up is the probe's id as far as anything can
    // tell (seed 32206905: another probe's record read from 0 to 6.5 s, its 1.77 mm probe
    // modelled for the 0.48 mm one attached), which no controller can be asked to see through.
    const atMs = Math.max(at(), FIRST_MISREAD_MS);
    const durationMs = Math.max(1, Math.round(Math.exp(uniform(Math.log(periodMs), Math.log(MAX_MISREAD_MS)))));
    let u = random.next() * MISREAD_KINDS.reduce((sum, [, w]) => sum + w, 0);
    let kind: 'other' | 'garbage' | 'none' = 'other';
    for (const [k, w] of MISREAD_KINDS) {
      u -= w;
      if (u < 0) {
        kind = k;
        break;
      }
    }
    if (kind === 'none') out.push({ atMs, durationMs, id: null });
    else if (kind === 'garbage') {
      // A bit error: one character of the real id replaced by one no id may hold.
      const k = Math.floor(random.next() * plantId.length);
      out.push({ atMs, durationMs, id: `${plantId.slice(0, k)}?${plantId.slice(k + 1)}` });
    } else {
      const id = `SIM-PROBE-${String(2 + Math.floor(random.next() * 998)).padStart(3, '0')}`;
      if (random.next() >= OTHER_HAS_RECORD_P) out.push({ atMs, durationMs, id });
      else {
        const probeOdMm = random.next() < OTHER_STATES_OD_P ? uniform(PROBE_OD_MM_MIN, PROBE_OD_MM_MAX) : undefined;
        const record = { offsetC: uniform(-MAX_OFFSET_C, MAX_OFFSET_C), gain: uniform(DEFAULT_FIT_LIMITS.gainMin, DEFAULT_FIT_LIMITS.gainMax), ...(probeOdMm === undefined ? {} : { probeOdMm }) };
        out.push({ atMs, durationMs, id, record });
      }
    }
  }
  return out.sort((a, b) => a.atMs - b.atMs);
}
