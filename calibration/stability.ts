// Is a bath reading steady enough to average? A pure, incremental judge over a sliding time
// window: feed it samples, read its verdict. No clock, no I/O; memory is a fixed ring buffer.
//
// Budget behind the defaults: a calibration is rejected when a residual exceeds 0.5 C
// (calibration/fit.ts). The bath point itself should spend at most ~5 % of that, 0.025 C.

/** 30 s: long enough to average front-end noise down (see maxNoiseSdC), short enough to wait for. */
export const DEFAULT_STABILITY_WINDOW_MS = 30_000;
/**
 * 0.05 C/min: over a 30 s window the bath moves at most 0.025 C, so the window mean sits within
 * ~0.0125 C of the temperature at its end: under 3 % of the 0.5 C residual limit. A probe still
 * settling after immersion (3 s lag from 37 C) drifts far faster than this.
 */
export const DEFAULT_MAX_DRIFT_C_PER_MIN = 0.05;
/**
 * 0.15 C sd about the trend: above the ~0.08 C sample noise of a healthy MAX31856 channel (so a
 * good probe passes), below the scatter of an unstirred bath or a loose junction. Averaged over a
 * 30 s window of at least 30 samples (1 Hz or faster) it leaves a standard error under
 * 0.15 / sqrt(30) = 0.03 C, ~5 % of the 0.5 C limit.
 */
export const DEFAULT_MAX_NOISE_SD_C = 0.15;
/** Ring buffer size: a 30 s window at 50 Hz is 1 500 samples; 4 096 covers 80 s at 50 Hz. */
export const DEFAULT_STABILITY_CAPACITY = 4_096;
/**
 * A window where 90 % of the samples repeat the latest value exactly is a stuck sensor or a
 * front-end that stopped converting, not a steady bath (shared/domain.md section 5): a live
 * channel's ~0.08 C noise spreads its readings over tens of 0.0078 C register codes, and even a
 * quiet one sees a stirred bath wander by a few codes.
 */
export const STUCK_FRACTION = 0.9;
/** Fewer samples than this in a full window cannot estimate a slope and its scatter. */
export const MIN_SAMPLES_FOR_STABILITY = 10;

const MS_PER_MIN = 60_000;

export interface StabilitySettings {
  readonly windowMs: number;
  readonly maxDriftCPerMin: number;
  readonly maxNoiseSdC: number;
  /** Samples the window can hold; it must cover windowMs at the sample rate. */
  readonly capacity: number;
}

export const DEFAULT_STABILITY_SETTINGS: StabilitySettings = Object.freeze({
  windowMs: DEFAULT_STABILITY_WINDOW_MS,
  maxDriftCPerMin: DEFAULT_MAX_DRIFT_C_PER_MIN,
  maxNoiseSdC: DEFAULT_MAX_NOISE_SD_C,
  capacity: DEFAULT_STABILITY_CAPACITY,
});

export interface StabilityReport {
  readonly stable: boolean;
  /** Least-squares slope over the window, C per minute; NaN with fewer than 2 samples. */
  readonly driftCPerMin: number;
  /** Residual sd about that slope, C; NaN with fewer than 3 samples. */
  readonly noiseSdC: number;
  /** How much of the window the samples span, 0..1. */
  readonly windowFilled: number;
  /** Mean over the window, C; NaN with no samples. */
  readonly meanC: number;
  readonly samples: number;
  /** A full window almost all at one exact value (STUCK_FRACTION): a stuck sensor, not a steady bath. */
  readonly flat: boolean;
}

/** The defaults overridden by `settings`; throws RangeError naming a nonsensical value. */
export function resolveStabilitySettings(settings: Partial<StabilitySettings> = {}): StabilitySettings {
  const given = Object.fromEntries(Object.entries(settings).filter(([, v]) => typeof v === 'number')) as Partial<StabilitySettings>;
  const s: StabilitySettings = { ...DEFAULT_STABILITY_SETTINGS, ...given };
  const check = (field: keyof StabilitySettings, ok: boolean, rule: string): void => {
    if (!ok) throw new RangeError(`stability settings: ${field}: must be ${rule} (got ${s[field]})`);
  };
  check('windowMs', Number.isFinite(s.windowMs) && s.windowMs > 0, 'a positive number of ms');
  check('maxDriftCPerMin', Number.isFinite(s.maxDriftCPerMin) && s.maxDriftCPerMin > 0, 'a positive number of C/min');
  check('maxNoiseSdC', Number.isFinite(s.maxNoiseSdC) && s.maxNoiseSdC > 0, 'a positive number of C');
  check('capacity', Number.isInteger(s.capacity) && s.capacity >= MIN_SAMPLES_FOR_STABILITY, `a whole number >= ${MIN_SAMPLES_FOR_STABILITY}`);
  return Object.freeze(s);
}

