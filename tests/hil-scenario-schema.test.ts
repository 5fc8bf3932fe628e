// The scenario file format (src/sim/scenarios/schema.ts): the fuzzer's saved files still load and
// run; a bad field is refused naming the file, the field path and the value; a radius expectation
// fails, never passes, while runs carry no radii; and the invariants judge a scenario run too.
import { describe, expect, it } from 'vitest';
import { drawScenario } from '../src/sim/fuzz/draw.js';
import { INVARIANTS } from '../src/sim/fuzz/invariants.js';
import { SCENARIO_FILE_FORMAT, SCENARIO_FILE_VERSION } from '../src/sim/fuzz/scenario.js';
import { runEnvironment } from '../src/sim/scenarios/environment.js';
import { RADII_NOT_AVAILABLE, judge } from '../src/sim/scenarios/expect.js';
import { runHilScenario } from '../src/sim/scenarios/run.js';
import type { HilScenario } from '../src/sim/scenarios/schema.js';
import { HIL_SCENARIO_VERSION, ScenarioFileError, parseHilScenario } from '../src/sim/scenarios/schema.js';
import { tripKeepsGasPath } from './helpers/broken-controllers.js';

const FILE = 'hil/scenarios/x.json';
const SHORT = { cycles: 1, freezeS: 10, thawS: 10 };

function v2(scenario: Record<string, unknown>, expectations: Record<string, unknown> = {}): Record<string, unknown> {
  return { format: SCENARIO_FILE_FORMAT, version: HIL_SCENARIO_VERSION, name: 'x', description: 'a test scenario', scenario: { seed: 1, protocol: SHORT, operator: [{ atMs: 0, action: 'start' }], ...scenario }, expect: expectations };
}

function refusal(raw: unknown): string {
  try {
    parseHilScenario(raw, FILE);
  } catch (err) {
    if (err instanceof ScenarioFileError) return err.message;
    throw err;
  }
  throw new Error('the file was accepted');
}

describe('fuzzer-saved scenario files (version 1)', () => {
  it('loads a file as cryo hil fuzz saves it and runs it, judging the invariants only', () => {
    const scenario = drawScenario(7);
    // The shape saveFailure in src/cli/hil.ts writes, extra fields and all.
    const saved = {
      format: SCENARIO_FILE_FORMAT,
      version: SCENARIO_FILE_VERSION,
      invariant: INVARIANTS['stop-ignored'],
      violation: { invariant: 'stop-ignored', atMs: 1234, detail: 'example' },
      replay: 'cryo hil replay fuzz-failures/seed-7-stop-ignored.json',
      drawnFrom: { seed: 7, command: 'cryo hil fuzz --runs 1 --seed 7', violation: { invariant: 'stop-ignored', atMs: 1234, detail: 'example' } },
      scenario: JSON.parse(JSON.stringify(scenario)) as unknown,
    };
    const hil = parseHilScenario(saved, 'fuzz-failures/seed-7-stop-ignored.json');
    expect(hil.name).toBe('seed-7-stop-ignored');
    expect(hil.expect).toBeNull();
    expect(hil.scenario).toEqual(scenario);
    const run = runHilScenario(hil);
    expect(judge(hil, run)).toEqual([]);
  });
});

describe('tissue parameters in a scenario (issue 11: a scenario can vary them)', () => {
  it('loads plant.tissue overrides and runs the plant with them: unperfused tissue freezes a larger ice ball', () => {
    const radiusAtEnd = (plant: Record<string, unknown>): number => {
      const hil = parseHilScenario(v2({ plant }), FILE);
      const run = runHilScenario(hil);
      return Math.max(...run.trace.map((t) => t.iceBall?.r20Mm ?? 0));
    };
    expect(radiusAtEnd({ tissue: { perfusionWPerM3K: 0, metabolicWPerM3: 0 } })).toBeGreaterThan(radiusAtEnd({}));
  });
});

describe('a thermocouple lag in a scenario file (version 2)', () => {
  it('lags the reading behind the true tip, and gives the run the time its reading takes to settle', () => {
    const lagging = parseHilScenario(v2({ tcLagMs: 8_000 }), FILE);
    const sound = parseHilScenario(v2({}), FILE);
    expect(lagging.scenario.tcLagMs).toBe(8_000);
    expect(lagging.scenario.maxMs).toBeGreaterThan(sound.scenario.maxMs);
    // 5 s into the freeze, the 8 s lag leaves the reading far above the true tip; the sound one does not.
    const gapAt = (hil: typeof sound): number => {
      const trace = runHilScenario(hil).trace;
      const freezeFromMs = trace.find((t) => t.phase === 'Freezing')?.tMs ?? Number.NaN;
      const row = trace.find((t) => t.phase === 'Freezing' && t.tMs >= freezeFromMs + 5_000);
      return (row?.tipReadC ?? Number.NaN) - (row?.tipTrueC ?? Number.NaN);
    };
    expect(gapAt(lagging)).toBeGreaterThan(10);
    expect(Math.abs(gapAt(sound))).toBeLessThan(3);
  });

  it('names the field when the lag is out of its bounds', () => {
    expect(refusal(v2({ tcLagMs: 70_000 }))).toContain(`${FILE}: scenario.tcLagMs`);
  });
});

