// Every file in hil/scenarios runs on each push, through the same code path as `cryo hil run`
// (runScenarioFile: read, validate, run with the fuzzer's invariants every tick, judge), in this
// process. The set covers what issue 11 asks of it, and each file's expectations are shown able to
// fail: each is mutated in turn and judged against the same run, which must then fail.
import { beforeAll, describe, expect, it } from 'vitest';
import { FAULT_KINDS } from '../hil/faults.js';
import { INTERLOCK_IDS, isAdvisory } from '../src/controller/interlocks.js';
import type { InterlockId } from '../src/controller/interlocks.js';
import { PRESETS, PRESET_NAMES } from '../src/controller/settings.js';
import type { AdvisoryRecord } from '../src/sim/recorder.js';
import type { ScenarioReport } from '../src/sim/scenarios/execute.js';
import { DEFAULT_SCENARIO_DIR, runScenarioFile, scenarioFiles } from '../src/sim/scenarios/execute.js';
import { judge } from '../src/sim/scenarios/expect.js';
import type { Expectations, FreezeExpect, HilScenario, Range } from '../src/sim/scenarios/schema.js';
import { parseHilScenario } from '../src/sim/scenarios/schema.js';
import { readJsonFile } from '../kernel/json-file.js';

/** Interlocks no simulated scenario can reach. Empty since the fault kinds supply-pressure-lost
 * and return-pressure-lost reach PRESSURE_SENSOR_FAULT (issue 11). The test below fails when a
 * listed one gains a scenario, so this list only shrinks. */
const NOT_REACHABLE_IN_SIM: readonly InterlockId[] = [];
const MIN_SCENARIOS = 30;
/** Issue 11 asks for cylinder temperatures from 5 to 35 C. The plant accepts up to 40 C
 * (hil/plant/params.ts, CO2_MODEL_MAX_CYLINDER_TEMP_C in kernel/co2.ts): liquid CO2 to the critical point at 31 C,
 * supercritical above it, so both ends are covered. */
const CYLINDER_SPAN_C = { min: 5, max: 35 };
/** ~50 whole treatments at >1000x real time; generous for a loaded 2-core machine. */
const RUN_ALL_TIMEOUT_MS = 240_000;

const files = scenarioFiles([DEFAULT_SCENARIO_DIR]);
const scenarios: HilScenario[] = files.map((f) => parseHilScenario(readJsonFile(f, 'scenario file', (m) => new Error(m)), f));
let reports: ScenarioReport[] = [];

beforeAll(() => {
  reports = files.map((f) => runScenarioFile(f));
}, RUN_ALL_TIMEOUT_MS);

const expectOf = (s: HilScenario): Expectations => {
  if (s.expect === null) throw new Error(`${s.file}: a hil/scenarios file must carry expectations (version 2)`);
  return s.expect;
};

