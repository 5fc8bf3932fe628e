// The guided probe calibration (issue 3): who calibrates, two or more reference baths each
// measured to stability, a least-squares fit, and a record written only when the fit is accepted
// and the engineer confirms. All I/O goes through the deps, so tests script it in virtual time.
import { CalibrationCorruptError, CalibrationKeyError, CalibrationRejectedError, CalibrationWriteError } from '../errors.js';
import { fitCalibration, resolveFitLimits } from '../fit.js';
import type { CalibrationFit } from '../fit.js';
import { CALIBRATION_VALIDITY_DAYS, buildCalibrationRecord, checkProbeId } from '../record.js';
import { resolveStabilitySettings } from '../stability.js';
import { writeCalibration } from '../store.js';
import { PROBE_OD_FALLBACK, formatFit, probeOdLine, probeOdMmText } from '../text.js';
import { parseText, parseReady, parseYesNo } from './answers.js';
import { askUntilValid } from './ask.js';
import { MIN_BATHS, REQUIRED_BATH, menuLines, parseMenuChoice, setUpBath } from './baths.js';
import type { MenuBath } from './baths.js';
import { measureBath } from './measure.js';
import { PromptClosedError } from './types.js';
import type { MeasuredPoint, ProcedureDeps, ProcedureLimits, ProcedureLimitsInput, ProcedureOutcome } from './types.js';

/**
 * 10 min: a needle probe in a stirred bath settles and fills a 30 s window in about a minute;
 * ten times that means the bath itself is not steady (unstirred, dry ice used up, ice melted).
 */
export const DEFAULT_BATH_TIMEOUT_MS = 10 * 60_000;
/**
 * 5 s of continuous thermocouple fault abandons the bath: long enough to reseat a loose plug,
 * short enough not to leave the engineer waiting on a broken probe for the whole timeout.
 */
export const DEFAULT_FAULT_ABANDON_MS = 5_000;
/** Extra ring-buffer room over window / period, for sample-time jitter on real hardware. */
const CAPACITY_MARGIN = 1.1;
const CAPACITY_SLACK = 16;

/** The defaults overridden by `input`; the stability buffer is sized to the sampler's period. */
export function resolveProcedureLimits(input: ProcedureLimitsInput = {}, samplePeriodMs: number): ProcedureLimits {
  if (!(Number.isFinite(samplePeriodMs) && samplePeriodMs > 0)) throw new RangeError(`calibration: sample period ${samplePeriodMs} ms must be positive`);
  const windowMs = resolveStabilitySettings(input.stability).windowMs;
  const capacity = input.stability?.capacity ?? Math.ceil((windowMs / samplePeriodMs) * CAPACITY_MARGIN) + CAPACITY_SLACK;
  const limits: ProcedureLimits = {
    fit: resolveFitLimits(input.fit),
    stability: resolveStabilitySettings({ ...input.stability, capacity }),
    bathTimeoutMs: input.bathTimeoutMs ?? DEFAULT_BATH_TIMEOUT_MS,
    faultAbandonMs: input.faultAbandonMs ?? DEFAULT_FAULT_ABANDON_MS,
  };
  if (!(limits.bathTimeoutMs > windowMs)) throw new RangeError(`calibration: bathTimeoutMs ${limits.bathTimeoutMs} must exceed the ${windowMs} ms stability window`);
  if (!(limits.faultAbandonMs > 0)) throw new RangeError(`calibration: faultAbandonMs ${limits.faultAbandonMs} must be positive`);
  return limits;
}

/** Runs the whole procedure. Throws ProbeIdError for an unusable probe id, before asking anything. */
export async function runCalibrationProcedure(deps: ProcedureDeps): Promise<ProcedureOutcome> {
  checkProbeId(deps.probeId);
  const limits = resolveProcedureLimits(deps.limits, deps.sampler.periodMs);
  const points = new Map<MenuBath, MeasuredPoint>();
  const list = (): MeasuredPoint[] => [...points.values()];
  try {
    const { prompt } = deps;
    prompt.show(`Calibrating probe ${deps.probeId} (Type ${deps.thermocoupleType}). The gas valves stay closed throughout.`);
    // Said before any bath, so a probe OD left out by mistake is seen while it can still be given.
    prompt.show(statedOd(deps.probeOdMm));
    const who = await askUntilValid(prompt, 'Who is calibrating (your name)? ', (a) => parseText(a, 'the name'));
    for (;;) {
      prompt.show(measuredSummary(list()));
      for (const line of menuLines(points.size)) prompt.show(line);
      const choice = await askUntilValid(prompt, 'Choice? ', (a) => parseMenuChoice(a, points.size, points.has(REQUIRED_BATH)));
      if (choice === 'quit') return aborted('quit by the engineer', list(), deps);
      if (choice === 'done') break;
      const point = await measureOne(deps, limits, choice);
      if (point === null) continue;
      if (points.has(choice)) prompt.show(`This ${point.label} measurement replaces the earlier one.`);
      points.set(choice, point);
    }
    return await fitAndSave(deps, limits, who, list());
  } catch (err) {
    if (err instanceof PromptClosedError) return aborted(err.message, list(), deps);
    throw err;
  }
}

