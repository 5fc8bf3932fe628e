// Scheduling for processes that stand in for other processors, and for the console under test.
// The emulated Uno and the front-end MCU are chips of their own on the real board, and the
// console has its own computer: no load on the host delays them. On a shared machine they ask the
// kernel for what comes closest: round-robin real-time scheduling (SCHED_RR, through util-linux
// `chrt`, which needs root or CAP_SYS_NICE), else a raised nice value, else nothing (and say so).
// Threads and children started afterwards inherit what their parent thread has.
//
// Three levels, each above the one that would otherwise delay it:
// - the rig (RIG_RR_PRIORITY): it runs the emulated Uno, about a third of a core once warm;
// - its socat relays (RELAY_RR_PRIORITY), the board's USB serial chips: light, on every byte's
//   path, never waiting behind an emulation chunk;
// - the console's control loop thread, SCHED_RR 20 (LOOP_RR_PRIORITY, src/runtime/loop-priority.ts),
//   which the console raises itself, that thread only: its ticks must come on time whatever the
//   rig does. With the console and the rig at one level, the rig's chunks made 10 ticks late in
//   10 s (LOOP_OVERRUN) in 1 run of 5 beside a CPU hog. The console's other threads stay ordinary,
//   below the rig, as they are below the chips on the real board.
// Not nice values alone: with the rig and the console at nice -15 the tests failed 2 runs of 2
// beside the hog (SENSOR_STALE at start). What real-time costs: when real-time tasks use more than
// sched_rt_runtime_us of a second (95 %) on a CPU, the kernel stops them for the rest of that
// second ("sched: RT throttling activated"); the rig's warm-up (hil/rig/device.ts) and its 4 ms
// chunks (hil/uno/emulated-uno.ts) keep it well below a core.

import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';

/** SCHED_RR priorities (1-99), all low among real-time tasks and above every ordinary process. */
export const RIG_RR_PRIORITY = 10;
export const RELAY_RR_PRIORITY = 15;
/** The fallback when real-time is refused: a scheduling weight about 29 times an ordinary
 * process's (nice 0). */
export const FALLBACK_NICE = -15;

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

/** SCHED_RR at `rrPriority` on every thread of `pid`, else a raised nice value, else nothing.
 * Never throws. */
export function raiseToRealTime(pid: number, rrPriority: number): PriorityResult {
  try {
    execFileSync('chrt', ['--rr', '--all-tasks', '--pid', String(rrPriority), String(pid)], { stdio: 'ignore' });
    return { granted: 'realtime', why: `SCHED_RR ${rrPriority}` };
  } catch (rrErr) {
    const refused = `SCHED_RR refused: ${(rrErr as Error).message}`;
    try {
      setNiceOfEveryThread(pid, FALLBACK_NICE);
      return { granted: 'nice', why: `nice ${FALLBACK_NICE} (${refused})` };
    } catch (err) {
      return { granted: 'normal', why: `normal priority (${refused}; nice ${FALLBACK_NICE} refused: ${(err as Error).message})` };
    }
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