describe('hil/scenarios', () => {
  it(`holds at least ${MIN_SCENARIOS} scenario files, each with expectations`, () => {
    expect(files.length).toBeGreaterThanOrEqual(MIN_SCENARIOS);
    for (const s of scenarios) expect(s.expect, s.file).not.toBeNull();
  });

  it('passes every scenario: no invariant broken, every expectation met', () => {
    const failed = reports.filter((r) => !r.passed).map((r) => `${r.file}:\n  ${r.failures.join('\n  ')}`);
    expect(failed, failed.join('\n')).toEqual([]);
    expect(reports).toHaveLength(files.length);
  });

  it('injects every fault kind in some scenario', () => {
    const used = new Set(scenarios.flatMap((s) => s.scenario.faults.map((f) => f.kind)));
    expect(FAULT_KINDS.filter((k) => !used.has(k))).toEqual([]);
  });

  it('expects every interlock the simulation can reach to trip in some scenario, and it does', () => {
    const expected = new Set(scenarios.flatMap((s) => expectOf(s).trips.map((t) => t.id)));
    // An advisory (INEFFECTIVE_FREEZE) is no trip: expect.trips refuses it; the scenarios judge it
    // by expect.advisories and each freeze's verdict (effective), checked in the test below.
    const reachable = INTERLOCK_IDS.filter((id) => !NOT_REACHABLE_IN_SIM.includes(id) && !isAdvisory(id));
    expect(reachable.filter((id) => !expected.has(id))).toEqual([]);
    expect(NOT_REACHABLE_IN_SIM.filter((id) => expected.has(id)), 'now reached: remove it from NOT_REACHABLE_IN_SIM').toEqual([]);
    const tripped = new Set(reports.flatMap((r) => r.run?.trips.map((t) => t.id) ?? []));
    expect(reachable.filter((id) => !tripped.has(id))).toEqual([]);
  });

  it('expects every advisory to be raised in some scenario, and forbids it (judged effective) in a completing one, and both hold', () => {
    for (const id of INTERLOCK_IDS.filter((x) => isAdvisory(x))) {
      const expecting = scenarios.filter((s) => expectOf(s).advisories.some((a) => a.id === id));
      expect(expecting.length, `no scenario expects ${id}`).toBeGreaterThan(0);
      const raised = reports.filter((r) => r.run?.advisories.some((a) => a.id === id) === true);
      expect(raised.length, `no scenario raised ${id}`).toBeGreaterThan(0);
    }
    const forbidding = scenarios.filter((s) => expectOf(s).outcome === 'complete' && expectOf(s).otherAdvisories === 'forbidden' && expectOf(s).advisories.length === 0 && expectOf(s).freezes?.each?.effective === true);
    expect(forbidding.length).toBeGreaterThan(0);
    const ineffective = scenarios.filter((s) => expectOf(s).freezes?.each?.effective === false || expectOf(s).freezes?.byIndex?.some((b) => b.effective === false) === true);
    expect(ineffective.length).toBeGreaterThan(0);
  });

  it('runs each preset to completion', () => {
    for (const preset of PRESET_NAMES) {
      const s = scenarios.find((x) => JSON.stringify(x.scenario.settings.protocol) === JSON.stringify(PRESETS[preset]) && expectOf(x).outcome === 'complete');
      expect(s, `no completing scenario on preset ${preset}`).toBeDefined();
    }
  });

  it(`spans cylinder temperatures from ${CYLINDER_SPAN_C.min} to ${CYLINDER_SPAN_C.max} C`, () => {
    const temps = scenarios.map((s) => s.scenario.plant.cylinderTempC).filter((t): t is number => typeof t === 'number');
    expect(Math.min(...temps)).toBeLessThanOrEqual(CYLINDER_SPAN_C.min);
    expect(Math.max(...temps)).toBeGreaterThanOrEqual(CYLINDER_SPAN_C.max);
    expect(new Set(temps).size).toBeGreaterThanOrEqual(6);
  });

  it("bounds r(-20 C) at every freeze's end, estimate and truth, in each preset's and each freezing cylinder scenario, and on tissue at its extremes", () => {
    const bounded = (s: HilScenario, freezes: number): boolean => {
      const f = expectOf(s).freezes;
      return Array.from({ length: freezes }, (_, i) => f?.byIndex?.[i] ?? f?.each).every((b) => b?.r20MmAtEnd !== undefined && b.r20TrueMmAtEnd !== undefined);
    };
    const freezesOf = (s: HilScenario): number => reports[scenarios.indexOf(s)]?.run?.freezes.length ?? 0;
    for (const preset of PRESET_NAMES) {
      const s = scenarios.find((x) => x.name === `preset-${preset}-complete`);
      expect(s !== undefined && bounded(s, freezesOf(s)), `preset-${preset}-complete`).toBe(true);
    }
    const cylinders = scenarios.filter((s) => typeof s.scenario.plant.cylinderTempC === 'number' && freezesOf(s) > 0);
    expect(cylinders.length).toBeGreaterThanOrEqual(4);
    for (const s of cylinders) expect(bounded(s, freezesOf(s)), s.file).toBe(true);
    const tissue = scenarios.filter((s) => s.scenario.plant.tissue !== undefined && bounded(s, freezesOf(s)));
    expect(tissue.length).toBeGreaterThanOrEqual(2);
  });

  it('includes an empty cylinder during a blocked return, and a stuck valve with a lost thermocouple', () => {
    const overlapping = (s: HilScenario, a: string, b: string): boolean => {
      const fa = s.scenario.faults.find((f) => f.kind === a);
      const fb = s.scenario.faults.find((f) => f.kind === b);
      if (fa === undefined || fb === undefined) return false;
      const end = (f: { atMs: number; durationMs: number | null }): number => (f.durationMs === null ? Infinity : f.atMs + f.durationMs);
      return fa.atMs < end(fb) && fb.atMs < end(fa);
    };
    expect(scenarios.some((s) => overlapping(s, 'cylinder-empty', 'return-blocked'))).toBe(true);
    expect(scenarios.some((s) => overlapping(s, 'valve-stuck-open', 'tc-open'))).toBe(true);
  });
});

