// `cryo hil fuzz` and `cryo hil replay`: failures saved as JSON scenarios that replay, worker
// threads running exactly the runs this thread would, and bad input named. The process tests run
// the built program (npm test builds before it runs vitest).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCampaignInProcess } from '../src/sim/fuzz/campaign.js';
import { drawScenario } from '../src/sim/fuzz/draw.js';
import { runScenario } from '../src/sim/fuzz/run.js';
import { SCENARIO_FILE_FORMAT, SCENARIO_FILE_VERSION } from '../src/sim/fuzz/scenario.js';
import type { FuzzFlags } from '../src/cli/hil.js';
import { EXIT_INVARIANT_BROKEN, runFuzz, runReplay } from '../src/cli/hil.js';
import { main } from '../src/cli/main.js';
import type { MainIo } from '../src/cli/main.js';
import { PassThrough } from 'node:stream';
import { safeFromRawReading } from './helpers/broken-controllers.js';

const CLI = 'dist/src/cli/main.js';
/** Spawned campaigns of a few dozen short runs; slow only on a loaded machine. */
const PROCESS_TIMEOUT_MS = 240_000;

function capture(): { io: MainIo; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const stream = new PassThrough();
  return {
    io: { stdout: (t) => void (out += t), stderr: (t) => void (err += t), console: { stdin: new PassThrough(), stdout: stream, stderr: stream } },
    out: () => out,
    err: () => err,
  };
}

let dir = '';
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cryo-fuzz-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const flags = (overrides: Partial<FuzzFlags>): FuzzFlags => ({
  runs: '40', seed: '1', jobs: '1', out: dir, maxFailures: '1', shrinkBudget: '100', ...overrides,
});

describe('cryo hil fuzz in this process', { timeout: PROCESS_TIMEOUT_MS }, () => {
  it('prints the failing run, the command that replays it, and saves its shrunk scenario as JSON', async () => {
    const c = capture();
    const code = await runFuzz(flags({}), c.io, { step: safeFromRawReading });
    expect(code).toBe(EXIT_INVARIANT_BROKEN);
    const seedMatch = /FAIL run \d+ seed (\d+): /.exec(c.out());
    expect(seedMatch).not.toBeNull();
    expect(c.out()).toContain(`cryo hil fuzz --runs 1 --seed ${seedMatch?.[1] ?? ''}`);
    const files = fs.readdirSync(dir);
    expect(files).toHaveLength(1);
    const saved = JSON.parse(fs.readFileSync(path.join(dir, files[0] ?? ''), 'utf8')) as Record<string, unknown>;
    expect(saved.format).toBe(SCENARIO_FILE_FORMAT);
    expect(saved.version).toBe(SCENARIO_FILE_VERSION);
    expect(c.out()).toContain(`cryo hil replay ${path.join(dir, files[0] ?? '')}`);
  });

  it('replays a saved scenario to the same violation', async () => {
    const c = capture();
    await runFuzz(flags({}), c.io, { step: safeFromRawReading });
    const file = path.join(dir, fs.readdirSync(dir)[0] ?? '');
    const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as { violation: { invariant: string; atMs: number } };
    const r = capture();
    expect(runReplay(file, r.io, { step: safeFromRawReading })).toBe(EXIT_INVARIANT_BROKEN);
    expect(r.out()).toContain(`FAIL ${saved.violation.invariant} at ${(saved.violation.atMs / 1000).toFixed(3)} s`);
  });

  it("prints a replayed scenario's thermocouple lag and probe error, which its verdict may hang on", () => {
    const file = path.join(dir, 'lagging.json');
    const { maxMs, ...rest } = drawScenario(7);
    fs.writeFileSync(file, JSON.stringify({ format: SCENARIO_FILE_FORMAT, version: SCENARIO_FILE_VERSION, scenario: { ...rest, maxMs, tcLagMs: 8_000, probeOffsetErrorC: 0.5 } }));
    const r = capture();
    runReplay(file, r.io);
    expect(r.out()).toContain('  thermocouple lag: 8000 ms');
    expect(r.out()).toContain('  probe error: 0.5 C');
  });

  it('prints each run\'s seed and drawn fault mix before running a small campaign', async () => {
    const c = capture();
    await runFuzz(flags({ runs: '2', seed: '500' }), c.io);
    expect(c.out()).toContain('run 0 seed 500: faults ');
    expect(c.out()).toContain('run 1 seed 501: faults ');
  });

  it('names --out and the path when a failing scenario cannot be saved', async () => {
    const blocker = path.join(dir, 'a-file');
    fs.writeFileSync(blocker, '');
    const c = capture();
    const out = path.join(blocker, 'sub');
    await expect(runFuzz(flags({ out, shrinkBudget: '0' }), c.io, { step: safeFromRawReading })).rejects.toThrow(`--out: cannot save ${out}`);
  });

  it('refuses a run count of 0, naming the flag', async () => {
    const c = capture();
    expect(await main(['hil', 'fuzz', '--runs', '0'], c.io)).toBe(2);
    expect(c.err()).toContain("--runs: '0' must be a whole number");
  });

  it('refuses a scenario file that is not one, naming the file and the field', async () => {
    const file = path.join(dir, 'bad.json');
    fs.writeFileSync(file, JSON.stringify({ format: SCENARIO_FILE_FORMAT, version: SCENARIO_FILE_VERSION, scenario: { seed: -1 } }));
    const c = capture();
    expect(await main(['hil', 'replay', file], c.io)).toBe(2);
    expect(c.err()).toContain(`${file}: scenario.seed`);
    expect(c.err()).not.toContain('    at ');
  });
});

