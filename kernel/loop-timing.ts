// The control loop's own timing (issue 9): tick-start error (how late each tick began against its
// target) as percentiles since start and over the last minute, and late and missed ticks. Recording
// a tick allocates nothing: counts go into fixed log-spaced buckets, preallocated; the percentiles
// are read at the snapshot rate, not per tick. A percentile is the upper edge of the bucket that
// holds it (never optimistic), capped at the largest error seen; the resolution is one bucket,
// a factor of BUCKET_RATIO (about 12 %).

/** Errors below this are counted together as "on time": 10 us is below what Node's timers resolve. */
export const TIMING_MIN_MS = 0.01;
/** Buckets per decade: 20 gives a 12 % step, finer than the 5 ms late threshold needs. */
export const BUCKETS_PER_DECADE = 20;
/** Decades covered above TIMING_MIN_MS: up to 10 s; anything later lands in the last bucket. */
const DECADES = 6;
export const BUCKET_RATIO = 10 ** (1 / BUCKETS_PER_DECADE);
/** Bucket 0 holds [0, TIMING_MIN_MS); the rest are log-spaced; the last is open-ended. */
const BUCKETS = 1 + DECADES * BUCKETS_PER_DECADE + 1;
/** The last-minute window is kept as SLOTS per-10-s histograms (the current one filling). */
export const WINDOW_SLOT_MS = 10_000;
export const WINDOW_SLOTS = 6;

export interface TimingPercentiles {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
  readonly late: number;
  readonly ticks: number;
}

function bucketOf(ms: number): number {
  if (!(ms >= TIMING_MIN_MS)) return 0;
  const i = 1 + Math.floor(Math.log10(ms / TIMING_MIN_MS) * BUCKETS_PER_DECADE);
  return i < BUCKETS ? i : BUCKETS - 1;
}

/** The bucket's upper edge; infinite for the last, open-ended one (the maximum then caps it). */
function upperEdgeMs(bucket: number): number {
  if (bucket === BUCKETS - 1) return Number.POSITIVE_INFINITY;
  return bucket === 0 ? TIMING_MIN_MS : TIMING_MIN_MS * BUCKET_RATIO ** bucket;
}

/** Counts of tick-start errors in fixed buckets, with the count, the late count and the maximum. */
export class TimingHistogram {
  readonly counts = new Uint32Array(BUCKETS);
  ticks = 0;
  late = 0;
  maxMs = 0;

  record(ms: number, lateThresholdMs: number): void {
    const b = bucketOf(ms);
    this.counts[b] = (this.counts[b] ?? 0) + 1;
    this.ticks += 1;
    if (ms > lateThresholdMs) this.late += 1;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  clear(): void {
    this.counts.fill(0);
    this.ticks = 0;
    this.late = 0;
    this.maxMs = 0;
  }

  /** Adds `other` into this one (the last-minute sum). */
  add(other: TimingHistogram): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i] = (this.counts[i] ?? 0) + (other.counts[i] ?? 0);
    this.ticks += other.ticks;
    this.late += other.late;
    if (other.maxMs > this.maxMs) this.maxMs = other.maxMs;
  }

  /** The q-quantile (0 < q <= 1): the upper edge of its bucket, capped at the maximum; 0 with no ticks. */
  quantileMs(q: number): number {
    if (this.ticks === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.ticks));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i] ?? 0;
      if (seen >= rank) return Math.min(upperEdgeMs(i), this.maxMs);
    }
    return this.maxMs;
  }

  percentiles(): TimingPercentiles {
    return { p50Ms: this.quantileMs(0.5), p99Ms: this.quantileMs(0.99), p999Ms: this.quantileMs(0.999), maxMs: this.maxMs, late: this.late, ticks: this.ticks };
  }
}

export interface LoopTimingSummary {
  readonly sinceStart: TimingPercentiles;
  readonly lastMinute: TimingPercentiles;
  readonly missed: number;
}

/** Tick-start error since start and over the last minute (the current 10-s slot and the five before). */
export class LoopTiming {
  readonly lateThresholdMs: number;
  readonly #total = new TimingHistogram();
  readonly #slots = Array.from({ length: WINDOW_SLOTS }, () => new TimingHistogram());
  /** Scratch for the last-minute sum, reused at every read. */
  readonly #sum = new TimingHistogram();
  #slotIndex: number | null = null;
  #missed = 0;

  constructor(lateThresholdMs: number) {
    if (!(lateThresholdMs >= 0) || !Number.isFinite(lateThresholdMs)) throw new RangeError(`loop timing: lateThresholdMs ${lateThresholdMs} must be finite and >= 0`);
    this.lateThresholdMs = lateThresholdMs;
  }

  /** One tick that started `lateMs` after its target at `nowMs`, with `missedBefore` skipped before it. */
  record(nowMs: number, lateMs: number, missedBefore: number): void {
    this.#roll(nowMs);
    this.#total.record(lateMs, this.lateThresholdMs);
    this.#slots[(this.#slotIndex ?? 0) % WINDOW_SLOTS]?.record(lateMs, this.lateThresholdMs);
    this.#missed += missedBefore;
  }

  summary(nowMs: number): LoopTimingSummary {
    this.#roll(nowMs);
    this.#sum.clear();
    for (const slot of this.#slots) this.#sum.add(slot);
    return { sinceStart: this.#total.percentiles(), lastMinute: this.#sum.percentiles(), missed: this.#missed };
  }

  /** Clears the slots that time has moved past (all of them after a minute or more of silence). */
  #roll(nowMs: number): void {
    const index = Math.floor(nowMs / WINDOW_SLOT_MS);
    if (this.#slotIndex === null) {
      this.#slotIndex = index;
      return;
    }
    const steps = Math.min(index - this.#slotIndex, WINDOW_SLOTS);
    for (let k = 1; k <= steps; k++) this.#slots[(this.#slotIndex + k) % WINDOW_SLOTS]?.clear();
    if (index > this.#slotIndex) this.#slotIndex = index;
  }
}