/**
 * The window holds the latest samples back to (and including) one at or before `latest - windowMs`,
 * so once enough time has passed the samples span the whole window. If the sample rate is too
 * high for `capacity`, the oldest samples are dropped, the window never fills and the judge never
 * says stable: the safe failure. Size `capacity` to windowMs / sample period plus a margin.
 */
export class StabilityJudge {
  readonly settings: StabilitySettings;
  readonly #atMs: Float64Array;
  readonly #valueC: Float64Array;
  /** Index of the oldest sample in the ring, and how many there are. */
  #head = 0;
  #count = 0;

  constructor(settings: Partial<StabilitySettings> = {}) {
    this.settings = resolveStabilitySettings(settings);
    this.#atMs = new Float64Array(this.settings.capacity);
    this.#valueC = new Float64Array(this.settings.capacity);
  }

  /** Forget every sample (after a fault or a gap the window starts again). */
  reset(): void {
    this.#head = 0;
    this.#count = 0;
  }

  get samples(): number {
    return this.#count;
  }

  /** Add a sample; times must increase strictly. Throws RangeError for a caller bug. */
  add(atMs: number, valueC: number): void {
    if (!Number.isFinite(atMs) || !Number.isFinite(valueC)) {
      throw new RangeError(`stability: sample (${atMs} ms, ${valueC} C) must be finite`);
    }
    if (this.#count > 0 && !(atMs > this.#at(this.#count - 1))) {
      throw new RangeError(`stability: sample at ${atMs} ms is not after the previous one at ${this.#at(this.#count - 1)} ms`);
    }
    const capacity = this.settings.capacity;
    if (this.#count === capacity) {
      this.#head = (this.#head + 1) % capacity;
      this.#count -= 1;
    }
    const slot = (this.#head + this.#count) % capacity;
    this.#atMs[slot] = atMs;
    this.#valueC[slot] = valueC;
    this.#count += 1;
    // Drop the oldest while the next-oldest still reaches back to the window's start.
    const startMs = atMs - this.settings.windowMs;
    while (this.#count >= 2 && this.#at(1) <= startMs) {
      this.#head = (this.#head + 1) % capacity;
      this.#count -= 1;
    }
  }

  /** The verdict over the current window: one pass over the samples in it. */
  report(): StabilityReport {
    const n = this.#count;
    if (n === 0) return { stable: false, driftCPerMin: NaN, noiseSdC: NaN, windowFilled: 0, meanC: NaN, samples: 0, flat: false };
    const firstMs = this.#at(0);
    const firstC = this.#value(0);
    const latestC = this.#value(n - 1);
    const windowFilled = Math.min(1, (this.#at(n - 1) - firstMs) / this.settings.windowMs);
    // Sums of time and value shifted to the first sample: the shifted ranges are small (one
    // window, a few C), so the centred sums below lose nothing to cancellation.
    let st = 0;
    let sv = 0;
    let stt = 0;
    let stv = 0;
    let svv = 0;
    let repeats = 0;
    const capacity = this.settings.capacity;
    for (let i = 0, slot = this.#head; i < n; i++, slot = slot + 1 === capacity ? 0 : slot + 1) {
      const t = (this.#atMs[slot] ?? NaN) - firstMs;
      const raw = this.#valueC[slot] ?? NaN;
      const v = raw - firstC;
      st += t;
      sv += v;
      stt += t * t;
      stv += t * v;
      svv += v * v;
      if (raw === latestC) repeats += 1;
    }
    const ctt = stt - (st * st) / n;
    const ctv = stv - (st * sv) / n;
    const cvv = svv - (sv * sv) / n;
    const slopeCPerMs = ctt > 0 ? ctv / ctt : NaN;
    const sse = Math.max(0, cvv - (ctt > 0 ? (ctv * ctv) / ctt : 0));
    const noiseSdC = n >= 3 && ctt > 0 ? Math.sqrt(sse / (n - 2)) : NaN;
    const meanC = firstC + sv / n;
    const driftCPerMin = slopeCPerMs * MS_PER_MIN;
    const full = windowFilled >= 1 && n >= MIN_SAMPLES_FOR_STABILITY;
    const flat = full && repeats >= STUCK_FRACTION * n;
    const stable =
      full && !flat && Math.abs(driftCPerMin) <= this.settings.maxDriftCPerMin && noiseSdC <= this.settings.maxNoiseSdC;
    return { stable, driftCPerMin, noiseSdC, windowFilled, meanC, samples: n, flat };
  }

  #at(i: number): number {
    return this.#atMs[(this.#head + i) % this.settings.capacity] ?? NaN;
  }

  #value(i: number): number {
    return this.#valueC[(this.#head + i) % this.settings.capacity] ?? NaN;
  }
}
