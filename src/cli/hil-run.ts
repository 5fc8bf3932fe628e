// `cryo hil run [PATHS...]`: runs HIL scenario files (docs/hil.md) on worker threads, judging the
// fuzzer's invariants on the plant's truth every tick and each file's expectations; one line per
// scenario, JUnit XML for CI, an HTML report with plots. Exits non-zero on any failed expectation,
// broken invariant or bad file; a bad file does not stop the others.
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { MonotonicClock } from '../../kernel/clock.js';
import type { ScenarioReport } from '../sim/scenarios/execute.js';
import { DEFAULT_SCENARIO_DIR, runScenarioFiles, scenarioFiles } from '../sim/scenarios/execute.js';
import { junitXml } from '../sim/scenarios/junit.js';
import { writeHtmlReport } from '../sim/scenarios/report-html.js';
import { UsageError } from './errors.js';
import { parseInteger } from './options.js';
import type { CliIo } from './simulate.js';

/** Exit status when any scenario failed (an expectation, an invariant or a bad file). */
export const EXIT_SCENARIO_FAILED = 1;
/** More threads than cores only adds switching; a generous cap for bigger CI machines. */
const MAX_JOBS = 64;

export interface HilRunFlags {
  report?: string;
  junit?: string;
  json?: boolean;
  jobs?: string;
}

function line(r: ScenarioReport): string {
  const run = r.run;
  if (r.passed && run !== null) {
    const trips = run.trips.length === 0 ? 'no trip' : run.trips.map((t) => `${t.id}@${t.atS}s`).join(' ');
    return `PASS ${r.name}: ${run.outcome}, ${run.freezes.length} freeze${run.freezes.length === 1 ? '' : 's'}, ${trips}; ${(run.simulatedMs / 1000).toFixed(1)} s simulated\n`;
  }
  return `FAIL ${r.name} (${r.file})\n${r.failures.map((f) => `  ${f}`).join('\n')}\n`;
}

function jsonOf(reports: readonly ScenarioReport[]): unknown {
  return {
    passed: reports.filter((r) => r.passed).length,
    failed: reports.filter((r) => !r.passed).length,
    scenarios: reports.map((r) => ({
      file: r.file,
      name: r.name,
      passed: r.passed,
      failures: r.failures,
      outcome: r.run?.outcome ?? null,
      trips: r.run?.trips ?? [],
      advisories: r.run?.advisories ?? [],
      freezes: r.run?.freezes ?? [],
      alarmPriorities: [...new Set(r.run?.alarms.map((a) => a.priority) ?? [])],
      minTipTrueC: r.run === null ? null : Number(r.run.minTipTrueC.toFixed(2)),
      safeToWithdrawAtS: r.run?.safeToWithdrawAtS ?? null,
      simulatedS: r.run === null ? null : r.run.simulatedMs / 1000,
      violation: r.run?.violation ?? null,
    })),
  };
}

function writeOut(flag: string, path: string, write: () => void): void {
  try {
    write();
  } catch (err) {
    throw new UsageError(`${flag}: cannot write ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export async function runHilRun(paths: readonly string[], flags: HilRunFlags, io: CliIo): Promise<number> {
  const jobs = flags.jobs === undefined ? Math.min(availableParallelism(), MAX_JOBS) : parseInteger('--jobs', flags.jobs, 1, MAX_JOBS);
  const files = scenarioFiles(paths.length === 0 ? [DEFAULT_SCENARIO_DIR] : paths);
  if (files.length === 0) throw new UsageError(`no scenario files (*.json) in ${paths.length === 0 ? DEFAULT_SCENARIO_DIR : paths.join(', ')}`);
  const clock = new MonotonicClock();
  const startMs = clock.nowMs();
  const json = flags.json === true;
  const reports = await runScenarioFiles(files, { jobs, now: () => clock.nowMs(), onReport: json ? undefined : (r) => { io.stdout(line(r)); } });
  const failed = reports.filter((r) => !r.passed).length;
  if (flags.junit !== undefined) {
    const file = flags.junit;
    writeOut('--junit', file, () => {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, junitXml(reports));
    });
  }
  if (flags.report !== undefined) {
    const dir = flags.report;
    writeOut('--report', dir, () => { writeHtmlReport(dir, reports); });
  }
  if (json) io.stdout(`${JSON.stringify(jsonOf(reports), null, 2)}\n`);
  else io.stdout(`${reports.length - failed} passed, ${failed} failed (${reports.length} scenarios in ${((clock.nowMs() - startMs) / 1000).toFixed(1)} s on ${jobs} job${jobs === 1 ? '' : 's'})\n`);
  return failed === 0 ? 0 : EXIT_SCENARIO_FAILED;
}
