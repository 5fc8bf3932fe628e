// `cryo hil fuzz` and `cryo hil replay`: the simulation fuzzer (hil/fuzz). Each run draws a
// protocol, a settings file, plant parameters, an operator timeline and a fault mix from its seed,
// runs the real controller on the simulated plant and checks the plant's truth every tick. A
// failure is shrunk, printed with the command that replays it and saved as a JSON scenario.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { CampaignResult, RunOutcome } from '../sim/fuzz/campaign.js';
import { SEED_MAX, runCampaign, seedOfRun } from '../sim/fuzz/campaign.js';
import { FAULT_SITE_P, drawScenario } from '../sim/fuzz/draw.js';
import { INVARIANTS } from '../sim/fuzz/invariants.js';
import type { Violation } from '../sim/fuzz/invariants.js';
import { runScenario } from '../sim/fuzz/run.js';
import type { Scenario } from '../sim/fuzz/scenario.js';
import { SCENARIO_FILE_FORMAT, SCENARIO_FILE_VERSION, ScenarioFileSchema, describeFaults, describeOperator } from '../sim/fuzz/scenario.js';
import { DEFAULT_SHRINK_BUDGET } from '../sim/fuzz/shrink.js';
import { PlantParamsError } from '../../hil/plant/index.js';
import { describeIssues } from '../../kernel/config-error.js';
import { SettingsError } from '../controller/settings.js';
import { readJsonFile } from '../../kernel/json-file.js';
import { MonotonicClock } from '../../kernel/clock.js';
import type { StepFunction } from '../runtime/loop.js';
import { UsageError } from './errors.js';
import type { HilRunFlags } from './hil-run.js';
import { runHilRun } from './hil-run.js';
import { parseInteger } from './options.js';
import type { CliIo } from './simulate.js';

/** Exit status when a run broke an invariant (a finding, not a usage error). */
export const EXIT_INVARIANT_BROKEN = 1;
export const DEFAULT_OUT_DIR = 'fuzz-failures';
/** Per-run lines (seed, fault mix) are printed for campaigns this small, or with --verbose. */
const VERBOSE_UP_TO_RUNS = 10;
const MAX_RUNS = 10_000_000;
/** Two cores on the reference machine; more threads than cores only adds switching. */
const MAX_JOBS = 64;

export interface FuzzFlags {
  runs: string;
  seed: string;
  jobs: string;
  out: string;
  maxFailures: string;
  shrinkBudget: string;
  verbose?: boolean;
}

const s3 = (ms: number): string => `${(ms / 1000).toFixed(3)} s`;
const violationLine = (v: Violation): string => `${v.invariant} at ${s3(v.atMs)}: ${v.detail}`;

function scenarioLines(s: Scenario): string[] {
  const lines = [`  faults: ${describeFaults(s.faults)}`, `  operator: ${describeOperator(s.operator)}`, `  settings: ${JSON.stringify(s.settings)}`, `  plant: ${JSON.stringify(s.plant)}`];
  if (s.calibration !== undefined) lines.push(`  calibration: ${JSON.stringify(s.calibration)}`);
  if (s.probeIdMisreads !== undefined) lines.push(`  probe id misreads: ${JSON.stringify(s.probeIdMisreads)}`);
  if (s.probeOffsetErrorC !== undefined) lines.push(`  probe error: ${s.probeOffsetErrorC} C (raw = true + this)`);
  if (s.tcLagMs !== undefined) lines.push(`  thermocouple lag: ${s.tcLagMs} ms`);
  return lines;
}

function saveFailure(dir: string, outcome: RunOutcome): string {
  const failure = outcome.failure;
  if (failure === null) throw new Error('saveFailure: the run did not fail');
  const final = failure.shrunk ?? failure;
  const path = join(dir, `seed-${outcome.seed}-${final.violation.invariant}.json`);
  const file = {
    format: SCENARIO_FILE_FORMAT,
    version: SCENARIO_FILE_VERSION,
    invariant: INVARIANTS[final.violation.invariant],
    violation: final.violation,
    replay: `cryo hil replay ${path}`,
    drawnFrom: { seed: outcome.seed, command: `cryo hil fuzz --runs 1 --seed ${outcome.seed}`, violation: failure.violation },
    scenario: final.scenario,
  };
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`);
  } catch (err) {
    throw new UsageError(`--out: cannot save ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return path;
}

function reportFailure(io: CliIo, outcome: RunOutcome, path: string): void {
  const f = outcome.failure;
  if (f === null) return;
  const lines = [`FAIL run ${outcome.index} seed ${outcome.seed}: ${violationLine(f.violation)}`, ...scenarioLines(f.scenario)];
  if (f.shrunk !== null) lines.push(`  shrunk in ${f.shrunk.runs} runs to: ${violationLine(f.shrunk.violation)}`, ...scenarioLines(f.shrunk.scenario).map((l) => `  ${l}`));
  lines.push(`  saved: ${path}`, `  replay: cryo hil fuzz --runs 1 --seed ${outcome.seed}   or   cryo hil replay ${path}`);
  io.stdout(`${lines.join('\n')}\n`);
}

