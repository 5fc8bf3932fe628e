// The control loop's thread priority (src/runtime/loop-priority.ts): real time on the loop's
// thread only, the fallbacks when refused, and, in a real process, that a worker started after
// the raise (the console worker) runs at ordinary priority.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { LOOP_FALLBACK_NICE, LOOP_RR_PRIORITY, raiseLoopThread } from '../src/runtime/loop-priority.js';
import type { ThreadScheduling } from '../src/runtime/loop-priority.js';

function fakeOs(over: Partial<ThreadScheduling>): ThreadScheduling & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    threadId: over.threadId ?? (() => 4242),
    realTime: (tid, priority) => {
      calls.push(`rr ${tid} ${priority}`);
      over.realTime?.(tid, priority);
    },
    nice: (value) => {
      calls.push(`nice ${value}`);
      over.nice?.(value);
    },
  };
}

describe('raiseLoopThread', () => {
  it('asks for SCHED_RR on the calling thread only, and stops there when granted', () => {
    const os = fakeOs({});
    expect(raiseLoopThread(os)).toEqual({ granted: 'realtime', why: `SCHED_RR ${LOOP_RR_PRIORITY} (reset on fork)` });
    expect(os.calls).toEqual([`rr 4242 ${LOOP_RR_PRIORITY}`]);
  });

  it('falls back to a raised nice value when real time is refused, and says why', () => {
    const os = fakeOs({ realTime: () => { throw new Error('chrt: failed to set pid 4242\'s policy: Operation not permitted'); } });
    const result = raiseLoopThread(os);
    expect(result.granted).toBe('nice');
    expect(result.why).toBe(`nice ${LOOP_FALLBACK_NICE} (SCHED_RR refused: chrt: failed to set pid 4242's policy: Operation not permitted)`);
    expect(os.calls).toEqual([`rr 4242 ${LOOP_RR_PRIORITY}`, `nice ${LOOP_FALLBACK_NICE}`]);
  });

  it('leaves the thread at normal priority when both are refused, naming both refusals', () => {
    const os = fakeOs({
      realTime: () => { throw Object.assign(new Error('Command failed: chrt'), { stderr: Buffer.from('chrt: Operation not permitted\n') }); },
      nice: () => { throw new Error('EACCES'); },
    });
    expect(raiseLoopThread(os)).toEqual({
      granted: 'normal',
      why: `normal priority (SCHED_RR refused: chrt: Operation not permitted; nice ${LOOP_FALLBACK_NICE} refused: EACCES)`,
    });
  });

  it('falls back when the thread id cannot be read (no /proc)', () => {
    const os = fakeOs({ threadId: () => { throw new Error('ENOENT: /proc/thread-self'); } });
    const result = raiseLoopThread(os);
    expect(result.granted).toBe('nice');
    expect(result.why).toContain('SCHED_RR refused: ENOENT: /proc/thread-self');
    expect(os.calls).toEqual([`nice ${LOOP_FALLBACK_NICE}`]);
  });
});

// A real process: raise the main thread, then start a worker, and read both threads' scheduling
// policies from /proc (field 41 of stat: 0 SCHED_OTHER, 2 SCHED_RR; field 40: the RT priority).
const PROBE = `
import { raiseLoopThread } from './src/runtime/loop-priority.ts';
import { Worker } from 'node:worker_threads';
import { readFileSync, readlinkSync } from 'node:fs';
const sched = (tid) => {
  const stat = readFileSync('/proc/self/task/' + tid + '/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { rtPriority: Number(f[37]), policy: Number(f[38]), nice: Number(f[16]) };
};
const result = raiseLoopThread();
const mainTid = Number(readlinkSync('/proc/thread-self').split('/').pop());
const w = new Worker("import { parentPort } from 'node:worker_threads'; import { readlinkSync } from 'node:fs'; parentPort.postMessage(Number(readlinkSync('/proc/thread-self').split('/').pop()));", { eval: true });
w.once('message', (workerTid) => {
  console.log(JSON.stringify({ result, pid: process.pid, mainTid, main: sched(mainTid), worker: sched(workerTid) }));
  void w.terminate();
});
`;

describe('raiseLoopThread in a real process', () => {
  it.runIf(process.platform === 'linux')('puts the loop thread alone in SCHED_RR: a worker started afterwards runs at ordinary priority', () => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', PROBE], {
      encoding: 'utf8',
      timeout: 20_000,
      // tsx's transform cache would stay behind in the temp folder (tsx-UID).
      env: { ...process.env, TSX_DISABLE_CACHE: '1' },
    });
    expect(child.stderr).toBe('');
    const out = JSON.parse(child.stdout) as {
      result: { granted: string; why: string };
      pid: number;
      mainTid: number;
      main: { rtPriority: number; policy: number; nice: number };
      worker: { rtPriority: number; policy: number; nice: number };
    };
    expect(out.mainTid).toBe(out.pid);
    // The worker is never real-time, whatever the main thread was granted.
    expect(out.worker.policy).toBe(0);
    expect(out.worker.rtPriority).toBe(0);
    if (out.result.granted === 'realtime') {
      expect(out.main).toEqual({ rtPriority: LOOP_RR_PRIORITY, policy: 2, nice: 0 });
      // Reset on fork: the worker starts as an ordinary thread.
      expect(out.worker.nice).toBe(0);
    } else if (out.result.granted === 'nice') {
      // No real-time privilege: a nice value has no reset on fork, so the worker starts where the
      // loop is and the console worker lowers itself from there (worker-priority.ts).
      expect(out.main).toEqual({ rtPriority: 0, policy: 0, nice: LOOP_FALLBACK_NICE });
      expect(out.worker.nice).toBe(LOOP_FALLBACK_NICE);
    } else {
      expect(out.main.policy).toBe(0);
    }
  });
});
