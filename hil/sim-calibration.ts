// The simulated probe calibrates itself: the same guided procedure an engineer runs
// (calibration/procedure), answered by a script, on the sim board's virtual baths (ice point and
// dry ice at standard pressure). It takes milliseconds and writes an ordinary record, sealed with
// the data dir's key like any other, so `npm start` works on a fresh checkout and the console
// reads the record exactly as on hardware. The record states the plant's probe diameter.
import type { CalibrationPrompt, ProcedureOutcome } from '../calibration/procedure/index.js';
import { PromptClosedError, runCalibrationProcedure } from '../calibration/procedure/index.js';
import { simCalibrationRig } from './sim/sampler.js';
import { ProbeIdError } from '../calibration/errors.js';
import { isValidProbeId } from '../kernel/probe.js';
import type { SimBoard } from './sim/board.js';
import { resolvePlantParams } from './plant/index.js';
import type { Logger } from '../kernel/log.js';

/** Who the record names as having calibrated the probe. */
export const SIM_AUTO_CALIBRATOR = 'sim auto-calibration';
/** Standard atmosphere in hPa: the dry-ice bath's barometric pressure. */
const STANDARD_PRESSURE_HPA = '1013.25';
/** Menu answers: ice point (1) then dry ice in ethanol (2), each confirmed; done; save. */
const SCRIPT = [SIM_AUTO_CALIBRATOR, '1', 'yes', '2', STANDARD_PRESSURE_HPA, 'yes', 'done', 'yes'] as const;

class ScriptedPrompt implements CalibrationPrompt {
  readonly #answers: string[] = [...SCRIPT];
  constructor(private readonly logger: Logger) {}
  ask(question: string): Promise<string> {
    const answer = this.#answers.shift();
    if (answer === undefined) return Promise.reject(new PromptClosedError());
    this.logger.debug({ question, answer }, 'sim auto-calibration');
    return Promise.resolve(answer);
  }
  show(line: string): void {
    this.logger.debug(line);
  }
  progress(): void {
    // Live progress is for a person at a terminal.
  }
}

export interface SimCalibrationOptions {
  readonly board: SimBoard;
  readonly probeId: string;
  readonly dataDir: string;
  readonly now: () => Date;
  readonly softwareVersion: string;
  readonly logger: Logger;
}

/**
 * Calibrate the sim probe and write a record sealed with the data dir's key (made on first need).
 * A probe id that cannot name a record file is an aborted outcome naming the id, logged as an
 * error: the console then runs with start blocked (CALIBRATION_INVALID), never a stack trace.
 */
export async function autoCalibrateSimProbe(options: SimCalibrationOptions): Promise<ProcedureOutcome> {
  if (!isValidProbeId(options.probeId)) {
    const reason = new ProbeIdError(options.probeId).message;
    options.logger.error({ probeId: options.probeId }, `sim auto-calibration: ${reason}: fix plant.probeId in the board file`);
    return { kind: 'aborted', reason, points: [] };
  }
  const rig = simCalibrationRig({ board: options.board });
  return runCalibrationProcedure({
    prompt: new ScriptedPrompt(options.logger),
    sampler: rig.sampler,
    probeId: options.probeId,
    thermocoupleType: options.board.thermocoupleType,
    now: options.now,
    dataDir: options.dataDir,
    softwareVersion: options.softwareVersion,
    // The engineer states the probe's diameter from its label: here the sim plant's probe, so the
    // console's estimate models the probe the plant simulates whatever iceBall.probeOdMm says.
    probeOdMm: resolvePlantParams(options.board.plant).probeOdMm,
  });
}