function summaryLines(result: CampaignResult, wallMs: number, jobs: number): string {
  const perS = wallMs > 0 ? (result.runs / wallMs) * 1000 : 0;
  const lines = [
    `${result.runs} runs, ${result.failures.length} failed; ${(result.simulatedMs / 3_600_000).toFixed(2)} h simulated, ${result.ticks} ticks, ` +
      `in ${(wallMs / 1000).toFixed(1)} s on ${jobs} job${jobs === 1 ? '' : 's'} (${perS.toFixed(1)} runs/s)`,
  ];
  for (const [id, first] of Object.entries(result.firstFailingRun)) {
    lines.push(`  first ${id}: run ${first.index} (seed ${first.seed})`);
  }
  return `${lines.join('\n')}\n`;
}

/** Test seam only (never from the command line): the control step under test. */
export interface FuzzSeams {
  readonly step?: StepFunction;
}

export async function runFuzz(flags: FuzzFlags, io: CliIo, seams: FuzzSeams = {}): Promise<number> {
  const runs = parseInteger('--runs', flags.runs, 1, MAX_RUNS);
  const seed = parseInteger('--seed', flags.seed, 0, SEED_MAX);
  const jobs = parseInteger('--jobs', flags.jobs, 1, MAX_JOBS);
  const maxFailures = parseInteger('--max-failures', flags.maxFailures, 1, MAX_RUNS);
  const shrinkBudget = parseInteger('--shrink-budget', flags.shrinkBudget, 0, 100_000);
  const verbose = flags.verbose === true || runs <= VERBOSE_UP_TO_RUNS;
  io.stdout(
    `cryo hil fuzz: ${runs} runs from seed ${seed} (run i uses seed ${seed} + i), ${jobs} job${jobs === 1 ? '' : 's'}, ` +
      `each fault site on with p ${FAULT_SITE_P}\n`,
  );
  if (verbose) {
    for (let i = 0; i < runs; i += 1) {
      const s = drawScenario(seedOfRun(seed, i));
      io.stdout(`run ${i} seed ${s.seed}: faults ${describeFaults(s.faults)}; operator ${describeOperator(s.operator)}\n`);
    }
  }
  const clock = new MonotonicClock();
  const startMs = clock.nowMs();
  const result = await runCampaign({
    runs,
    seed,
    jobs,
    maxFailures,
    shrinkBudget,
    step: seams.step,
    onOutcome: (outcome) => {
      if (outcome.failure !== null) reportFailure(io, outcome, saveFailure(flags.out, outcome));
    },
  });
  io.stdout(summaryLines(result, clock.nowMs() - startMs, jobs));
  return result.failures.length === 0 ? 0 : EXIT_INVARIANT_BROKEN;
}

export function runReplay(file: string, io: CliIo, seams: FuzzSeams = {}): number {
  const raw = readJsonFile(file, 'scenario file', (message) => new UsageError(message));
  const parsed = ScenarioFileSchema.safeParse(raw);
  if (!parsed.success) throw new UsageError(describeIssues(file, parsed.error, raw));
  const scenario = parsed.data.scenario as Scenario;
  io.stdout(`cryo hil replay ${file}: seed ${scenario.seed}\n${scenarioLines(scenario).join('\n')}\n`);
  let result;
  try {
    result = runScenario(scenario, { step: seams.step });
  } catch (err) {
    if (err instanceof SettingsError || err instanceof PlantParamsError) throw new UsageError(`${file}: ${err.message}`);
    throw err;
  }
  if (result.violation === null) {
    io.stdout(`no invariant broken (${s3(result.simulatedMs)} simulated)\n`);
    return 0;
  }
  io.stdout(`FAIL ${violationLine(result.violation)}\n`);
  return EXIT_INVARIANT_BROKEN;
}

export function registerHil(program: Command, io: CliIo, setResult: (code: number) => void): void {
  const hil = program.command('hil').description('scenario runs and simulation fuzzing of the controller against the plant model');
  hil
    .command('run')
    .description('run HIL scenario files (docs/hil.md): invariants every tick and each file\'s expectations; exit 1 on any failure')
    .argument('[paths...]', 'scenario files or folders of *.json', [])
    .option('--report <dir>', 'write an HTML report: index.html and a page per scenario with plots')
    .option('--junit <file>', 'write JUnit XML for CI')
    .option('--json', 'print the results as JSON instead of a line per scenario')
    .option('--jobs <n>', 'worker threads (compiled build; default: the cores available)')
    .action(async (paths: string[], flags: HilRunFlags) => {
      setResult(await runHilRun(paths, flags, io));
    });
  hil
    .command('fuzz')
    .description('random protocols, settings, plant, operator timelines and fault mixes; invariants checked on the plant every tick')
    .option('--runs <n>', 'number of runs', '100')
    .option('--seed <n>', 'campaign seed; run i uses seed + i', '1')
    .option('--jobs <n>', 'worker threads (compiled build only)', '1')
    .option('--out <dir>', 'where failing scenarios are saved as JSON', DEFAULT_OUT_DIR)
    .option('--max-failures <n>', 'stop handing out runs after this many failures', '10')
    .option('--shrink-budget <n>', 'runs each shrink may spend (0: save as drawn)', String(DEFAULT_SHRINK_BUDGET))
    .option('--verbose', 'print every run\'s seed and fault mix before running')
    .action(async (flags: FuzzFlags) => {
      setResult(await runFuzz(flags, io));
    });
  hil
    .command('replay')
    .description('run a saved fuzz scenario again')
    .argument('<file>', 'scenario JSON written by cryo hil fuzz')
    .action((file: string) => {
      setResult(runReplay(file, io));
    });
}