describe('a bad scenario file is refused naming file, field and value', () => {
  it('names a plant parameter out of its bounds', () => {
    expect(refusal(v2({ plant: { cylinderTempC: 45 } }))).toContain(`${FILE}: scenario.plant.cylinderTempC: plant: cylinderTempC 45 is outside the cylinder model's range`);
  });

  it('names a tissue parameter of the plant out of its bounds', () => {
    expect(refusal(v2({ plant: { tissue: { kFrozenWPerMK: 9 } } }))).toMatch(/^hil\/scenarios\/x\.json: scenario\.plant\.tissue: .*kFrozenWPerMK.*\(got 9\)/m);
  });

  it('names an unknown plant parameter', () => {
    expect(refusal(v2({ plant: { cylinderTemp: 20 } }))).toContain(`${FILE}: scenario.plant.cylinderTemp: unknown plant parameter`);
  });

  it('names an unknown fault kind with its index', () => {
    expect(refusal(v2({ faults: [{ kind: 'tc-open', atMs: 0, durationMs: null }, { kind: 'tc-melted', atMs: 5, durationMs: null }] }))).toMatch(/scenario\.faults\.1\.kind: .*\(got "tc-melted"\)/);
  });

  it('names a settings field out of its bounds', () => {
    expect(refusal(v2({ settings: { tip: { absoluteLimitC: -20 } } }))).toMatch(/scenario\.settings\.tip\.absoluteLimitC: .*\(got -20\)/);
  });

  it('refuses an unknown preset name, listing the presets', () => {
    const why = 'not a preset name (standard, percutaneous, cervical) nor a protocol {"cycles", "freezeS", "thawS"}';
    expect(refusal(v2({ protocol: 'fast' }))).toBe(`${FILE}: scenario.protocol: ${why} (got "fast")`);
    expect(refusal(v2({ protocol: 3 }))).toBe(`${FILE}: scenario.protocol: ${why} (got 3)`);
    expect(refusal(v2({ protocol: { ...SHORT, cycles: 9 } }))).toMatch(/scenario\.protocol\.cycles: .*\(got 9\)/);
  });

  it('refuses a protocol given twice', () => {
    expect(refusal(v2({ settings: { protocol: SHORT } }))).toContain('scenario.protocol: give the protocol here or in scenario.settings.protocol, not both');
  });

  it('refuses a trip expectation that counts from a fault the scenario does not have', () => {
    expect(refusal(v2({}, { trips: [{ id: 'THERMOCOUPLE_FAULT', afterFault: 2, withinMs: 100 }] }))).toContain('expect.trips.0.afterFault: no such fault: scenario.faults has 0');
  });

  it('refuses an unknown interlock and an unknown expectation', () => {
    expect(refusal(v2({}, { trips: [{ id: 'TIP_TOO_COLD' }] }))).toMatch(/expect\.trips\.0\.id: .*\(got "TIP_TOO_COLD"\)/);
    expect(refusal(v2({}, { minTipC: { min: -80 } }))).toMatch(/expect: Unrecognized key.*minTipC/);
  });

  it('refuses an advisory among the trips, naming the field and the value and pointing to expect.advisories', () => {
    expect(refusal(v2({}, { trips: [{ id: 'OPERATOR_STOP' }, { id: 'INEFFECTIVE_FREEZE', afterMs: 90_000, withinMs: 5000 }] }))).toContain(
      `${FILE}: expect.trips.1.id: INEFFECTIVE_FREEZE is an advisory, not an interlock trip (it closes no valve): expect it in expect.advisories (got "INEFFECTIVE_FREEZE")`,
    );
  });

  it('refuses an interlock that is no advisory in expect.advisories, and a cycle below 1', () => {
    expect(refusal(v2({}, { advisories: [{ id: 'OPERATOR_STOP' }] }))).toMatch(/expect\.advisories\.0\.id: .*\(got "OPERATOR_STOP"\)/);
    expect(refusal(v2({}, { advisories: [{ id: 'INEFFECTIVE_FREEZE', cycle: 0 }] }))).toMatch(/expect\.advisories\.0\.cycle: .*\(got 0\)/);
  });

  it('refuses a range with its ends reversed, and an empty one', () => {
    expect(refusal(v2({}, { minTipTrueC: { min: -50, max: -70 } }))).toContain('expect.minTipTrueC: min is above max');
    expect(refusal(v2({}, { minTipTrueC: {} }))).toContain('expect.minTipTrueC: a range needs min, max or both');
  });

  it('names an environment field out of its bounds, and half a records failure', () => {
    expect(refusal(v2({ environment: { probeCalibration: { offsetC: 10, gain: 1 } } }))).toMatch(/scenario\.environment\.probeCalibration/);
    expect(refusal(v2({ environment: { records: { failFromMs: 1000 } } }))).toContain('scenario.environment.records: give failFromMs and failure together');
    expect(refusal(v2({ environment: { probeError: { offsetErrorC: 11, gainError: 1 } } }))).toMatch(/scenario\.environment\.probeError\.offsetErrorC.*11/);
    expect(refusal(v2({ environment: { probeError: { offsetErrorC: 0, gainError: 1.2 } } }))).toMatch(/scenario\.environment\.probeError\.gainError.*1\.2/);
  });

  it('refuses a file of another version', () => {
    expect(refusal({ ...v2({}), version: 3 })).toContain(`${FILE}: version:`);
  });
});

