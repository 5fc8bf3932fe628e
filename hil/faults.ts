// Fault injection for simulated runs: what can go wrong, when, and for how long. The sim HAL turns
// active faults into plant conditions and sensor behaviour; the runner executes `loop-stall`.
// `supply-pressure-lost` and `return-pressure-lost` are a transducer that gives no number (a cut
// cable, a dead ADC channel): the reading is NaN, the gas itself is untouched.

export type FaultKind =
  | 'tc-open'
  | 'tc-short'
  | 'tc-stuck'
  | 'tip-reads-cold'
  | 'supply-low'
  | 'supply-high'
  | 'cylinder-empty'
  | 'return-blocked'
  | 'valve-stuck-open'
  | 'sensor-stale'
  | 'loop-stall'
  | 'estop'
  | 'probe-disconnect'
  | 'supply-pressure-lost'
  | 'return-pressure-lost';

export const FAULT_KINDS: readonly FaultKind[] = Object.freeze([
  'tc-open',
  'tc-short',
  'tc-stuck',
  'tip-reads-cold',
  'supply-low',
  'supply-high',
  'cylinder-empty',
  'return-blocked',
  'valve-stuck-open',
  'sensor-stale',
  'loop-stall',
  'estop',
  'probe-disconnect',
  'supply-pressure-lost',
  'return-pressure-lost',
]);

/**
 * One injected fault. `atMs` is on the run's clock (the same time base as Readings' `atMs`).
 * `durationMs` null keeps the fault until the end of the run. `cylinder-empty` is one-shot: the
 * liquid it removes does not come back when its duration ends.
 */
export interface FaultSpec {
  readonly kind: FaultKind;
  readonly atMs: number;
  readonly durationMs: number | null;
}

export class FaultSpecError extends Error {
  override name = 'FaultSpecError';
}

const MS_PER_S = 1000;
/** Plain decimal seconds: no sign, exponent, hex or empty parts, so typos do not parse. */
const DECIMAL_SECONDS = /^\d+(\.\d+)?$/;
const SPEC_FORMAT = 'KIND@SECONDS[:DURATION_S], e.g. tc-open@30 or loop-stall@12.5:0.4';

export function isFaultKind(text: string): text is FaultKind {
  return (FAULT_KINDS as readonly string[]).includes(text);
}

/** Parse `KIND@SECONDS[:DURATION_S]`; throws FaultSpecError naming the bad part. */
export function parseFaultSpec(text: string): FaultSpec {
  const spec = text.trim();
  const fail = (problem: string): never => {
    throw new FaultSpecError(`fault spec "${text}": ${problem} (expected ${SPEC_FORMAT})`);
  };
  const at = spec.indexOf('@');
  if (at < 0) return fail('missing "@" between the fault kind and its start time');
  const kind = spec.slice(0, at);
  if (!isFaultKind(kind)) {
    return fail(`unknown fault kind "${kind}"; valid kinds: ${FAULT_KINDS.join(', ')}`);
  }
  const timing = spec.slice(at + 1).split(':');
  if (timing.length > 2) return fail(`too many ":" in "${spec.slice(at + 1)}"`);
  const [startText = '', durationText] = timing;
  if (!DECIMAL_SECONDS.test(startText)) {
    return fail(`start time "${startText}" is not a number of seconds >= 0`);
  }
  let durationMs: number | null = null;
  if (durationText !== undefined) {
    if (!DECIMAL_SECONDS.test(durationText) || !(Number(durationText) > 0)) {
      return fail(`duration "${durationText}" is not a number of seconds > 0`);
    }
    durationMs = Number(durationText) * MS_PER_S;
  }
  return { kind, atMs: Number(startText) * MS_PER_S, durationMs };
}

/** Check a spec built in code (not parsed); throws FaultSpecError. */
export function validateFaultSpec(spec: FaultSpec): FaultSpec {
  const where = `fault "${spec.kind}"`;
  if (!isFaultKind(spec.kind)) {
    throw new FaultSpecError(`${where}: unknown fault kind; valid kinds: ${FAULT_KINDS.join(', ')}`);
  }
  if (!(Number.isFinite(spec.atMs) && spec.atMs >= 0)) {
    throw new FaultSpecError(`${where}: atMs ${spec.atMs} must be a finite time >= 0`);
  }
  if (spec.durationMs !== null && !(Number.isFinite(spec.durationMs) && spec.durationMs > 0)) {
    throw new FaultSpecError(`${where}: durationMs ${spec.durationMs} must be a finite time > 0 or null`);
  }
  return spec;
}

