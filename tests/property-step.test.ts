// Property tests over the pure step: random reading sequences (tip temperatures including NaN,
// out-of-range values and fault bits, random pressures, button presses, jittery and occasionally
// huge gaps between steps), from power-up with start pressed at once. The safety invariants must
// hold after every step. Fixed seed: CI runs the same 200 cases every time.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TcFault } from '../hal/contract.js';
import { TC_FAULTS } from '../hal/contract.js';
import { parseSettings } from '../src/controller/settings.js';
import type { Settings } from '../src/controller/settings.js';
import { initialState } from '../src/controller/state.js';
import type { ControllerState } from '../src/controller/state.js';
import { step } from '../src/controller/step.js';
import type { StepResult } from '../src/controller/step.js';
import type { ControllerReadings as Readings } from '../src/controller/probe-calibration.js';
import { INTERLOCK_IDS, isAdvisory } from '../src/controller/interlocks.js';
import type { ReadingOverrides } from './helpers/readings.js';
import { NormalPatient, anyValveOpen, gasPathOpen } from './helpers/readings.js';

const SETTINGS: Settings = parseSettings({ protocol: { cycles: 2, freezeS: 10, thawS: 10 } });
const FREEZE_MS = SETTINGS.protocol.freezeS * 1000;
const GRACE_MS = SETTINGS.freezeLimit.perCycleGraceMs;
const CAP_MS = SETTINGS.freezeLimit.cumulativeMaxS * 1000;

type TipMode =
  | { readonly kind: 'plant' }
  | { readonly kind: 'value'; readonly c: number }
  | { readonly kind: 'nan' }
  | { readonly kind: 'fault'; readonly fault: TcFault }
  | { readonly kind: 'stale' }
  | { readonly kind: 'cold-junction'; readonly c: number };

interface Segment {
  readonly steps: number;
  /** Gap between the steps of this segment. */
  readonly gapMs: number;
  /** Extra gap before the segment's first step: 0, or a stall. */
  readonly stallMs: number;
  readonly tip: TipMode;
  readonly supplyBarGauge: number | null;
  readonly returnBarAbs: number | 'plant' | null;
  readonly probePresent: boolean;
  readonly press: 'start' | 'stop' | 'acknowledge' | null;
  readonly footswitch: boolean;
  readonly estop: boolean;
  readonly halFault: boolean;
}

const tipMode: fc.Arbitrary<TipMode> = fc.oneof(
  { weight: 12, arbitrary: fc.constant({ kind: 'plant' } as const) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('value' as const), c: fc.double({ min: -130, max: 200, noNaN: true }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'nan' } as const) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('fault' as const), fault: fc.constantFrom(...TC_FAULTS) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'stale' } as const) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cold-junction' as const), c: fc.double({ min: -50, max: 100, noNaN: true }) }) },
);

