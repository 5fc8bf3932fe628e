// Fault injection for simulated runs: what can go wrong, when, and for how long. The sim HAL turns
// active faults into plant conditions and sensor behaviour; the runner executes `loop-stall`.

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
  | 'probe-disconnect';

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

/** An immutable, validated list of faults, queried by time. */
export class FaultSchedule {
  readonly specs: readonly FaultSpec[];

  /** Throws FaultSpecError for an invalid spec. */
  constructor(specs: readonly FaultSpec[] = []) {
    this.specs = Object.freeze(specs.map((s) => Object.freeze({ ...validateFaultSpec(s) })));
  }

  isActive(kind: FaultKind, nowMs: number): boolean {
    return this.specs.some((s) => s.kind === kind && isSpecActive(s, nowMs));
  }

  active(nowMs: number): Set<FaultKind> {
    return activeFaults(this.specs, nowMs);
  }
}
