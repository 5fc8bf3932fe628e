// The report page of one scenario (src/sim/scenarios/report-html.ts): the ice-ball radii plot shows
// the plant's true radii, the controller's estimate beside them (dashed, in the legend) and the
// target r(-20 C) as a horizontal line; the freeze table gives both radii to 3 decimals.
import { describe, expect, it } from 'vitest';
import { SCENARIO_FILE_FORMAT } from '../src/sim/fuzz/scenario.js';
import type { ScenarioReport } from '../src/sim/scenarios/execute.js';
import { judge } from '../src/sim/scenarios/expect.js';
import { scenarioPage } from '../src/sim/scenarios/report-html.js';
import { runHilScenario } from '../src/sim/scenarios/run.js';
import { HIL_SCENARIO_VERSION, parseHilScenario } from '../src/sim/scenarios/schema.js';
import { TRACE_PERIOD_MS } from '../src/sim/scenarios/trace.js';

const TARGET_MM = 1.5;
const hil = parseHilScenario(
  {
    format: SCENARIO_FILE_FORMAT,
    version: HIL_SCENARIO_VERSION,
    name: 'report',
    description: 'one short freeze',
    scenario: { seed: 1, protocol: { cycles: 1, freezeS: 20, thawS: 10 }, settings: { iceBall: { targetRadiusMm: TARGET_MM } }, operator: [{ atMs: 0, action: 'start' }] },
    expect: { otherAdvisories: 'allowed' },
  },
  'hil/scenarios/report.json',
);
const run = runHilScenario(hil);
const failures = judge(hil, run);
const report: ScenarioReport = { file: hil.file, name: hil.name, description: hil.description, passed: failures.length === 0, failures, error: null, run, wallMs: 0 };
const page = scenarioPage(report);
/** The radii figure alone (the other plots have dashed series too). */
const radiiFigure = /<figure><figcaption>Ice-ball radii from the probe axis<\/figcaption>[\s\S]*?<\/figure>/.exec(page)?.[0] ?? '';

describe('the report page of a scenario', () => {
  it("traces the controller's estimate beside the plant's truth, within the trace's sampling", () => {
    const estimated = run.trace.filter((r) => typeof r.iceBallEstimate?.r20Mm === 'number');
    expect(estimated.length).toBeGreaterThan(20_000 / TRACE_PERIOD_MS / 2);
    expect(run.trace.length).toBeLessThan(run.simulatedMs / TRACE_PERIOD_MS + 200);
    expect(run.targetRadiusMm).toBe(TARGET_MM);
  });

  it('plots the estimated radii dashed, named in the legend, beside the true ones', () => {
    expect(radiiFigure).not.toBe('');
    for (const iso of ['r(0 C)', 'r(-20 C)', 'r(-40 C)']) {
      expect(radiiFigure).toContain(`>${iso} true</text>`);
      expect(radiiFigure).toContain(`>${iso} estimate</text>`);
    }
    // Three dashed estimate paths and three dashed legend strokes.
    expect(radiiFigure.match(/<path [^>]*stroke-dasharray/g)).toHaveLength(3);
  });

  it('draws the target r(-20 C) as a horizontal line across the plot, named in the legend', () => {
    expect(radiiFigure).toContain(`>target r(-20 C) ${TARGET_MM} mm</text>`);
    const target = /<path d="M([\d.]+),([\d.]+)L([\d.]+),([\d.]+)" fill="none" stroke="#d9534f"/.exec(radiiFigure);
    expect(target).not.toBeNull();
    expect(target?.[2]).toBe(target?.[4]);
    expect(Number(target?.[3])).toBeGreaterThan(Number(target?.[1]));
  });

  it("gives the plant's r(-20 C) at the freeze's end to 3 decimals in the freeze table", () => {
    const trueMm = run.freezes[0]?.r20TrueMmAtEnd ?? Number.NaN;
    expect(trueMm).toBeGreaterThan(0);
    expect(page).toContain(`<td>${String(run.freezes[0]?.r20MmAtEnd)}</td><td>${String(trueMm)}</td></tr>`);
    expect(String(trueMm)).toMatch(/^\d+(\.\d{1,3})?$/);
  });
});