describe('expectations on a short treatment', () => {
  // A 10 s freeze raises INEFFECTIVE_FREEZE (judged in the next block): allowed here.
  const hil = parseHilScenario(v2({}, { outcome: 'complete', otherAdvisories: 'allowed', freezes: { count: 1, each: { r20MmAtEnd: { min: 2 }, r20TrueMmAtEnd: { min: 2.5, max: 6 } } } }), FILE);
  const run = runHilScenario(hil);

  it("carries r(-20 C) per freeze, the controller's estimate and the plant's truth at the supply's closing, which agree", () => {
    expect(run.outcome).toBe('complete');
    const [freeze] = run.freezes;
    expect(freeze?.r20MmAtEnd).toBeGreaterThan(1);
    expect(Math.abs((freeze?.r20MmAtEnd ?? 0) - (freeze?.r20TrueMmAtEnd ?? Number.NaN))).toBeLessThan(0.02);
  });

  it('gives both radii to 3 decimals, as printed and judged', () => {
    const [freeze] = run.freezes;
    const trueMm = freeze?.r20TrueMmAtEnd ?? Number.NaN;
    expect(trueMm).toBeGreaterThan(0);
    expect(trueMm).toBe(Number(trueMm.toFixed(3)));
    expect(freeze?.r20MmAtEnd).toBe(Number((freeze?.r20MmAtEnd ?? Number.NaN).toFixed(3)));
    const at = (range: Record<string, number>): string[] => judge(parseHilScenario(v2({}, { otherAdvisories: 'allowed', freezes: { each: { r20TrueMmAtEnd: range } } }), FILE), run);
    expect(at({ min: trueMm, max: trueMm })).toEqual([]);
  });

  it('fails an r(-20 C) truth expectation with "radii not available" when a run carries none', () => {
    const without = { ...run, freezes: run.freezes.map((f) => ({ ...f, r20MmAtEnd: 2.4, r20TrueMmAtEnd: undefined })) };
    expect(judge(hil, without)).toEqual([`expect.freezes.each (freeze 1).r20TrueMmAtEnd: ${RADII_NOT_AVAILABLE}`]);
  });

  it('judges r(-20 C) against its range once a run carries it', () => {
    const withRadii = { ...run, freezes: run.freezes.map((f) => ({ ...f, r20MmAtEnd: 1.5, r20TrueMmAtEnd: null })) };
    expect(judge(hil, withRadii)).toEqual(['expect.freezes.each (freeze 1).r20MmAtEnd: wanted >= 2, got 1.5', 'expect.freezes.each (freeze 1).r20TrueMmAtEnd: wanted 2.5 to 6, got none']);
    expect(judge(hil, { ...run, freezes: run.freezes.map((f) => ({ ...f, r20MmAtEnd: 2.4, r20TrueMmAtEnd: 3.1 })) })).toEqual([]);
  });

  it('reports a broken invariant of a deliberately broken controller as a failure', () => {
    const tripped: HilScenario = parseHilScenario(v2({ faults: [{ kind: 'tc-open', atMs: 6000, durationMs: null }] }, { trips: [{ id: 'THERMOCOUPLE_FAULT' }] }), FILE);
    expect(judge(tripped, runHilScenario(tripped))).toEqual([]);
    const broken = runHilScenario(tripped, { step: tripKeepsGasPath });
    expect(broken.violation?.invariant).toBe('valves-commanded-outside-freeze');
    expect(judge(tripped, broken)[0]).toMatch(/^invariant valves-commanded-outside-freeze \(.*\) at 6\.\d+ s: both valves commanded open/);
  });
});

