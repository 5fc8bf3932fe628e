// What a scenario may set that the sim back-end's faults do not model: the probe's calibration
// (CALIBRATION_INVALID), a console page that goes silent (CONSOLE_LOST), treatment records that
// fail or go silent (RECORDS_UNAVAILABLE), and a board that reports its device lost (HAL_FAULT).
// Each is the input the runtime hands the controller in life, given here as a timeline; and the
// simulated probe's own error, which its calibration record corrects (or, deliberately, does not).
import { z } from 'zod';
import { DEFAULT_FIT_LIMITS, MAX_OFFSET_C } from '../../../calibration/fit.js';
import { PROBE_OD_MM_MAX, PROBE_OD_MM_MIN } from '../../../kernel/probe.js';
import type { ConsoleWatch, RecordsWatch } from '../../controller/probe-calibration.js';
import { calibrated, uncalibrated } from '../../controller/probe-calibration.js';
import { FixedCalibrationProvider } from '../../runtime/calibration-provider.js';
import type { RunEnvironment } from '../fuzz/run.js';

/** The simulated probe is Type T (src/sim/runner.ts SIM_PROBE_CALIBRATION). */
const SIM_PROBE_TYPE = 'T';
const MAX_RUN_MS = 86_400_000;
const ms = z.number().min(0).max(MAX_RUN_MS);
const text = z.string().min(1).max(200);
/** How far a scenario's simulated probe may read from the truth (raw = gainError * true +
 * offsetErrorC, hil/sim/sensor-params.ts): up to 10 C and 10 % of gain, over twice what a
 * calibration fit accepts (calibration/fit.ts), so a probe whose record is wrong by more than a
 * fit's own limits can be simulated, and no further (the sim's thermocouple model, not a fault). */
const MAX_PROBE_OFFSET_ERROR_C = 10;
const MIN_PROBE_GAIN_ERROR = 0.9;
const MAX_PROBE_GAIN_ERROR = 1.1;

/** The raw error of a probe that `calibrated(offsetC, gain)` exactly corrects: calibrated =
 * gain * raw + offsetC equals the truth when raw = true / gain - offsetC / gain. */
export function probeErrorCorrectedBy(offsetC: number, gain: number): { readonly probeOffsetErrorC: number; readonly probeGainError: number } {
  return { probeOffsetErrorC: -offsetC / gain, probeGainError: 1 / gain };
}

export const EnvironmentSchema = z
  .object({
    /** The probe's calibration record: a correction within what a fit accepts, and the probe's
     * outer diameter when the record states one (within the record's bounds); or unusable (why). */
    probeCalibration: z
      .union([
        z
          .object({
            offsetC: z.number().min(-MAX_OFFSET_C).max(MAX_OFFSET_C),
            gain: z.number().min(DEFAULT_FIT_LIMITS.gainMin).max(DEFAULT_FIT_LIMITS.gainMax),
            probeOdMm: z.number().min(PROBE_OD_MM_MIN).max(PROBE_OD_MM_MAX).optional(),
          })
          .strict(),
        z.object({ problem: text }).strict(),
      ])
      .optional(),
    /** The simulated probe's own error: raw = gainError * true + offsetErrorC. Default: the error
     * the probeCalibration corrects (none without one). Given with a probeCalibration, the record
     * is deliberately wrong for this probe. */
    probeError: z
      .object({
        offsetErrorC: z.number().min(-MAX_PROBE_OFFSET_ERROR_C).max(MAX_PROBE_OFFSET_ERROR_C),
        gainError: z.number().min(MIN_PROBE_GAIN_ERROR).max(MAX_PROBE_GAIN_ERROR),
      })
      .strict()
      .optional(),
    /** A console page is served and acknowledges every snapshot until this time, then falls silent. */
    console: z.object({ silentFromMs: ms }).strict().optional(),
    /** Treatment records are kept; from a time they fall silent, or the store fails (and why). */
    records: z.object({ silentFromMs: ms.optional(), failFromMs: ms.optional(), failure: text.optional() }).strict()
      .refine((r) => (r.failFromMs === undefined) === (r.failure === undefined), 'give failFromMs and failure together')
      .optional(),
    /** The board reports its device lost from this time on (a pulled USB cable). */
    board: z.object({ lostFromMs: ms, reason: text.default('sim board: device lost (scenario)') }).strict().optional(),
  })
  .strict();
export type EnvironmentSpec = z.infer<typeof EnvironmentSchema>;

/** The run's environment from the file's; each part absent keeps the fuzzer's default. A
 * calibration record is the one of the probe simulated: the sim probe gets the error the record
 * corrects (probeErrorCorrectedBy), so the calibrated reading is the truth, unless probeError
 * says what the probe's error really is. */
export function runEnvironment(spec: EnvironmentSpec | undefined): RunEnvironment {
  if (spec === undefined) return {};
  const cal = spec.probeCalibration;
  const c = spec.console;
  const r = spec.records;
  const b = spec.board;
  const e = spec.probeError;
  const corrected = cal === undefined || 'problem' in cal ? undefined : probeErrorCorrectedBy(cal.offsetC, cal.gain);
  return {
    sensor: e !== undefined ? { probeOffsetErrorC: e.offsetErrorC, probeGainError: e.gainError } : corrected,
    calibration: cal === undefined ? undefined : new FixedCalibrationProvider('problem' in cal ? uncalibrated(SIM_PROBE_TYPE, cal.problem) : calibrated(SIM_PROBE_TYPE, cal.offsetC, cal.gain, cal.probeOdMm ?? null)),
    consoleWatch: c === undefined ? undefined : (nowMs): ConsoleWatch => ({ watched: true, lastHeardMs: Math.min(nowMs, c.silentFromMs) }),
    recordsWatch:
      r === undefined
        ? undefined
        : (nowMs): RecordsWatch => ({
            watched: true,
            failure: r.failFromMs !== undefined && nowMs >= r.failFromMs ? (r.failure ?? null) : null,
            lastHeardMs: Math.min(nowMs, r.silentFromMs ?? nowMs),
          }),
    halFault: b === undefined ? undefined : (nowMs) => (nowMs >= b.lostFromMs ? b.reason : null),
  };
}