/** A range that excludes every value the given one admits (so a run inside it must now fail). */
function excluding(r: Range): Range {
  return r.min !== undefined ? { max: r.min - 0.001 } : { min: (r.max ?? 0) + 0.001 };
}

/** One mutation per expectation field present in `e`, each wrong for any run that met `e`. */
function mutations(e: Expectations, trippedInRun: ReadonlySet<InterlockId>, raisedInRun: readonly AdvisoryRecord[]): { field: string; expect: Expectations }[] {
  const out: { field: string; expect: Expectations }[] = [];
  const add = (field: string, changed: Partial<Expectations>): void => {
    out.push({ field, expect: { ...e, ...changed } });
  };
  if (e.outcome !== undefined) add('outcome', { outcome: e.outcome === 'complete' ? 'fault' : 'complete' });
  e.trips.forEach((t, i) => {
    // An interlock this run never tripped: expecting it instead must fail.
    const unreached = INTERLOCK_IDS.find((id) => !trippedInRun.has(id) && !isAdvisory(id)) ?? 'HAL_FAULT';
    add(`trips[${i}].id`, { trips: e.trips.map((x, j) => (j === i ? { ...x, id: unreached } : x)), otherTrips: 'allowed' });
    if (e.otherTrips === 'forbidden') add(`trips[${i}] removed`, { trips: e.trips.filter((_, j) => j !== i) });
  });
  if (e.otherTrips === 'forbidden' && e.trips.length === 0) add('trips (one more)', { trips: [{ id: 'OPERATOR_STOP' }] });
  e.advisories.forEach((a, i) => {
    // A cycle the run raised no such advisory in: expecting it there instead must fail.
    const unraised = Math.max(0, ...raisedInRun.filter((r) => r.id === a.id).map((r) => r.cycle)) + 1;
    add(`advisories[${i}].cycle`, { advisories: e.advisories.map((x, j) => (j === i ? { ...x, cycle: unraised } : x)), otherAdvisories: 'allowed' });
    if (e.otherAdvisories === 'forbidden') add(`advisories[${i}] removed`, { advisories: e.advisories.filter((_, j) => j !== i) });
  });
  if (e.otherAdvisories === 'forbidden' && e.advisories.length === 0) add('advisories (one more)', { advisories: [{ id: 'INEFFECTIVE_FREEZE' }] });
  if (e.alarmPriorities !== undefined) {
    const p = e.alarmPriorities;
    add('alarmPriorities', { alarmPriorities: p.includes('low') ? p.filter((x) => x !== 'low') : [...p, 'low'] });
  }
  if (e.minTipTrueC !== undefined) add('minTipTrueC', { minTipTrueC: excluding(e.minTipTrueC) });
  const f = e.freezes;
  if (f !== undefined) {
    if (f.count !== undefined) add('freezes.count', { freezes: { ...f, count: typeof f.count === 'number' ? f.count + 1 : excluding(f.count) } });
    if (f.each !== undefined) for (const m of freezeMutations(f.each)) add(`freezes.each.${m.field}`, { freezes: { ...f, each: m.expect } });
    f.byIndex?.forEach((b, i) => {
      for (const m of freezeMutations(b)) add(`freezes.byIndex[${i}].${m.field}`, { freezes: { ...f, byIndex: f.byIndex?.map((x, j) => (j === i ? m.expect : x)) } });
    });
  }
  if (e.safeToWithdraw !== undefined) add('safeToWithdraw', { safeToWithdraw: e.safeToWithdraw === 'never' ? { byS: 86_000 } : 'never' });
  return out;
}

