// Judging a scenario run against its file's expectations. Each failed expectation is one line
// naming the expectation's field, what was wanted and what the run did. An expectation the run
// cannot judge (radii from a run that estimates none) fails too: it never passes by silence.
import type { InterlockId } from '../../controller/types.js';
import { INVARIANTS } from '../fuzz/invariants.js';
import type { FreezeResult, ScenarioRunResult } from './run.js';
import type { AdvisoryRecord } from '../recorder.js';
import type { AdvisoryExpect, Expectations, FreezeExpect, HilScenario, Range } from './schema.js';

const fmt = (x: number | null | undefined): string => (x === null || x === undefined || Number.isNaN(x) ? 'none' : String(Number(x.toFixed(3))));

export function rangeText(r: Range): string {
  if (r.min !== undefined && r.max !== undefined) return `${r.min} to ${r.max}`;
  return r.min !== undefined ? `>= ${r.min}` : `<= ${String(r.max)}`;
}

function inRange(x: number, r: Range): boolean {
  return Number.isFinite(x) && (r.min === undefined || x >= r.min) && (r.max === undefined || x <= r.max);
}

function checkRange(failures: string[], field: string, got: number | null | undefined, want: Range): void {
  if (got === null || got === undefined || !inRange(got, want)) failures.push(`${field}: wanted ${rangeText(want)}, got ${fmt(got)}`);
}

/** Every failure of the run: a broken invariant first, then each unmet expectation. */
export function judge(hil: HilScenario, run: ScenarioRunResult): string[] {
  const failures: string[] = [];
  if (run.violation !== null) {
    const v = run.violation;
    failures.push(`invariant ${v.invariant} (${INVARIANTS[v.invariant]}) at ${(v.atMs / 1000).toFixed(3)} s: ${v.detail}`);
  }
  if (hil.expect !== null) checkExpectations(hil, hil.expect, run, failures);
  return failures;
}

function checkExpectations(hil: HilScenario, e: Expectations, run: ScenarioRunResult, failures: string[]): void {
  if (e.outcome !== undefined && run.outcome !== e.outcome) failures.push(`expect.outcome: wanted ${e.outcome}, got ${run.outcome} (final phase ${run.finalPhase})`);
  checkTrips(hil, e, run, failures);
  checkAdvisories(e, run, failures);
  if (e.alarmPriorities !== undefined) {
    const got = [...new Set(run.alarms.map((a) => a.priority))].sort();
    const want = [...new Set(e.alarmPriorities)].sort();
    if (got.join(',') !== want.join(',')) failures.push(`expect.alarmPriorities: wanted [${want.join(', ')}], got [${got.join(', ')}]`);
  }
  if (e.minTipTrueC !== undefined) checkRange(failures, 'expect.minTipTrueC', run.minTipTrueC, e.minTipTrueC);
  if (e.freezes !== undefined) checkFreezes(e.freezes, run.freezes, failures);
  if (e.safeToWithdraw === 'never') {
    if (run.safeToWithdrawAtS !== null) failures.push(`expect.safeToWithdraw: wanted never, shown at ${fmt(run.safeToWithdrawAtS)} s`);
  } else if (e.safeToWithdraw !== undefined) {
    const by = e.safeToWithdraw.byS;
    if (run.safeToWithdrawAtS === null || run.safeToWithdrawAtS > by) failures.push(`expect.safeToWithdraw.byS: wanted by ${by} s, got ${run.safeToWithdrawAtS === null ? 'never' : `${fmt(run.safeToWithdrawAtS)} s`}`);
  }
}

function checkTrips(hil: HilScenario, e: Expectations, run: ScenarioRunResult, failures: string[]): void {
  e.trips.forEach((t, i) => {
    const field = `expect.trips[${i}] ${t.id}`;
    const fromMs = t.afterFault !== undefined ? (hil.scenario.faults[t.afterFault]?.atMs ?? 0) : (t.afterMs ?? 0);
    const trip = run.trips.find((r) => r.id === t.id && r.atS * 1000 >= fromMs);
    if (trip === undefined) {
      const earlier = run.trips.some((r) => r.id === t.id);
      failures.push(`${field}: did not trip${earlier ? ` at or after ${fmt(fromMs / 1000)} s (only before)` : ''}`);
      return;
    }
    const latencyMs = trip.atS * 1000 - fromMs;
    if (t.withinMs !== undefined && latencyMs > t.withinMs) {
      failures.push(`${field}: tripped ${latencyMs.toFixed(0)} ms after ${fmt(fromMs / 1000)} s, wanted within ${t.withinMs} ms`);
    }
  });
  if (e.otherTrips === 'allowed') return;
  const listed = new Set<InterlockId>(e.trips.map((t) => t.id));
  const others = [...new Set(run.trips.filter((r) => !listed.has(r.id)).map((r) => `${r.id} at ${fmt(r.atS)} s`))];
  if (others.length > 0) failures.push(`expect.otherTrips: forbidden, but tripped ${others.join(', ')}`);
}