/** A stretch with something wrong: any input may be off its nominal value. */
const disturbed: fc.Arbitrary<Segment> = fc.record({
  steps: fc.integer({ min: 1, max: 80 }),
  gapMs: fc.oneof({ weight: 4, arbitrary: fc.constant(20) }, { weight: 3, arbitrary: fc.integer({ min: 15, max: 40 }) }),
  stallMs: fc.oneof({ weight: 12, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 41, max: 3_000 }) }),
  tip: tipMode,
  supplyBarGauge: fc.oneof({ weight: 8, arbitrary: fc.constant(null) }, { weight: 2, arbitrary: fc.double({ min: 0, max: 100, noNaN: true }) }, { weight: 1, arbitrary: fc.constant(Number.NaN) }),
  returnBarAbs: fc.oneof(
    { weight: 8, arbitrary: fc.constant('plant' as const) },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 2, arbitrary: fc.double({ min: 0, max: 5, noNaN: true }) },
  ),
  probePresent: fc.oneof({ weight: 12, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  press: fc.oneof(
    { weight: 6, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.constantFrom('start' as const, 'stop' as const, 'acknowledge' as const) },
  ),
  footswitch: fc.boolean(),
  estop: fc.oneof({ weight: 15, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  halFault: fc.oneof({ weight: 20, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
});

/** A stretch of normal readings: the plant's tip and return line, timing and buttons random. */
const nominal: fc.Arbitrary<Segment> = fc.record({
  steps: fc.integer({ min: 20, max: 300 }),
  gapMs: fc.oneof({ weight: 4, arbitrary: fc.constant(20) }, { weight: 3, arbitrary: fc.integer({ min: 15, max: 40 }) }),
  stallMs: fc.oneof({ weight: 12, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 41, max: 3_000 }) }),
  tip: fc.constant({ kind: 'plant' } as const),
  supplyBarGauge: fc.constant(null),
  returnBarAbs: fc.constant('plant' as const),
  probePresent: fc.constant(true),
  press: fc.oneof(
    { weight: 3, arbitrary: fc.constant(null) },
    { weight: 2, arbitrary: fc.constantFrom('start' as const, 'acknowledge' as const) },
    { weight: 1, arbitrary: fc.constant('stop' as const) },
  ),
  footswitch: fc.boolean(),
  estop: fc.constant(false),
  halFault: fc.constant(false),
});

const segment: fc.Arbitrary<Segment> = fc.oneof({ weight: 3, arbitrary: nominal }, { weight: 2, arbitrary: disturbed });

function overridesFor(seg: Segment, nowMs: number, segStartMs: number, first: boolean): ReadingOverrides {
  const tip: ReadingOverrides = (() => {
    switch (seg.tip.kind) {
      case 'plant':
        return {};
      case 'value':
        return { tipC: seg.tip.c };
      case 'nan':
        return { tipC: Number.NaN };
      case 'fault':
        return { fault: seg.tip.fault };
      case 'stale':
        return { tipAtMs: segStartMs };
      case 'cold-junction':
        return { coldJunctionC: seg.tip.c };
    }
  })();
  return {
    ...tip,
    ...(seg.supplyBarGauge === null ? {} : { supplyBarGauge: seg.supplyBarGauge }),
    ...(seg.returnBarAbs === 'plant' ? {} : { returnBarAbs: seg.returnBarAbs }),
    probePresent: seg.probePresent,
    halFault: seg.halFault ? 'device lost' : null,
    operator: {
      start: first && seg.press === 'start',
      stop: first && seg.press === 'stop',
      acknowledge: first && seg.press === 'acknowledge',
      footswitch: seg.footswitch,
      estop: seg.estop,
    },
  };
}

/** Is the control tip reading one the controller may call warm: fresh, fault-free, in range? */
function usableTipC(readings: Readings, nowMs: number): number | null {
  const t = readings.tips[0];
  const s = SETTINGS.tip;
  if (t === undefined || t.fault !== null || !Number.isFinite(t.tipC) || readings.halFault !== null) return null;
  if (t.tipC < s.minValidC || t.tipC > s.maxValidC) return null;
  if (!(t.coldJunctionC >= s.coldJunctionMinC && t.coldJunctionC <= s.coldJunctionMaxC)) return null;
  if (!(nowMs - t.atMs <= s.staleMs)) return null;
  return t.tipC;
}

/** An acting interlock is tripped (an advisory's trip, INEFFECTIVE_FREEZE, closes nothing). */
const anyTripped = (s: ControllerState): boolean => INTERLOCK_IDS.some((id) => s.interlocks[id].tripped && !isAdvisory(id));

/** Throws naming the step when `ok` is false (plain checks: `expect` per step is too slow here). */
function check(ok: boolean, what: string, nowMs: number, s: ControllerState): void {
  if (!ok) throw new Error(`${what} at ${nowMs} ms (phase ${s.phase}/${s.sub}, cycle ${s.cycle})`);
}

function checkInvariants(nowMs: number, readings: Readings, prev: ControllerState, r: StepResult): void {
  const s = r.state;
  const o = r.outputs;
  // (a) Gas flows only in a freeze with nothing tripped; a single valve only in a freeze or the self-test.
  if (gasPathOpen(o)) check(s.phase === 'Freezing' && !anyTripped(s), 'gas path open outside an untripped freeze', nowMs, s);
  if (anyValveOpen(o)) check((s.phase === 'Freezing' || s.phase === 'SelfTest') && !anyTripped(s), 'a valve open outside freeze/self-test', nowMs, s);
  // (b) A trip closes both valves in its own step and ends the treatment; an advisory's trip
  // (INEFFECTIVE_FREEZE) acts on nothing, and comes only with both valves closed.
  if (r.events.some((e) => e.kind === 'trip' && isAdvisory(e.id))) check(!anyValveOpen(o), 'a valve open in the step of an advisory', nowMs, s);
  if (r.events.some((e) => e.kind === 'trip' && !isAdvisory(e.id))) {
    check(!anyValveOpen(o), 'a valve open in the step of a trip', nowMs, s);
    check(s.phase === 'Fault' || s.phase === 'Stopped', 'a trip that did not end the treatment', nowMs, s);
  }
  // (c) Never safe to withdraw on a cold or unusable reading, nor during a freeze or thaw.
  if (s.safeToWithdraw) {
    const tipC = usableTipC(readings, nowMs);
    check(tipC !== null && tipC > 0, `safe to withdraw with tip ${String(readings.tips[0]?.tipC)} C`, nowMs, s);
    check(s.phase !== 'Freezing' && s.phase !== 'Thawing', 'safe to withdraw during a freeze or thaw', nowMs, s);
  }
  // (d) The supply is commanded closed at the first step at or after freezeS; a freeze overshoots
  // by less than the last step gap, and by no more than the grace when that gap was within it.
  if (o.supplyValveOpen && s.phase === 'Freezing') check(s.cycleFreezeMs < FREEZE_MS, `supply open after ${s.cycleFreezeMs} ms of freeze`, nowMs, s);
  if (s.cycleFreezeMs > prev.cycleFreezeMs) {
    check(s.cycleFreezeMs < FREEZE_MS + s.lastGapMs, `freeze overshot to ${s.cycleFreezeMs} ms`, nowMs, s);
    if (s.lastGapMs <= GRACE_MS) check(s.cycleFreezeMs <= FREEZE_MS + GRACE_MS, `freeze ran ${s.cycleFreezeMs} ms`, nowMs, s);
  }
  if (gasPathOpen(o)) check(s.cumulativeFreezeMs <= CAP_MS + GRACE_MS, `site total ${s.cumulativeFreezeMs} ms with gas flowing`, nowMs, s);
}

interface RunStats {
  freezes: number;
  thaws: number;
  completes: number;
}

function run(segments: readonly Segment[]): RunStats {
  const patient = new NormalPatient({ startAtMs: 0 });
  let state = initialState(0);
  let nowMs = 0;
  const stats: RunStats = { freezes: 0, thaws: 0, completes: 0 };
  let firstStep = true;
  for (const seg of segments) {
    const segStartMs = nowMs + (firstStep ? 0 : seg.gapMs + seg.stallMs);
    for (let i = 0; i < seg.steps; i++) {
      if (!firstStep) nowMs += i === 0 ? seg.gapMs + seg.stallMs : seg.gapMs;
      const o = overridesFor(seg, nowMs, segStartMs, i === 0);
      // Start is pressed on the very first step of every run.
      const readings = patient.readings(nowMs, state, firstStep ? { ...o, operator: { ...o.operator, start: true } } : o);
      firstStep = false;
      const result = step(nowMs, SETTINGS, readings, state);
      checkInvariants(nowMs, readings, state, result);
      for (const e of result.events) {
        if (e.kind !== 'phase') continue;
        if (e.to === 'Freezing') stats.freezes++;
        if (e.to === 'Thawing') stats.thaws++;
        if (e.to === 'Complete') stats.completes++;
      }
      state = result.state;
    }
  }
  return stats;
}

describe('control step invariants over random inputs', () => {
  it('keeps the valve, trip, withdrawal and freeze-time invariants after every step', () => {
    let runsWithFreeze = 0;
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 25 }), (segments) => {
        if (run(segments).freezes > 0) runsWithFreeze++;
      }),
      { seed: 42, numRuns: 200 },
    );
    // The generator must reach the dangerous phase often enough to mean something.
    expect(runsWithFreeze).toBeGreaterThan(40);
  });

  it('keeps the invariants through whole treatments with random timing, stalls and button presses', () => {
    // Long nominal stretches: these runs reach the freeze end, the thaw and completion.
    const long = nominal.map((seg) => ({ ...seg, steps: seg.steps * 3 }));
    const all: RunStats[] = [];
    fc.assert(
      fc.property(fc.array(long, { minLength: 1, maxLength: 8 }), (segments) => {
        all.push(run(segments));
      }),
      { seed: 42, numRuns: 40 },
    );
    expect(all.filter((r) => r.thaws > 0).length).toBeGreaterThanOrEqual(10);
    expect(all.filter((r) => r.completes > 0).length).toBeGreaterThanOrEqual(2);
  });
});