/** A spec is active from `atMs` (inclusive) to `atMs + durationMs` (exclusive). */
export function isSpecActive(spec: FaultSpec, nowMs: number): boolean {
  return nowMs >= spec.atMs && (spec.durationMs === null || nowMs < spec.atMs + spec.durationMs);
}

/** The kinds of fault active at `nowMs`. */
export function activeFaults(specs: readonly FaultSpec[], nowMs: number): Set<FaultKind> {
  const active = new Set<FaultKind>();
  for (const spec of specs) if (isSpecActive(spec, nowMs)) active.add(spec.kind);
  return active;
}

/**
 * One flag per fault kind, true while that kind is active: what the simulated board asks several
 * times a tick and every plant substep. A property read on flags built once per set of active
 * faults, where a `Set.has` was a hash lookup each time (bench/sim.ts).
 */
export type FaultFlags = Readonly<Record<FaultKind, boolean>>;

/** The flags of `active`. Every kind is written, in FAULT_KINDS' order, so that all flag records
 * share one shape. */
export function faultFlagsOf(active: ReadonlySet<FaultKind>): FaultFlags {
  const flags = {} as Record<FaultKind, boolean>;
  for (const kind of FAULT_KINDS) flags[kind] = active.has(kind);
  return Object.freeze(flags);
}

/**
 * The times at which some spec starts or ends, ascending and without repeats. Between two of them
 * (from one, inclusive, to the next, exclusive) no spec starts or ends, so the active set is the
 * same throughout (isSpecActive).
 */
function boundariesMs(specs: readonly FaultSpec[]): number[] {
  const times = new Set<number>();
  for (const spec of specs) {
    times.add(spec.atMs);
    if (spec.durationMs !== null) times.add(spec.atMs + spec.durationMs);
  }
  return [...times].sort((a, b) => a - b);
}

/** An immutable, validated list of faults, queried by time. */
export class FaultSchedule {
  readonly specs: readonly FaultSpec[];
  /** When the active set may change (boundariesMs), and the set from each of them on;
   * `#before` is the set before the first (empty: no spec has started). */
  readonly #changesMs: readonly number[];
  readonly #sets: readonly ReadonlySet<FaultKind>[];
  readonly #before: ReadonlySet<FaultKind> = new Set();
  /** faultFlagsOf each of `#sets`, and of `#before`. */
  readonly #flags: readonly FaultFlags[];
  readonly #flagsBefore: FaultFlags = faultFlagsOf(this.#before);

  /** Throws FaultSpecError for an invalid spec. */
  constructor(specs: readonly FaultSpec[] = []) {
    this.specs = Object.freeze(specs.map((s) => Object.freeze({ ...validateFaultSpec(s) })));
    this.#changesMs = Object.freeze(boundariesMs(this.specs));
    this.#sets = Object.freeze(this.#changesMs.map((t) => activeFaults(this.specs, t)));
    this.#flags = Object.freeze(this.#sets.map(faultFlagsOf));
  }

  isActive(kind: FaultKind, nowMs: number): boolean {
    return this.activeFlags(nowMs)[kind];
  }

  /** The kinds active at `nowMs`, as a new set the caller may change. */
  active(nowMs: number): Set<FaultKind> {
    return activeFaults(this.specs, nowMs);
  }

  /**
   * The kinds active at `nowMs`, as one of the sets built with the schedule: the simulated board
   * asks several times a tick, and a new set each time was a measurable part of a simulation's
   * cost (bench/sim.ts). The same as `active(nowMs)`; the caller must not change it.
   */
  activeSet(nowMs: number): ReadonlySet<FaultKind> {
    const i = this.#changeIndex(nowMs);
    return i < 0 ? this.#before : (this.#sets[i] ?? this.#before);
  }

  /**
   * The kinds active at `nowMs` as flags (faultFlagsOf activeSet(nowMs)), built with the schedule:
   * the same flags object between two changes, so its identity says whether anything changed.
   */
  activeFlags(nowMs: number): FaultFlags {
    const i = this.#changeIndex(nowMs);
    return i < 0 ? this.#flagsBefore : (this.#flags[i] ?? this.#flagsBefore);
  }

  /** The index of the last change at or before `nowMs`, by bisection; -1 before the first (a NaN
   * time finds none: no fault active, as isSpecActive says). */
  #changeIndex(nowMs: number): number {
    const changes = this.#changesMs;
    let lo = 0;
    let hi = changes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((changes[mid] ?? Number.POSITIVE_INFINITY) <= nowMs) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }
}