/** Advisories (INEFFECTIVE_FREEZE) are judged apart from the trips: each listed one raised (in
 * its cycle, if given), and with otherAdvisories forbidden none raised that no entry matches. */
function checkAdvisories(e: Expectations, run: ScenarioRunResult, failures: string[]): void {
  const matches = (want: AdvisoryExpect, got: AdvisoryRecord): boolean => got.id === want.id && (want.cycle === undefined || got.cycle === want.cycle);
  const raisedText = (list: readonly AdvisoryRecord[]): string => (list.length === 0 ? 'none raised' : `raised ${list.map((a) => `${a.id} (cycle ${a.cycle}) at ${fmt(a.atS)} s`).join(', ')}`);
  e.advisories.forEach((want, i) => {
    if (!run.advisories.some((got) => matches(want, got))) {
      failures.push(`expect.advisories[${i}] ${want.id}${want.cycle === undefined ? '' : ` (cycle ${want.cycle})`}: not raised; ${raisedText(run.advisories)}`);
    }
  });
  if (e.otherAdvisories === 'allowed') return;
  const others = run.advisories.filter((got) => !e.advisories.some((want) => matches(want, got)));
  if (others.length > 0) failures.push(`expect.otherAdvisories: forbidden, but ${raisedText(others)}`);
}

function checkFreezes(f: NonNullable<Expectations['freezes']>, freezes: readonly FreezeResult[], failures: string[]): void {
  if (typeof f.count === 'number') {
    if (freezes.length !== f.count) failures.push(`expect.freezes.count: wanted ${f.count}, got ${freezes.length}`);
  } else if (f.count !== undefined) checkRange(failures, 'expect.freezes.count', freezes.length, f.count);
  if (f.each !== undefined) {
    if (freezes.length === 0) failures.push('expect.freezes.each: no freeze began');
    const each = f.each;
    freezes.forEach((fr, i) => { checkFreeze(`expect.freezes.each (freeze ${i + 1})`, each, fr, failures); });
  }
  f.byIndex?.forEach((want, i) => {
    const fr = freezes[i];
    if (fr === undefined) failures.push(`expect.freezes.byIndex[${i}]: freeze ${i + 1} never began (${freezes.length} did)`);
    else checkFreeze(`expect.freezes.byIndex[${i}]`, want, fr, failures);
  });
}

/** The message a radius expectation gives while runs carry no radii (the tissue model and the
 * live estimate of issue 11 put them there). */
export const RADII_NOT_AVAILABLE = 'radii not available: this run carries no r(-20 C) per freeze';

function checkFreeze(field: string, want: FreezeExpect, got: FreezeResult, failures: string[]): void {
  if (want.freezeS !== undefined) checkRange(failures, `${field}.freezeS`, got.freezeS, want.freezeS);
  if (want.minTipC !== undefined) checkRange(failures, `${field}.minTipC`, got.minTipC, want.minTipC);
  if (want.secondsToMinus50C === null) {
    if (got.secondsToMinus50C !== null) failures.push(`${field}.secondsToMinus50C: wanted never below -50 C, got ${fmt(got.secondsToMinus50C)} s`);
  } else if (want.secondsToMinus50C !== undefined) checkRange(failures, `${field}.secondsToMinus50C`, got.secondsToMinus50C, want.secondsToMinus50C);
  // The controller's estimate is in every cycle record (null: no estimate, judged as none).
  if (want.r20MmAtEnd !== undefined) checkRange(failures, `${field}.r20MmAtEnd`, got.r20MmAtEnd, want.r20MmAtEnd);
  if (want.effective !== undefined && got.effective !== want.effective) {
    failures.push(`${field}.effective: wanted ${want.effective ? 'effective' : 'not effective'}, got ${got.effective === null ? 'no verdict' : got.effective ? 'effective' : 'not effective'} (r(-20 C) at end ${fmt(got.r20MmAtEnd)} mm)`);
  }
  if (want.r20TrueMmAtEnd !== undefined) {
    if (got.r20TrueMmAtEnd === undefined) failures.push(`${field}.r20TrueMmAtEnd: ${RADII_NOT_AVAILABLE}`);
    else checkRange(failures, `${field}.r20TrueMmAtEnd`, got.r20TrueMmAtEnd, want.r20TrueMmAtEnd);
  }
}