describe('the built cryo hil process', { timeout: PROCESS_TIMEOUT_MS }, () => {
  it('runs on two worker threads exactly the runs, and finds exactly the failures, of one thread', () => {
    const args = ['--runs', '24', '--seed', '900', '--shrink-budget', '0', '--max-failures', '1000', '--out', dir];
    const child = spawnSync(process.execPath, [CLI, 'hil', 'fuzz', ...args, '--jobs', '2'], { encoding: 'utf8' });
    const inProcess = runCampaignInProcess({ runs: 24, seed: 900, jobs: 1, maxFailures: 1000, shrinkBudget: 0 });
    expect(child.stdout).toContain(`24 runs, ${inProcess.failures.length} failed`);
    expect(child.status).toBe(inProcess.failures.length === 0 ? 0 : EXIT_INVARIANT_BROKEN);
    const printed = [...child.stdout.matchAll(/FAIL run (\d+) seed \d+: ([a-z-]+) /g)].map((m) => `${m[1] ?? ''} ${m[2] ?? ''}`).sort();
    const expected = inProcess.failures.map((f) => `${f.index} ${f.failure?.violation.invariant ?? ''}`).sort();
    expect(printed).toEqual(expected);
    expect(fs.readdirSync(dir).length).toBe(expected.length);
  });

  it('replays a scenario file to the verdict the scenario gives in this process', () => {
    const scenario = drawScenario(13);
    const file = path.join(dir, 'seed-13.json');
    fs.writeFileSync(file, JSON.stringify({ format: SCENARIO_FILE_FORMAT, version: SCENARIO_FILE_VERSION, scenario }));
    const child = spawnSync(process.execPath, [CLI, 'hil', 'replay', file], { encoding: 'utf8' });
    const verdict = runScenario(scenario).violation;
    expect(child.status).toBe(verdict === null ? 0 : EXIT_INVARIANT_BROKEN);
    expect(child.stdout).toContain(verdict === null ? 'no invariant broken' : `FAIL ${verdict.invariant} at ${(verdict.atMs / 1000).toFixed(3)} s`);
  });
});