describe('advisories and the efficacy verdict (a 10 s freeze cannot reach the 2 mm target)', () => {
  const judged = (expectations: Record<string, unknown>): string[] => {
    const hil = parseHilScenario(v2({}, expectations), FILE);
    return judge(hil, run);
  };
  const hil = parseHilScenario(v2({}, {}), FILE);
  const run = runHilScenario(hil);

  it('records INEFFECTIVE_FREEZE apart from the trips, with its time and cycle', () => {
    expect(run.trips).toEqual([]);
    expect(run.advisories).toEqual([{ id: 'INEFFECTIVE_FREEZE', atS: expect.any(Number) as number, cycle: 1 }]);
    expect(run.advisories[0]?.atS).toBeGreaterThan(SHORT.freezeS);
    expect(run.freezes[0]?.effective).toBe(false);
  });

  it('passes an advisory expected, in its cycle or in any', () => {
    expect(judged({ advisories: [{ id: 'INEFFECTIVE_FREEZE', cycle: 1 }] })).toEqual([]);
    expect(judged({ advisories: [{ id: 'INEFFECTIVE_FREEZE' }] })).toEqual([]);
  });

  it('fails an advisory raised but not expected (otherAdvisories forbidden by default), naming the field', () => {
    expect(judged({})).toEqual(['expect.otherAdvisories: forbidden, but raised INEFFECTIVE_FREEZE (cycle 1) at 13.38 s']);
    expect(judged({ otherAdvisories: 'allowed' })).toEqual([]);
  });

  it('fails an advisory expected in a cycle it was not raised in, naming the field', () => {
    expect(judged({ advisories: [{ id: 'INEFFECTIVE_FREEZE', cycle: 2 }], otherAdvisories: 'allowed' })).toEqual([
      'expect.advisories[0] INEFFECTIVE_FREEZE (cycle 2): not raised; raised INEFFECTIVE_FREEZE (cycle 1) at 13.38 s',
    ]);
    const none = { ...run, advisories: [] };
    expect(judge(parseHilScenario(v2({}, { advisories: [{ id: 'INEFFECTIVE_FREEZE' }] }), FILE), none)).toEqual(['expect.advisories[0] INEFFECTIVE_FREEZE: not raised; none raised']);
  });

  it('judges the per-freeze efficacy verdict, and fails a freeze with no verdict', () => {
    const allowed = { otherAdvisories: 'allowed' };
    expect(judged({ ...allowed, freezes: { each: { effective: false } } })).toEqual([]);
    expect(judged({ ...allowed, freezes: { byIndex: [{ effective: true }] } })).toEqual([
      `expect.freezes.byIndex[0].effective: wanted effective, got not effective (r(-20 C) at end ${String(run.freezes[0]?.r20MmAtEnd)} mm)`,
    ]);
    const noVerdict = { ...run, freezes: run.freezes.map((f) => ({ ...f, effective: null })) };
    expect(judge(parseHilScenario(v2({}, { ...allowed, freezes: { each: { effective: false } } }), FILE), noVerdict)[0]).toMatch(/^expect\.freezes\.each \(freeze 1\)\.effective: wanted not effective, got no verdict/);
  });
});

describe('the probe a calibration record belongs to (scenario.environment)', () => {
  const TRUE_TIPS_C = [-78.5, -50, 0, 37];

  it('gives the sim probe the error the record corrects, so the corrected reading is the truth', () => {
    const env = runEnvironment({ probeCalibration: { offsetC: 3, gain: 1.04 } });
    const sensor = env.sensor;
    expect(sensor).toBeDefined();
    const gainError = sensor?.probeGainError ?? Number.NaN;
    const offsetErrorC = sensor?.probeOffsetErrorC ?? Number.NaN;
    for (const trueC of TRUE_TIPS_C) {
      const rawC = gainError * trueC + offsetErrorC;
      expect(1.04 * rawC + 3).toBeCloseTo(trueC, 9);
    }
  });

  it('keeps a stated probe error over the one the record corrects (a wrong record), and none without a record', () => {
    expect(runEnvironment({ probeCalibration: { offsetC: -3, gain: 1 }, probeError: { offsetErrorC: 0, gainError: 1 } }).sensor).toEqual({ probeOffsetErrorC: 0, probeGainError: 1 });
    expect(runEnvironment({ probeCalibration: { problem: 'no record' } }).sensor).toBeUndefined();
    expect(runEnvironment({}).sensor).toBeUndefined();
  });
});
