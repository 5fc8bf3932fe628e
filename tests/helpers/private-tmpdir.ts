// Vitest global setup: the test run gets its own temp folder, and fails if tests leave anything in
// it (issue 8: a run used to leave dozens of folders in the system temp folder).
//
// The root is made before any worker starts and handed down through TMPDIR (TMP and TEMP too),
// which os.tmpdir() reads on every call: test workers, worker threads and child processes that
// inherit the environment all create their temp files inside it. Other programs on the machine
// keep using the system temp folder, so what is left in the root was left by this run. At the
// end the root's entries are named in the failure, and the root is removed either way.
//
// Vitest runs a root config's global setup once per project that inherits it (`extends: true`),
// nested: the first setup makes the root and the last teardown checks it.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TEMP_VARIABLES = ['TMPDIR', 'TMP', 'TEMP'] as const;
const SHARED = Symbol.for('cryo.tests.privateTmpdir');

interface PrivateTmpdir {
  readonly root: string;
  readonly saved: Record<(typeof TEMP_VARIABLES)[number], string | undefined>;
  users: number;
}

type WithShared = typeof globalThis & { [SHARED]?: PrivateTmpdir };

function restoreTempVariables(saved: PrivateTmpdir['saved']): void {
  // Spelled out: process.env needs delete (assigning undefined would store the string "undefined").
  if (saved.TMPDIR === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = saved.TMPDIR;
  if (saved.TMP === undefined) delete process.env.TMP;
  else process.env.TMP = saved.TMP;
  if (saved.TEMP === undefined) delete process.env.TEMP;
  else process.env.TEMP = saved.TEMP;
}

export function setup(): () => void {
  const shared = globalThis as WithShared;
  let state = shared[SHARED];
  if (state === undefined) {
    const saved = { TMPDIR: process.env.TMPDIR, TMP: process.env.TMP, TEMP: process.env.TEMP };
    state = { root: mkdtempSync(join(tmpdir(), 'cryo-test-run-')), saved, users: 0 };
    for (const name of TEMP_VARIABLES) process.env[name] = state.root;
    shared[SHARED] = state;
  }
  state.users++;
  const mine = state;
  return () => {
    mine.users--;
    if (mine.users > 0) return;
    shared[SHARED] = undefined;
    restoreTempVariables(mine.saved);
    const left = readdirSync(mine.root).sort();
    rmSync(mine.root, { recursive: true, force: true });
    if (left.length > 0) {
      // Vitest reports an error thrown here but still exits 0: set the exit status ourselves.
      console.error(`FAIL: the tests left ${left.length} entries in the temp folder (removed now; clean them up in the test that makes them): ${left.join(', ')}`);
      process.exitCode = 1;
    }
  };
}
