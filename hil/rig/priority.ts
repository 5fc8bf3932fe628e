// Scheduling for processes that stand in for other processors, and for the console under test.
// The emulated Uno and the front-end MCU are chips of their own on the real board, and the
// console has its own computer: no load on the host delays them. On a shared machine the rig asks
// the kernel for what comes closest, in two classes:
//
// - Busy processes (the rig, which runs the emulated Uno for about half a core; a console under
//   test, which compiles its sources for seconds at start): a high priority among ordinary
//   processes, a nice value set on every thread, never real-time. When the real-time tasks on a CPU
//   use more than sched_rt_runtime_us of a second (95 %), the kernel stops every real-time task on
//   that CPU for the rest of that second. Measured beside a CPU hog with the rig and the console
//   real-time: both stopped together for 40 ms ("sched: RT throttling activated" in the kernel
//   log), and in 1 run of 5 a tip sample reached the console 116 ms old (SENSOR_STALE). With only
//   the console real-time, its start-up starved the rig instead (event-loop stalls of 540-744 ms).
// - Light, latency-bound processes (the rig's socat relays, which stand in for the board's USB
//   serial chip): round-robin real-time scheduling (SCHED_RR, through util-linux `chrt`, which
//   needs root or CAP_SYS_NICE), else the nice value below. They use a few percent of a core.
//
// Threads and children started afterwards inherit what their parent thread has.

import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';

/** SCHED_RR priority (1-99) of the light processes: low among real-time tasks, above every
 * ordinary process. */
export const LIGHT_RR_PRIORITY = 10;
/** The busy processes' nice value (and the light processes' fallback): a scheduling weight about
 * 29 times an ordinary process's (nice 0). */
export const RIG_NICE = -15;

export type PriorityGranted = 'realtime' | 'nice' | 'normal';
export interface PriorityResult {
  readonly granted: PriorityGranted;
  /** What was granted and, when less than asked, why. */
  readonly why: string;
}

/** The ids of every thread of `pid` (just `pid` when /proc cannot be read). */
function threadsOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).map(Number).filter((tid) => Number.isInteger(tid) && tid > 0);
  } catch {
    return [pid];
  }
}

/** Sets the nice value of every thread of `pid` (Linux keeps one per thread); throws the first
 * refusal. */
function setNiceOfEveryThread(pid: number, nice: number): void {
  for (const tid of threadsOf(pid)) setPriority(tid, nice);
}

function raiseNice(pid: number, before: string): PriorityResult {
  try {
    setNiceOfEveryThread(pid, RIG_NICE);
    return { granted: 'nice', why: `nice ${RIG_NICE}${before}` };
  } catch (err) {
    return { granted: 'normal', why: `normal priority (nice ${RIG_NICE} refused: ${(err as Error).message})${before}` };
  }
}

/** For a busy process (the rig, a console under test): a raised nice value on every thread of
 * `pid`, never real-time (see above). Never throws. */
export function raisePriority(pid: number): PriorityResult {
  return raiseNice(pid, '');
}

/** For a light, latency-bound process (a socat relay): SCHED_RR on every thread of `pid`, else a
 * raised nice value, else nothing. Never throws. */
export function raiseToRealTime(pid: number): PriorityResult {
  try {
    execFileSync('chrt', ['--rr', '--all-tasks', '--pid', String(LIGHT_RR_PRIORITY), String(pid)], { stdio: 'ignore' });
    return { granted: 'realtime', why: `SCHED_RR ${LIGHT_RR_PRIORITY}` };
  } catch (err) {
    return raiseNice(pid, ` (SCHED_RR refused: ${(err as Error).message})`);
  }
}

/** Back to ordinary scheduling (SCHED_OTHER, nice 0) on every thread. Never throws: a process
 * already gone, or never raised, is left as it is. */
export function normalPriority(pid: number): void {
  try {
    execFileSync('chrt', ['--other', '--all-tasks', '--pid', '0', String(pid)], { stdio: 'ignore' });
  } catch {
    // Never real-time, or gone.
  }
  try {
    setNiceOfEveryThread(pid, 0);
  } catch {
    // Gone.
  }
}
