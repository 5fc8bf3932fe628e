// The fuzzer's probe calibration (src/sim/fuzz/calibration.ts): some runs read a drawn record as
// `cryo run` does, stating the probe's diameter (the plant's probe is that one), expiring, becoming
// unreadable or replaced at drawn times, with probe presence glitches shorter than
// PROBE_DISCONNECTED's debounce. The invariants calibration-changed-in-treatment and
// estimate-models-other-probe catch the two defects found reviewing VERDICT_HELD_PHASES (a press in
// a thaw re-reading an expired record; a presence glitch in a freeze or thaw), put back through the
// loop's holdsVerdict seam: they pass with the real loop.
import { describe, expect, it } from 'vitest';
import { describeIssues } from '../kernel/config-error.js';
import { debounceFor, interlockById } from '../src/controller/interlocks.js';
import { PROBE_OD_MM_MAX, PROBE_OD_MM_MIN, parseSettings } from '../src/controller/settings.js';
import { step } from '../src/controller/step.js';
import type { StepFunction } from '../src/runtime/loop.js';
import { fuzzOne } from '../src/sim/fuzz/campaign.js';
import type { ScenarioCalibration } from '../src/sim/fuzz/calibration.js';
import { drawScenario, maxMsFor } from '../src/sim/fuzz/draw.js';
import { runScenario } from '../src/sim/fuzz/run.js';
import { shrinkScenario } from '../src/sim/fuzz/shrink.js';
import type { ProbeIdMisread } from '../src/sim/fuzz/probe-id.js';
import type { Scenario, TimedAction } from '../src/sim/fuzz/scenario.js';
import { SCENARIO_FILE_FORMAT, SCENARIO_FILE_VERSION, ScenarioFileSchema } from '../src/sim/fuzz/scenario.js';
import type { FaultSpec } from '../hil/faults.js';
import { CI_FUZZ_SEED } from './helpers/fuzz-ci.js';

const SEEDS = Array.from({ length: 300 }, (_, i) => i + 1);
const THIN_MM = 0.4;
/** The record corrects a probe that reads 3 C warm (the most a fit accepts). */
const RECORD: ScenarioCalibration = { offsetC: -3, gain: 1, probeOdMm: THIN_MM, events: [] };
/** The loop of the defect: a freeze and its thaw hold no verdict. */
const NOTHING_HELD = (): boolean => false;
/** The CI campaign from its seed finds the defect within this many runs (run 169 at this writing:
 * run 14 before the calibration compared ids as looked up, when a presence glitch on the sim
 * board answered 'not read yet'; now an id misread in a freeze finds it). */
const FIND_WITHIN_RUNS = 250;

function scenario(parts: Partial<Omit<Scenario, 'maxMs'>>): Scenario {
  const base = {
    seed: 0, noiseSeed: 7, settings: { protocol: { cycles: 2, freezeS: 30, thawS: 30 } }, plant: { probeOdMm: THIN_MM },
    operator: [{ atMs: 0, action: 'start' as const }], faults: [], calibration: RECORD, ...parts,
  };
  return { ...base, maxMs: maxMsFor(base) };
}

/** A presence glitch of 40 ms (under the 100 ms debounce) 20 s into the run: in the first freeze. */
const glitchInFreeze: FaultSpec[] = [{ kind: 'probe-disconnect', atMs: 20_000, durationMs: 40 }];
/** The probe's id read as another probe's for 40 ms, 20 s into the run (in the first freeze). */
const misreadInFreeze: readonly ProbeIdMisread[] = [{ atMs: 20_000, durationMs: 40, id: 'OTHER-PROBE' }];
/** The record expires at 10 s; the operator presses `press` at 45 s, in the first thaw (an
 * acknowledge reads a usable record again nowhere; a start asks for a read in any phase but a
 * freeze or its thaw). */
