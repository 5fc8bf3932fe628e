// The CI fuzz campaign (issue 7): 2,000 seeded runs of the real controller on the simulated plant,
// over two worker threads, with zero invariants broken. It runs the built program (npm test builds
// first) in its own vitest project, after the real-time one, with nothing else running.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CI_FUZZ_RUNS, CI_FUZZ_SEED } from './helpers/fuzz-ci.js';

const CLI = 'dist/src/cli/main.js';
/** A few minutes on two idle cores; the cap is for a loaded machine. */
const CI_FUZZ_TIMEOUT_MS = 30 * 60_000;

describe('the CI fuzz campaign', () => {
  it(`breaks no invariant in ${CI_FUZZ_RUNS} runs from seed ${CI_FUZZ_SEED} on two worker threads`, { timeout: CI_FUZZ_TIMEOUT_MS }, () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cryo-fuzz-ci-'));
    try {
      const args = [CLI, 'hil', 'fuzz', '--runs', String(CI_FUZZ_RUNS), '--seed', String(CI_FUZZ_SEED), '--jobs', '2', '--out', out];
      const child = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      // On failure the message carries the fuzzer's own report: seeds, shrunk scenarios, replay commands.
      expect(child.status, `${child.stdout}\n${child.stderr}`).toBe(0);
      expect(child.stdout).toContain(`${CI_FUZZ_RUNS} runs, 0 failed`);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
