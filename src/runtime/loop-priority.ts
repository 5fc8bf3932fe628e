// The control loop's thread asks the kernel to run it before anything else on the machine. A
// thread of its own keeps the console's work off the loop's thread, but not off its core: on two
// cores with a CPU hog, the page's clients and the console worker, the loop still waited behind
// them (issue 9's bench: p99.9 tick-start error 5.3 ms at normal priority, the goal 5 ms). The
// deployed console runs with CAP_SYS_NICE (docs/hardware.md), as the rig's console does.
//
// Only this thread: util-linux `chrt --rr --reset-on-fork --pid P TID` on the loop's own thread
// id, never --all-tasks. With SCHED_RESET_ON_FORK every thread and process this thread starts
// afterwards (the console worker and its restarts, libuv's pool, the rig process) begins at
// ordinary priority, so the console worker still lowers itself below ordinary
// (worker-priority.ts) and nothing it runs can take the loop's place.
//
// Refused (no privilege, not Linux): a raised nice value on this thread, else nothing; either way
// it is said in the log, and timing, not safety, is what suffers: LOOP_OVERRUN still trips.
// What real time costs: a loop that never slept would hold one core; the kernel's real-time
// throttling (sched_rt_runtime_us, 95 % of each second) leaves the rest to others.
import { execFileSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/** SCHED_RR priority of the loop's thread (1-99): low among real-time tasks, above every ordinary
 * thread, and above the emulated rig (hil/rig/priority.ts: the rig 10, its relays 15), as the loop
 * must be above the chips it stands for. */
export const LOOP_RR_PRIORITY = 20;
/** The fallback: a scheduling weight about 29 times an ordinary thread's (nice 0). */
export const LOOP_FALLBACK_NICE = -15;

export type LoopPriorityGranted = 'realtime' | 'nice' | 'normal';
export interface LoopPriorityResult {
  readonly granted: LoopPriorityGranted;
  /** What was granted and, when less than asked, why. */
  readonly why: string;
}

/** The operating system calls, a seam for tests. */
export interface ThreadScheduling {
  /** The calling thread's kernel id. */
  threadId(): number;
  /** SCHED_RR at `priority` on thread `tid`, reset on fork; throws when refused. */
  realTime(tid: number, priority: number): void;
  /** The calling thread's nice value; throws when refused. */
  nice(value: number): void;
}

export const linuxThreadScheduling: ThreadScheduling = {
  threadId: () => {
    // "/proc/thread-self" links to "<pid>/task/<tid>" for the thread that reads it.
    const link = readlinkSync('/proc/thread-self');
    const tid = Number(link.slice(link.lastIndexOf('/') + 1));
    if (!Number.isInteger(tid) || tid <= 0) throw new Error(`/proc/thread-self: unexpected link ${JSON.stringify(link)}`);
    return tid;
  },
  realTime: (tid, priority) => {
    execFileSync('chrt', ['--rr', '--reset-on-fork', '--pid', String(priority), String(tid)], { stdio: ['ignore', 'ignore', 'pipe'] });
  },
  nice: (value) => {
    setPriority(0, value);
  },
};

function reason(err: unknown): string {
  const e = err as Error & { stderr?: Buffer };
  const stderr = e.stderr?.toString().trim();
  return stderr !== undefined && stderr !== '' ? stderr : e.message;
}

/** Raises the calling thread (the control loop's) to SCHED_RR LOOP_RR_PRIORITY, else nice
 * LOOP_FALLBACK_NICE, else leaves it. Never throws. */
export function raiseLoopThread(os: ThreadScheduling = linuxThreadScheduling): LoopPriorityResult {
  let refused: string;
  try {
    os.realTime(os.threadId(), LOOP_RR_PRIORITY);
    return { granted: 'realtime', why: `SCHED_RR ${LOOP_RR_PRIORITY} (reset on fork)` };
  } catch (err) {
    refused = `SCHED_RR refused: ${reason(err)}`;
  }
  try {
    os.nice(LOOP_FALLBACK_NICE);
    return { granted: 'nice', why: `nice ${LOOP_FALLBACK_NICE} (${refused})` };
  } catch (err) {
    return { granted: 'normal', why: `normal priority (${refused}; nice ${LOOP_FALLBACK_NICE} refused: ${reason(err)})` };
  }
}