async function measureOne(deps: ProcedureDeps, limits: ProcedureLimits, bath: MenuBath): Promise<MeasuredPoint | null> {
  const { prompt, sampler } = deps;
  const setup = await setUpBath(prompt, bath);
  const ready = await askUntilValid(
    prompt,
    `Put the probe in the ${setup.label}, tip in the middle and at least 5 cm deep, then type yes (or skip): `,
    parseReady,
  );
  if (ready === 'skip') return null;
  prompt.show(`Waiting for a stable reading (${limits.stability.windowMs / 1000} s window; up to ${limits.bathTimeoutMs / 60_000} min).`);
  sampler.probeInBath(setup.referenceC);
  try {
    const result = await measureBath(prompt, sampler, setup, limits);
    if (result.kind === 'abandoned') {
      prompt.show(`${setup.label}: ABANDONED: ${result.reason}.`);
      return null;
    }
    return result.point;
  } finally {
    sampler.probeInBath(null);
    prompt.show(`Take the probe out of the ${setup.label}.`);
  }
}

async function fitAndSave(deps: ProcedureDeps, limits: ProcedureLimits, who: string, points: readonly MeasuredPoint[]): Promise<ProcedureOutcome> {
  const { prompt } = deps;
  const fit = fitCalibration(points, limits.fit);
  prompt.show('Fit (calibrated = gain x raw + offset):');
  for (const line of formatFit(points, fit).trimEnd().split('\n')) prompt.show(line);
  if (!fit.accepted) {
    prompt.show('Calibration REJECTED: nothing was saved.');
    prompt.show('What to do: check each bath (fresh crushed ice, plenty of dry ice, stirring, the reference reading),');
    prompt.show('the probe and its connection, then run the calibration again. See docs/calibration.md, "When a calibration is rejected".');
    return { kind: 'rejected', fit, points };
  }
  const days = deps.validityDays ?? CALIBRATION_VALIDITY_DAYS;
  const save = await askUntilValid(prompt, `Accepted. Save this calibration for probe ${deps.probeId} (valid ${days} days)? yes/no: `, parseYesNo);
  if (!save) {
    prompt.show('Not saved.');
    return { kind: 'declined', fit, points };
  }
  return write(deps, limits, who, points, fit);
}

function write(deps: ProcedureDeps, limits: ProcedureLimits, who: string, points: readonly MeasuredPoint[], fit: CalibrationFit): ProcedureOutcome {
  try {
    const record = buildCalibrationRecord({
      probeId: deps.probeId,
      thermocoupleType: deps.thermocoupleType,
      points: points.map((p) => ({ bath: p.bath, referenceC: p.referenceC, rawC: p.rawC })),
      calibratedAt: deps.now(),
      calibratedBy: who,
      referenceThermometerId: points.find((p) => p.referenceThermometerId !== null)?.referenceThermometerId ?? null,
      softwareVersion: deps.softwareVersion,
      ...(deps.validityDays === undefined ? {} : { validityDays: deps.validityDays }),
      probeOdMm: deps.probeOdMm ?? null,
      limits: limits.fit,
    });
    const path = writeCalibration(deps.dataDir, record);
    deps.prompt.show(`Calibration written to ${path} (gain ${fit.gain.toFixed(6)}, offset ${fit.offsetC.toFixed(4)} C); it expires ${record.expiresAt}.`);
    deps.prompt.show(`Record: ${probeOdLine(record.probeOdMm)}.`);
    return { kind: 'saved', path, record, points };
  } catch (err) {
    const known = [CalibrationRejectedError, CalibrationWriteError, CalibrationKeyError, CalibrationCorruptError];
    if (known.some((type) => err instanceof type)) {
      const message = (err as Error).message;
      deps.prompt.show(`NOT SAVED: ${message}`);
      return { kind: 'write-failed', message, points };
    }
    throw err;
  }
}

function statedOd(probeOdMm: number | null | undefined): string {
  if (probeOdMm === undefined || probeOdMm === null) {
    return `Probe OD: not stated (--probe-od-mm): the record will have none, and ${PROBE_OD_FALLBACK}.`;
  }
  return `Probe OD: ${probeOdMmText(probeOdMm)} mm, to be written into the record.`;
}

function aborted(reason: string, points: readonly MeasuredPoint[], deps: ProcedureDeps): ProcedureOutcome {
  deps.prompt.show(`Calibration stopped (${reason}): nothing was saved.`);
  return { kind: 'aborted', reason, points };
}

function measuredSummary(points: readonly MeasuredPoint[]): string {
  if (points.length === 0) return `Baths measured: none yet (at least ${MIN_BATHS} needed). Choose a bath:`;
  const done = points.map((p) => `${p.label} (raw ${p.rawC.toFixed(3)} C, reference ${p.referenceC.toFixed(2)} C)`).join('; ');
  return `Baths measured: ${done}. Choose a bath, or d when done:`;
}
