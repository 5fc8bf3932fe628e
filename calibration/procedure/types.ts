// The guided calibration procedure's boundary: how it talks to the engineer, how it reads the
// probe, and what it returns. Terminal, sim and hardware details live behind these interfaces.
import type { TipSample } from '../../hal/contract.js';
import type { CalibrationFit, FitLimits } from '../fit.js';
import type { CalibrationRecord } from '../record.js';
import type { StabilitySettings } from '../stability.js';
import type { Bath, ThermocoupleType } from '../types.js';

/** The engineer's terminal (or a test script). */
export interface CalibrationPrompt {
  /** Ask and wait for one answer line; rejects with PromptClosedError when input has ended. */
  ask(question: string): Promise<string>;
  /** A line of output that stays. */
  show(line: string): void;
  /** Live status, overwritten in place on a terminal; the next show() or ask() ends it. */
  progress(line: string): void;
}

/** No more answers will come (end of input, Ctrl-D): the procedure stops and saves nothing. */
export class PromptClosedError extends Error {
  constructor() {
    super('input ended before the procedure finished');
  }
}

/** Where tip readings come from: the sim board on a virtual clock, or hardware in real time. */
export interface TipSampler {
  /** Nominal time between samples, ms. */
  readonly periodMs: number;
  /** The sampler's clock, ms; it moves forward at least one period per next(). */
  nowMs(): number;
  /** The latest raw (uncalibrated) tip sample with its fault bits; null before the first. */
  latest(): TipSample | null;
  /** Wait for the next sample and return it. */
  next(): Promise<TipSample>;
  /**
   * The engineer has confirmed the probe is in a bath at `bathC` (null: taken out). Hardware
   * ignores it; the sim board puts its probe in a bath at that temperature.
   */
  probeInBath(bathC: number | null): void;
}

export interface ProcedureLimits {
  readonly fit: FitLimits;
  readonly stability: StabilitySettings;
  /** A bath that is not stable within this is abandoned. */
  readonly bathTimeoutMs: number;
  /** A thermocouple fault lasting this long abandons the bath. */
  readonly faultAbandonMs: number;
}

export interface ProcedureLimitsInput {
  readonly fit?: Partial<FitLimits>;
  readonly stability?: Partial<StabilitySettings>;
  readonly bathTimeoutMs?: number;
  readonly faultAbandonMs?: number;
}

export interface ProcedureDeps {
  readonly prompt: CalibrationPrompt;
  readonly sampler: TipSampler;
  readonly probeId: string;
  readonly thermocoupleType: ThermocoupleType;
  readonly limits?: ProcedureLimitsInput;
  /** Wall-clock date for the record (calibratedAt, expiry). */
  readonly now: () => Date;
  /** Where the record is written (calibration/store.ts). */
  readonly dataDir: string;
  readonly softwareVersion: string;
  /** Default CALIBRATION_VALIDITY_DAYS. */
  readonly validityDays?: number;
  /**
   * The probe's outer diameter, mm, as the engineer states it from the probe's label (`cryo
   * calibrate --probe-od-mm`), written into the record; null or absent: not stated, and the
   * record has none (the ice-ball estimate then uses the setting iceBall.probeOdMm).
   */
  readonly probeOdMm?: number | null;
}

/** One measured bath. */
export interface MeasuredPoint {
  readonly bath: Bath;
  readonly label: string;
  readonly referenceC: number;
  /** Mean raw reading over the stable window. */
  readonly rawC: number;
  readonly driftCPerMin: number;
  readonly noiseSdC: number;
  readonly samples: number;
  readonly referenceThermometerId: string | null;
}

export type ProcedureOutcome =
  | { readonly kind: 'saved'; readonly path: string; readonly record: CalibrationRecord; readonly points: readonly MeasuredPoint[] }
  | { readonly kind: 'rejected'; readonly fit: CalibrationFit; readonly points: readonly MeasuredPoint[] }
  | { readonly kind: 'declined'; readonly fit: CalibrationFit; readonly points: readonly MeasuredPoint[] }
  | { readonly kind: 'write-failed'; readonly message: string; readonly points: readonly MeasuredPoint[] }
  | { readonly kind: 'aborted'; readonly reason: string; readonly points: readonly MeasuredPoint[] };