function freezeMutations(f: FreezeExpect): { field: string; expect: FreezeExpect }[] {
  const out: { field: string; expect: FreezeExpect }[] = [];
  if (f.freezeS !== undefined) out.push({ field: 'freezeS', expect: { ...f, freezeS: excluding(f.freezeS) } });
  if (f.minTipC !== undefined) out.push({ field: 'minTipC', expect: { ...f, minTipC: excluding(f.minTipC) } });
  if (f.secondsToMinus50C === null) out.push({ field: 'secondsToMinus50C', expect: { ...f, secondsToMinus50C: { min: 0 } } });
  else if (f.secondsToMinus50C !== undefined) out.push({ field: 'secondsToMinus50C', expect: { ...f, secondsToMinus50C: excluding(f.secondsToMinus50C) } });
  if (f.r20MmAtEnd !== undefined) out.push({ field: 'r20MmAtEnd', expect: { ...f, r20MmAtEnd: excluding(f.r20MmAtEnd) } });
  if (f.r20TrueMmAtEnd !== undefined) out.push({ field: 'r20TrueMmAtEnd', expect: { ...f, r20TrueMmAtEnd: excluding(f.r20TrueMmAtEnd) } });
  if (f.effective !== undefined) out.push({ field: 'effective', expect: { ...f, effective: !f.effective } });
  return out;
}

describe('each scenario expectation can fail', () => {
  it('fails every scenario once any one of its expectations is made wrong', () => {
    let judged = 0;
    const survivors: string[] = [];
    scenarios.forEach((s, i) => {
      const run = reports[i]?.run;
      if (run === null || run === undefined) throw new Error(`${s.file} did not run`);
      const muts = mutations(expectOf(s), new Set(run.trips.map((t) => t.id)), run.advisories);
      expect(muts.length, `${s.file}: fewer than 3 expectations`).toBeGreaterThanOrEqual(3);
      for (const m of muts) {
        judged += 1;
        if (judge({ ...s, expect: m.expect }, run).length === 0) survivors.push(`${s.file}: ${m.field}`);
      }
    });
    expect(survivors, 'mutated expectations that still passed').toEqual([]);
    expect(judged).toBeGreaterThan(files.length * 3);
  });

  it('fails every r20MmAtEnd bound once the run\'s estimate is a 1.4x overestimate or a 0.75x underestimate', () => {
    let bounds = 0;
    const survivors: string[] = [];
    scenarios.forEach((s, i) => {
      const run = reports[i]?.run;
      const f = expectOf(s).freezes;
      if (run === null || run === undefined || f === undefined) return;
      run.freezes.forEach((fr, k) => {
        const want = f.byIndex?.[k]?.r20MmAtEnd ?? f.each?.r20MmAtEnd;
        if (want === undefined) return;
        bounds += 1;
        for (const factor of [1.4, 0.75]) {
          const scaled = { ...run, freezes: run.freezes.map((x, j) => (j === k ? { ...x, r20MmAtEnd: (x.r20MmAtEnd ?? Number.NaN) * factor } : x)) };
          if (!judge(s, scaled).some((line) => line.includes('.r20MmAtEnd: wanted'))) survivors.push(`${s.file} freeze ${k + 1} x${factor}`);
        }
      });
    });
    expect(bounds).toBeGreaterThanOrEqual(20);
    expect(survivors, 'r20MmAtEnd bounds too loose to see the estimate off by a quarter').toEqual([]);
  });

  it('fails a latency expectation tightened below the observed trip latency', () => {
    const s = scenarios.find((x) => x.name === 'fault-loop-stall-mid-freeze');
    const run = reports[scenarios.indexOf(s as HilScenario)]?.run;
    if (s === undefined || run === undefined || run === null) throw new Error('fault-loop-stall-mid-freeze missing');
    const e = expectOf(s);
    const tight = { ...e, trips: e.trips.map((t) => ({ ...t, withinMs: 100 })) };
    expect(judge({ ...s, expect: tight }, run).join('\n')).toMatch(/LOOP_OVERRUN: tripped \d+ ms after 30 s, wanted within 100 ms/);
  });
});
