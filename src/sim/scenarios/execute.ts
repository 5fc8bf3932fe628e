// Running scenario files: each is read, validated, run and judged on its own, so a bad file is a
// failed entry naming the file and field while the others still run. In this thread (tests) or
// over worker threads running the compiled build (`cryo hil run`), in the manner of the fuzz
// campaign (src/sim/fuzz/campaign.ts); results come back in the order of the files given.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { readJsonFile } from '../../../kernel/json-file.js';
import { PlantParamsError } from '../../../hil/plant/index.js';
import { SettingsError } from '../../controller/settings.js';
import { judge } from './expect.js';
import type { ScenarioRunResult } from './run.js';
import { runHilScenario } from './run.js';
import type { HilScenario } from './schema.js';
import { ScenarioFileError, parseHilScenario } from './schema.js';

export const DEFAULT_SCENARIO_DIR = 'hil/scenarios';

/** One file's verdict. `error` is set when the file could not be read or validated (nothing ran). */
export interface ScenarioReport {
  readonly file: string;
  readonly name: string;
  readonly description: string;
  readonly passed: boolean;
  readonly failures: readonly string[];
  readonly error: string | null;
  readonly run: ScenarioRunResult | null;
  readonly wallMs: number;
}

function fileError(file: string, message: string, wallMs: number): ScenarioReport {
  return { file, name: file.replace(/^.*[\\/]/, '').replace(/\.json$/i, ''), description: '', passed: false, failures: [message], error: message, run: null, wallMs };
}

/** Read, validate, run and judge one file; never throws for a bad file. */
export function runScenarioFile(file: string, now: () => number = () => 0): ScenarioReport {
  const startMs = now();
  let hil: HilScenario;
  try {
    hil = parseHilScenario(readJsonFile(file, 'scenario file', (m) => new ScenarioFileError(m)), file);
  } catch (err) {
    if (err instanceof ScenarioFileError) return fileError(file, err.message, now() - startMs);
    throw err;
  }
  let run: ScenarioRunResult;
  try {
    run = runHilScenario(hil);
  } catch (err) {
    if (err instanceof SettingsError || err instanceof PlantParamsError) return fileError(file, `${file}: ${err.message}`, now() - startMs);
    throw err;
  }
  const failures = judge(hil, run);
  return { file, name: hil.name, description: hil.description, passed: failures.length === 0, failures, error: null, run, wallMs: now() - startMs };
}

/** The scenario files under each path (a file as given, a folder's *.json sorted by name). */
export function scenarioFiles(paths: readonly string[]): string[] {
  const files: string[] = [];
  for (const p of paths) {
    let isDir = false;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      // A missing path is left in the list: reading it reports the file by name.
    }
    if (!isDir) files.push(p);
    else for (const name of readdirSync(p).filter((n) => n.endsWith('.json')).sort()) files.push(join(p, name));
  }
  return files;
}

export interface ExecuteOptions {
  readonly jobs: number;
  /** Each report as it arrives (in completion order). */
  readonly onReport?: (report: ScenarioReport) => void;
  readonly now?: () => number;
}

export interface WorkerRequest {
  readonly index: number;
  readonly file: string;
}
export interface WorkerReply {
  readonly index: number;
  readonly report: ScenarioReport;
}

/** The worker entry beside this module; it exists only in the compiled build. */
export function workerEntry(): string | null {
  return import.meta.url.endsWith('.js') ? fileURLToPath(new URL('./worker.js', import.meta.url)) : null;
}

export async function runScenarioFiles(files: readonly string[], options: ExecuteOptions): Promise<ScenarioReport[]> {
  const reports: (ScenarioReport | undefined)[] = new Array<ScenarioReport | undefined>(files.length);
  const entry = workerEntry();
  if (options.jobs <= 1 || entry === null || files.length <= 1) {
    files.forEach((file, i) => {
      const report = runScenarioFile(file, options.now);
      reports[i] = report;
      options.onReport?.(report);
    });
    return reports.filter((r): r is ScenarioReport => r !== undefined);
  }
  let next = 0;
  const dispatch = (worker: Worker): boolean => {
    const file = files[next];
    if (file === undefined) return false;
    worker.postMessage({ index: next, file } satisfies WorkerRequest);
    next += 1;
    return true;
  };
  const workers = Array.from({ length: Math.min(options.jobs, files.length) }, () => new Worker(entry));
  await Promise.all(
    workers.map(
      (worker) =>
        new Promise<void>((resolve, reject) => {
          worker.on('message', (reply: WorkerReply) => {
            reports[reply.index] = reply.report;
            options.onReport?.(reply.report);
            if (!dispatch(worker)) resolve();
          });
          worker.on('error', reject);
          worker.on('exit', (code) => {
            if (code !== 0) reject(new Error(`scenario worker exited with code ${code}`));
          });
          if (!dispatch(worker)) resolve();
        }),
    ),
  ).finally(() => Promise.all(workers.map((w) => w.terminate())));
  return reports.filter((r): r is ScenarioReport => r !== undefined);
}
