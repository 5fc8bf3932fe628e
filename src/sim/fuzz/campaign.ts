// Many fuzz runs: run i of a campaign from seed S uses seed S + i, so any one run replays alone
// with `cryo hil fuzz --runs 1 --seed S+i`. Failures are shrunk where they are found. Runs go in
// this thread (jobs 1, tests) or over worker threads running the compiled build (the CLI).
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { drawScenario } from './draw.js';
import type { InvariantId, Violation } from './invariants.js';
import type { RunOptions } from './run.js';
import { runScenario } from './run.js';
import type { Scenario } from './scenario.js';
import { shrinkScenario } from './shrink.js';

export const SEED_MAX = 0xffffffff;

/** One run's outcome; a failure carries the drawn scenario and its shrunk form. */
export interface RunOutcome {
  readonly index: number;
  readonly seed: number;
  readonly ticks: number;
  readonly simulatedMs: number;
  readonly failure: Failure | null;
}

export interface Failure {
  readonly scenario: Scenario;
  readonly violation: Violation;
  readonly shrunk: { readonly scenario: Scenario; readonly violation: Violation; readonly runs: number } | null;
}

export interface CampaignOptions {
  readonly runs: number;
  readonly seed: number;
  readonly jobs: number;
  /** Stop handing out runs once this many have failed. */
  readonly maxFailures: number;
  /** Runs each shrink may spend; 0 saves the failure as drawn. */
  readonly shrinkBudget: number;
  /** Test seam (jobs 1 only): the control step under test. */
  readonly step?: RunOptions['step'];
  /** Test seam (jobs 1 only): the phases the loop holds the calibration verdict in. */
  readonly holdsVerdict?: RunOptions['holdsVerdict'];
  /** Called as each run ends (in completion order). */
  readonly onOutcome?: (outcome: RunOutcome) => void;
}

export interface CampaignResult {
  readonly runs: number;
  readonly failures: readonly RunOutcome[];
  readonly ticks: number;
  readonly simulatedMs: number;
  /** The lowest run index that broke each invariant. */
  readonly firstFailingRun: Partial<Record<InvariantId, { readonly index: number; readonly seed: number }>>;
}

export function seedOfRun(campaignSeed: number, index: number): number {
  return (campaignSeed + index) % (SEED_MAX + 1);
}

/** Draw, run and (on failure) shrink the run with this seed. */
export function fuzzOne(index: number, seed: number, options: Pick<CampaignOptions, 'shrinkBudget' | 'step' | 'holdsVerdict'>): RunOutcome {
  const scenario = drawScenario(seed);
  const runOptions: RunOptions = { step: options.step, holdsVerdict: options.holdsVerdict };
  const result = runScenario(scenario, runOptions);
  let failure: Failure | null = null;
  if (result.violation !== null) {
    const shrunk = options.shrinkBudget > 0 ? shrinkScenario(scenario, result.violation, { ...runOptions, budget: options.shrinkBudget }) : null;
    failure = { scenario, violation: result.violation, shrunk };
  }
  return { index, seed, ticks: result.ticks, simulatedMs: result.simulatedMs, failure };
}

class Tally {
  runs = 0;
  ticks = 0;
  simulatedMs = 0;
  readonly failures: RunOutcome[] = [];
  readonly first: Partial<Record<InvariantId, { index: number; seed: number }>> = {};

  add(outcome: RunOutcome, onOutcome: CampaignOptions['onOutcome']): void {
    this.runs += 1;
    this.ticks += outcome.ticks;
    this.simulatedMs += outcome.simulatedMs;
    if (outcome.failure !== null) {
      this.failures.push(outcome);
      const id = outcome.failure.violation.invariant;
      const known = this.first[id];
      if (known === undefined || outcome.index < known.index) this.first[id] = { index: outcome.index, seed: outcome.seed };
    }
    onOutcome?.(outcome);
  }

  result(): CampaignResult {
    const failures = [...this.failures].sort((a, b) => a.index - b.index);
    return { runs: this.runs, failures, ticks: this.ticks, simulatedMs: this.simulatedMs, firstFailingRun: this.first };
  }
}

export function runCampaignInProcess(options: CampaignOptions): CampaignResult {
  const tally = new Tally();
  for (let i = 0; i < options.runs && tally.failures.length < options.maxFailures; i += 1) {
    tally.add(fuzzOne(i, seedOfRun(options.seed, i), options), options.onOutcome);
  }
  return tally.result();
}

/** Runs handed to a worker at a time: few enough to stop soon after the failure limit. */
const CHUNK_RUNS = 10;

export interface WorkerRequest {
  readonly fromIndex: number;
  readonly count: number;
  readonly campaignSeed: number;
  readonly shrinkBudget: number;
}

export type WorkerReply = { readonly kind: 'outcome'; readonly outcome: RunOutcome } | { readonly kind: 'chunk-done' };

/** The worker entry beside this module; it exists only in the compiled build. */
export function workerEntry(): string | null {
  const url = new URL('./worker.js', import.meta.url);
  return import.meta.url.endsWith('.js') ? fileURLToPath(url) : null;
}

export async function runCampaign(options: CampaignOptions): Promise<CampaignResult> {
  if (options.jobs <= 1) return runCampaignInProcess(options);
  if (options.step !== undefined || options.holdsVerdict !== undefined) throw new Error('fuzz campaign: a step or loop under test runs in this thread only (jobs 1)');
  const entry = workerEntry();
  if (entry === null) throw new Error('fuzz campaign: worker threads run the compiled build (npm run build, then dist/src/cli/main.js)');
  const tally = new Tally();
  let nextIndex = 0;
  const dispatch = (worker: Worker): boolean => {
    if (nextIndex >= options.runs || tally.failures.length >= options.maxFailures) return false;
    const count = Math.min(CHUNK_RUNS, options.runs - nextIndex);
    const request: WorkerRequest = { fromIndex: nextIndex, count, campaignSeed: options.seed, shrinkBudget: options.shrinkBudget };
    nextIndex += count;
    worker.postMessage(request);
    return true;
  };
  const workers = Array.from({ length: options.jobs }, () => new Worker(entry));
  await Promise.all(
    workers.map(
      (worker) =>
        new Promise<void>((resolve, reject) => {
          worker.on('message', (reply: WorkerReply) => {
            try {
              if (reply.kind === 'outcome') tally.add(reply.outcome, options.onOutcome);
              else if (!dispatch(worker)) resolve();
            } catch (err) {
              // The caller's observer failed (e.g. saving a scenario): end the campaign with its error.
              reject(err instanceof Error ? err : new Error(String(err)));
            }
          });
          worker.on('error', reject);
          worker.on('exit', (code) => {
            if (code !== 0) reject(new Error(`fuzz worker exited with code ${code}`));
          });
          if (!dispatch(worker)) resolve();
        }),
    ),
  ).finally(() => Promise.all(workers.map((w) => w.terminate())));
  return tally.result();
}