const expiresThenPress = (press: 'acknowledge' | 'start'): Scenario =>
  scenario({ calibration: { ...RECORD, events: [{ atMs: 10_000, kind: 'expired' }] }, operator: [{ atMs: 0, action: 'start' }, { atMs: 45_000, action: press } satisfies TimedAction] });

describe('drawing the probe calibration', () => {
  const drawn = SEEDS.map((seed) => drawScenario(seed));
  const withRecord = drawn.filter((s) => s.calibration !== undefined);

  it('draws a record in some runs and not in others, the same for the same seed', () => {
    expect(withRecord.length).toBeGreaterThan(SEEDS.length / 5);
    expect(withRecord.length).toBeLessThan(SEEDS.length * 0.6);
    expect(drawScenario(42)).toEqual(drawScenario(42));
  });

  it("gives the plant the probe whose diameter the record states, within the record's bounds", () => {
    const stating = withRecord.filter((s) => s.calibration?.probeOdMm !== undefined);
    expect(stating.length).toBeGreaterThan(withRecord.length / 3);
    for (const s of stating) {
      expect(s.plant.probeOdMm).toBe(s.calibration?.probeOdMm);
      expect(s.calibration?.probeOdMm).toBeGreaterThanOrEqual(PROBE_OD_MM_MIN);
      expect(s.calibration?.probeOdMm).toBeLessThanOrEqual(PROBE_OD_MM_MAX);
    }
    // The settings name another probe in some: the record's diameter is what must be used.
    expect(stating.some((s) => (s.settings.iceBall as { probeOdMm?: number } | undefined)?.probeOdMm !== s.plant.probeOdMm)).toBe(true);
  });

  it('puts each kind of record event on the timeline of some runs', () => {
    const kinds = new Set(withRecord.flatMap((s) => s.calibration?.events.map((e) => e.kind) ?? []));
    expect([...kinds].sort()).toEqual(['expired', 'replaced', 'unreadable']);
  });

  it("adds probe presence glitches shorter than PROBE_DISCONNECTED's debounce in some runs", () => {
    const glitchy = withRecord.filter((s) => {
      const debounceMs = debounceFor(interlockById('PROBE_DISCONNECTED'), parseSettings(s.settings).debounceMs);
      return s.faults.some((f) => f.kind === 'probe-disconnect' && f.durationMs !== null && f.durationMs < debounceMs);
    });
    expect(glitchy.length).toBeGreaterThan(withRecord.length / 5);
  });

});

