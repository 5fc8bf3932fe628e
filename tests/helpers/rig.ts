// The emulated rig for real-time tests: a board file whose two devices live in a test's own
// folder (so runs never share a rig), `cryo rig` and `cryo run` as processes of their own, and
// the rig's trace. Every process started here is stopped by the caller's afterAll.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTrace, type TraceRecord } from '../../hil/rig/trace.js';
import { projectRoot } from '../../kernel/project-root.js';

const SHIPPED_BOARD = 'boards/uno-emulated.json';
/** A rig loads the firmware and makes two ptys in about a second; a loaded machine is slower. */
export const RIG_READY_TIMEOUT_MS = 30_000;

/** boards/uno-emulated.json with its devices in `dir`; returns the board file's path. */
export function rigBoardIn(dir: string): string {
  const board = JSON.parse(readFileSync(SHIPPED_BOARD, 'utf8')) as { firmata: { port: string }; frontend: { port: string } };
  board.firmata.port = join(dir, 'uno');
  board.frontend.port = join(dir, 'frontend');
  const file = join(dir, 'board.json');
  writeFileSync(file, JSON.stringify(board, null, 2));
  return file;
}

export interface CryoProcess {
  readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
}

// A process started from the sources (`--import tsx`) inherits this: tsx's transform cache would
// otherwise stay behind in the temp folder (tsx-UID).
process.env.TSX_DISABLE_CACHE = '1';

/** The built command line (npm test builds before the tests): a console on an emulated board
 * keeps treatment records, whose worker runs only from the build (a run from the sources is
 * refused there, issue 10), and the rig it starts is then the built one too. */
const BUILT_MAIN = join(projectRoot(), 'dist', 'src', 'cli', 'main.js');

/** `cryo ARGS` as a process of its own (the build), in its own process group. */
export function spawnCryo(args: readonly string[]): CryoProcess {
  if (!existsSync(BUILT_MAIN)) throw new Error(`${BUILT_MAIN} is missing: npm run build first (these tests run the built console)`);
  const command = process.execPath;
  const argv = [BUILT_MAIN, ...args];
  const child = spawn(command, argv, { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => (out += t));
  child.stderr.setEncoding('utf8').on('data', (t: string) => (err += t));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => { resolve(code); }));
  if (child.pid === undefined) throw new Error(`cryo ${args.join(' ')}: did not start`);
  return { child, pid: child.pid, stdout: () => out, stderr: () => err, exited };
}

/** Polls `check` every 20 ms until it returns a value; rejects after `timeoutMs` naming `what`,
 * with what `context` says then (a console's log, say). */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => T | null | undefined, context?: () => string): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== null && value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${context === undefined ? '' : `\n${context()}`}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface RigReady {
  readonly ready: true;
  readonly pid: number;
  readonly uno: string;
  readonly frontend: string;
  readonly control: string;
  readonly trace: string;
}

/** Starts `cryo rig` on `boardFile` and waits for its ready line. */
export async function startRig(boardFile: string): Promise<{ process: CryoProcess; ready: RigReady }> {
  const rig = spawnCryo(['rig', '--board', boardFile]);
  const ready = await waitFor('the rig ready line', RIG_READY_TIMEOUT_MS, () => {
    if (rig.child.exitCode !== null) throw new Error(`cryo rig exited ${rig.child.exitCode}: ${rig.stderr()}`);
    const line = rig.stdout().split('\n').find((l) => l.startsWith('{"ready":true'));
    return line === undefined ? null : (JSON.parse(line) as RigReady);
  });
  return { process: rig, ready };
}

/** A process asked to stop (SIGTERM) has this long before its whole group is killed. */
const STOP_GRACE_MS = 5_000;

/** Stops a process started here (SIGTERM); if it lingers, kills its group (a rig's socat children too). */
export async function stopProcess(p: CryoProcess): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  const timer = new Promise<'late'>((resolve) => setTimeout(() => { resolve('late'); }, STOP_GRACE_MS));
  if ((await Promise.race([p.exited, timer])) === 'late') {
    try {
      process.kill(-p.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    await p.exited;
  }
}

export function readTrace(path: string): TraceRecord[] {
  return parseTrace(readFileSync(path, 'utf8'));
}

/** Epoch milliseconds, the trace's time base. */
export const epochNowMs = (): number => performance.timeOrigin + performance.now();

/**
 * A console under test is never raised from outside: `cryo run` raises its own control loop's
 * thread, and only that thread (SCHED_RR 20 with reset on fork, src/runtime/loop-priority.ts), as
 * the deployed console does on its own computer; that is one level above the rig and its relays
 * (hil/rig/priority.ts). Raising the whole process from here (`chrt --all-tasks`, as these tests
 * once did) put its records worker, V8's helper threads and libuv's pool at the loop's own level
 * (and, with this test worker raised the same way, above the rig): the test then ran a console
 * scheduled as none is in the field, and beside a CPU hog its short treatment tripped
 * SENSOR_STALE (3 runs of 5) or LOOP_OVERRUN (once, in a full npm test).
 *
 * Back to ordinary scheduling, for the test worker after an in-process control loop raised with
 * raiseLoopThread.
 */
export { normalPriority } from '../../hil/rig/priority.js';
