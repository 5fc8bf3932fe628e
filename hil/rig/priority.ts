// Scheduling for processes that stand in for other processors. The emulated Uno and the front-end
// MCU are chips of their own on the real board: no load on the host can delay them. On a shared
// machine the rig asks the kernel for what comes closest: round-robin real-time scheduling
// (SCHED_RR, through util-linux `chrt`, which needs root or CAP_SYS_NICE), else a raised nice
// value, else nothing (and says so). Children started afterwards (the rig's socat) inherit it.
// The kernel's real-time throttling (sched_rt_runtime_us) still leaves 5 % of each CPU to others.

import { execFileSync } from 'node:child_process';
import { setPriority } from 'node:os';

/** SCHED_RR priority (1-99): low among real-time tasks, above every ordinary process. */
export const RIG_RR_PRIORITY = 10;
/** The fallback: a nice value well above ordinary processes' 0. */
export const RIG_NICE = -10;

export type PriorityGranted = 'realtime' | 'nice' | 'normal';

/** Raises `pid` (every thread of it) as far as permitted; returns what was granted and, when less
 * than real-time, why. Never throws. */
export function raisePriority(pid: number): { granted: PriorityGranted; why: string } {
  try {
    execFileSync('chrt', ['--rr', '--all-tasks', '--pid', String(RIG_RR_PRIORITY), String(pid)], { stdio: 'ignore' });
    return { granted: 'realtime', why: `SCHED_RR ${RIG_RR_PRIORITY}` };
  } catch (err) {
    const rrRefused = (err as Error).message;
    try {
      setPriority(pid, RIG_NICE);
      return { granted: 'nice', why: `nice ${RIG_NICE} (SCHED_RR refused: ${rrRefused})` };
    } catch (niceErr) {
      return { granted: 'normal', why: `normal priority (SCHED_RR and nice ${RIG_NICE} refused: ${(niceErr as Error).message})` };
    }
  }
}
