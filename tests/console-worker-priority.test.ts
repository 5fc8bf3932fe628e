// The console worker lowers its own thread's priority, and only its own (Linux nice is per
// thread): under contention the OS prefers the control loop's thread (issue 9). The built worker
// runs in this process and /proc/self/task/*/stat shows each thread's nice value.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { FromConsole, ToConsole } from '../src/console/protocol.js';
import { CONSOLE_WORKER_NICE_INCREMENT, MAX_NICE, lowerThreadPriority } from '../src/console/worker-priority.js';
import { tempDirMaker } from './helpers/temp.js';

const WORKER = new URL('../dist/src/console/worker.js', import.meta.url);
const newDataDir = tempDirMaker('console-worker-priority-');
const WAIT_MS = 5_000;
/** /proc/<pid>/task/<tid>/stat: field 19 is the nice value (man 5 proc); fields after the
 * command name (which may hold spaces, in parentheses) start at field 3. */
const STAT_NICE_FIELD = 19;
const STAT_FIELDS_BEFORE_STATE = 2;

/** Each thread of this process and its nice value. */
function threadNices(): Map<number, number> {
  const nices = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread has just ended
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    nices.set(Number(tid), Number(fields[STAT_NICE_FIELD - 1 - STAT_FIELDS_BEFORE_STATE]));
  }
  return nices;
}

let worker: Worker | null = null;
afterEach(async () => {
  if (worker === null) return;
  const exited = new Promise((resolve) => worker?.once('exit', resolve));
  worker.postMessage({ kind: 'stop' } satisfies ToConsole);
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2_000))]);
  await worker.terminate();
  worker = null;
});

describe('lowerThreadPriority', () => {
  it('raises the nice value by CONSOLE_WORKER_NICE_INCREMENT', () => {
    const set: number[] = [];
    expect(lowerThreadPriority({ get: () => 0, set: (n) => set.push(n) })).toEqual({ ok: true, fromNice: 0, toNice: 10 });
    expect(set).toEqual([CONSOLE_WORKER_NICE_INCREMENT]);
  });

  it('stops at the highest nice value Linux has', () => {
    expect(lowerThreadPriority({ get: () => 15, set: () => undefined })).toEqual({ ok: true, fromNice: 15, toNice: MAX_NICE });
  });

  it('reports a refusal as a message instead of throwing', () => {
    const outcome = lowerThreadPriority({ get: () => 0, set: () => { throw new Error('EACCES: permission denied'); } });
    expect(outcome).toEqual({ ok: false, message: expect.stringContaining('EACCES: permission denied') as string });
  });
});

describe.runIf(process.platform === 'linux')('the built console worker', () => {
  it('lowers the nice value of its own thread and of no other thread', async () => {
    if (!existsSync(WORKER)) throw new Error(`${WORKER.pathname} is missing: run npm run build`);
    const ownNice = getPriority(0);
    const before = threadNices();
    const started = new Worker(WORKER, { workerData: { host: '127.0.0.1', port: 0, dataDir: newDataDir() }, stdout: true, stderr: true });
    worker = started;
    started.stdout.resume();
    started.stderr.resume();
    const ready = new Promise<void>((resolve, reject) => {
      started.on('message', (m: FromConsole) => { if (m.kind === 'ready') resolve(); });
      started.once('error', reject);
      setTimeout(() => { reject(new Error('the worker was not ready in time')); }, WAIT_MS);
    });
    await ready;
    const after = threadNices();
    const expected = Math.min(MAX_NICE, ownNice + CONSOLE_WORKER_NICE_INCREMENT);
    const changed = [...after].filter(([tid, nice]) => nice !== (before.get(tid) ?? ownNice));
    expect(expected).toBeGreaterThan(ownNice);
    expect(changed.map(([, nice]) => nice)).toEqual([expected]);
    // This thread (the one that started the worker) kept its priority.
    expect(getPriority(0)).toBe(ownNice);
    expect(before.has(changed[0]![0])).toBe(false);
  });
});