describe('a saved scenario file with a calibration', () => {
  const file = (s: unknown): unknown => ({ format: SCENARIO_FILE_FORMAT, version: SCENARIO_FILE_VERSION, scenario: s });
  const problems = (s: unknown): string => {
    const parsed = ScenarioFileSchema.safeParse(file(s));
    return parsed.success ? '' : describeIssues('f.json', parsed.error, file(s));
  };

  it('loads a file saved before the field existed unchanged', () => {
    const old: { -readonly [K in keyof Scenario]?: Scenario[K] } = scenario({});
    delete old.calibration;
    const parsed = ScenarioFileSchema.parse(file(old));
    expect(parsed.scenario).toEqual(old);
  });

  it('loads a drawn one as it was saved', () => {
    const s = scenario({ calibration: { ...RECORD, events: [{ atMs: 5, kind: 'replaced', offsetC: -2.5 }, { atMs: 9, kind: 'unreadable' }] } });
    expect(ScenarioFileSchema.parse(file(s)).scenario).toEqual(s);
  });

  it('refuses a diameter outside the bounds, naming the field and the value', () => {
    expect(problems(scenario({ calibration: { ...RECORD, probeOdMm: 2.5 }, plant: { probeOdMm: 2.5 } }))).toContain('f.json: scenario.calibration.probeOdMm: ');
    expect(problems(scenario({ calibration: { ...RECORD, probeOdMm: 2.5 }, plant: { probeOdMm: 2.5 } }))).toContain('(got 2.5)');
  });

  it("refuses a record whose diameter is not the plant's probe", () => {
    expect(problems(scenario({ plant: {} }))).toMatch(/scenario\.calibration\.probeOdMm: 0\.4 mm is not the plant's probe \(plant\.probeOdMm 1\.27 mm\).*\(got 0\.4\)/);
  });

  it('refuses a replacement leaving the reading further from the truth than any uncertainty, and an unknown event', () => {
    const far = problems(scenario({ calibration: { ...RECORD, events: [{ atMs: 5, kind: 'replaced', offsetC: 0 }] } }));
    expect(far).toMatch(/scenario\.calibration\.events\.0\.offsetC: 0 C leaves the calibrated reading 3\.000 C from the truth.*\(got 0\)/);
    expect(problems(scenario({ calibration: { ...RECORD, events: [{ atMs: 5, kind: 'stolen' }] } as unknown as ScenarioCalibration }))).toContain('scenario.calibration.events.0');
  });
});

describe('the calibration a treatment started with, judged in fuzz runs', () => {
  it('holds through a presence glitch in a freeze and a press re-reading an expired record in a thaw, on the real loop', () => {
    expect(runScenario(scenario({ faults: glitchInFreeze })).violation).toBeNull();
    expect(runScenario(expiresThenPress('acknowledge')).violation).toBeNull();
    expect(runScenario(expiresThenPress('start')).violation).toBeNull();
  });

  it('catches a loop that does not hold it through an id misread in a freeze (calibration-changed-in-treatment)', () => {
    const v = runScenario(scenario({ probeIdMisreads: misreadInFreeze }), { holdsVerdict: NOTHING_HELD }).violation;
    expect(v?.invariant).toBe('calibration-changed-in-treatment');
    expect(v?.detail).toMatch(/^in Freezing \(cycle 1\) the calibration went from offset -3\.000 C, gain 1\.0000, probe 0\.400 mm to unusable/);
    expect(runScenario(scenario({ probeIdMisreads: misreadInFreeze })).violation).toBeNull();
  });

  it("finds nothing to catch in a presence glitch on the sim board: the id read as none is looked up by the board's fitted id, the same record", () => {
    // The sim board's fitted id is its probe's (board-session.ts): a probe reading absent for a
    // sample answers no id, which the calibration looks up as that id (PreloadedCalibration compares
    // ids as looked up). A board without a fitted id answers 'not read yet' there: the loop holds
    // the verdict while the probe reads absent (tests/calibration-mid-treatment.test.ts).
    expect(runScenario(scenario({ faults: glitchInFreeze }), { holdsVerdict: NOTHING_HELD }).violation).toBeNull();
  });

  it('catches a loop that re-reads an expired record on a start press in a thaw', () => {
    const v = runScenario(expiresThenPress('start'), { holdsVerdict: NOTHING_HELD }).violation;
    expect(v?.invariant).toBe('calibration-changed-in-treatment');
    expect(v?.detail).toMatch(/^in Thawing \(cycle 1\).*to unusable \(probe 'SIM-PROBE-001': calibration expired\)/);
  });

  it("catches a controller that models the setting's probe though the record states the attached one (estimate-models-other-probe)", () => {
    const ignoresRecordOd: StepFunction = (nowMs, settings, readings, state, ws) => step(nowMs, settings, { ...readings, calibration: { ...readings.calibration, probeOdMm: null } }, state, ws);
    const v = runScenario(scenario({}), { step: ignoresRecordOd }).violation;
    expect(v?.invariant).toBe('estimate-models-other-probe');
    expect(v?.detail).toContain('modelled with a 1.27 mm probe; the probe attached is 0.4 mm');
    expect(runScenario(scenario({})).violation).toBeNull();
  });

  it(`is found by the CI campaign from seed ${CI_FUZZ_SEED} within ${FIND_WITHIN_RUNS} runs when the loop holds nothing`, () => {
    let found: string | null = null;
    for (let i = 0; i < FIND_WITHIN_RUNS && found === null; i += 1) {
      const outcome = fuzzOne(i, CI_FUZZ_SEED + i, { shrinkBudget: 0, holdsVerdict: NOTHING_HELD });
      if (outcome.failure !== null) found = outcome.failure.violation.invariant;
    }
    expect(found).toBe('calibration-changed-in-treatment');
  });
});

describe("a freeze verdict against the plant's true r(-20 C) (verdict-overstates-ice-ball)", () => {
  // A 0.4 mm probe whose record states no diameter, the settings naming the default 1.27 mm probe
  // (docs/ice-ball-estimate.md, "What is left"): the estimate models a probe three times the one
  // attached. The fuzzer never draws that; the invariant catches it on the real controller.
  const thinProbe = (settingOdMm: number | undefined): Scenario =>
    scenario({
      settings: { protocol: { cycles: 1, freezeS: 60, thawS: 30 }, ...(settingOdMm === undefined ? {} : { iceBall: { probeOdMm: settingOdMm } }) },
      calibration: { ...RECORD, probeOdMm: undefined },
    });

  it("catches a verdict on the setting's larger probe, and passes the same freeze modelled with the probe attached", () => {
    const v = runScenario(thinProbe(undefined)).violation;
    expect(v?.invariant).toBe('verdict-overstates-ice-ball');
    expect(v?.detail).toMatch(/^freeze 1 judged .* on r\(-20 C\) [0-9.]+ mm; the plant's true r\(-20 C\) reached [0-9.]+ mm in the freeze, the probe's wall is at 0\.200 mm \(allowed up to [0-9.]+ mm\)$/);
    expect(runScenario(thinProbe(THIN_MM)).violation).toBeNull();
  });

  // Drawn in stop 32's campaign (seed 32102355): a 0.49 mm probe modelled as itself, the freeze
  // cut short at 5.4 s by a low supply. The reading, and so the estimate's wall, was below -20 C,
  // the plant's tissue at its wall not yet: the estimate's r(-20 C) was the probe's own radius
  // (0.247 mm), the plant's 0 (none). Both say no tissue beyond the wall is that cold; the
  // invariant took the first for a 0.247 mm overstatement.
  // The same seed's shrink dropped the settings' probe (0.49 mm, the plant's) and so reported a 0.49
  // mm probe modelled as the default 1.27 mm one: another failure under the same name. A step
  // that models the default probe whatever the settings say fails the same way with the probes
  // paired or not; the shrink must keep them paired.
  it("keeps the settings' probe the plant's while it shrinks", () => {
    const modelsDefault: StepFunction = (nowMs, s, readings, state, ws) => step(nowMs, { ...s, iceBall: { ...s.iceBall, probeOdMm: 1.27 } }, readings, state, ws);
    const found = thinProbe(THIN_MM);
    const v = runScenario(found, { step: modelsDefault }).violation;
    if (v === null) throw new Error('the step modelling the default probe should overstate the ice ball');
    expect(v.invariant).toBe('verdict-overstates-ice-ball');
    const shrunk = shrinkScenario(found, v, { step: modelsDefault });
    expect(shrunk.violation.invariant).toBe('verdict-overstates-ice-ball');
    expect(shrunk.scenario.plant.probeOdMm).toBe(THIN_MM);
    expect(parseSettings(shrunk.scenario.settings).iceBall.probeOdMm).toBe(THIN_MM);
    // It still shrank what it could: the second cycle and the operator's other actions.
    expect(parseSettings(shrunk.scenario.settings).protocol.cycles).toBe(1);
  });

  it("takes an estimate at the probe's wall for no ice beyond it, as the plant's 0 says (seed 32102355)", () => {
    const outcome = fuzzOne(0, 32_102_355, { shrinkBudget: 0 });
    expect(outcome.failure?.violation ?? null).toBeNull();
  });
});

