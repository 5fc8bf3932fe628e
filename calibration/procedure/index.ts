// The guided probe calibration procedure (issue 3): public surface.
export { DEFAULT_BATH_TIMEOUT_MS, DEFAULT_FAULT_ABANDON_MS, resolveProcedureLimits, runCalibrationProcedure } from './procedure.js';
export { MAX_SAMPLE_AGE_MS, PROGRESS_INTERVAL_MS, isRepeat, sampleProblem } from './measure.js';
export { BATH_LABELS, MIN_BATHS } from './baths.js';
export { MAX_BAROMETRIC_HPA, MIN_BAROMETRIC_HPA, WATER_BATH_MAX_C, WATER_BATH_MIN_C } from './answers.js';
export { PromptClosedError } from './types.js';
export type {
  CalibrationPrompt,
  MeasuredPoint,
  ProcedureDeps,
  ProcedureLimits,
  ProcedureLimitsInput,
  ProcedureOutcome,
  TipSampler,
} from './types.js';
