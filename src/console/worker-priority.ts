// The console worker runs below the control loop's priority. A thread does not give the loop a
// core of its own (issue 9's bench: one CPU hog, the page's clients, the churner and the loop share
// two cores), so under contention the OS must prefer the loop's thread to the console's. On Linux
// the nice value is per thread: setpriority(PRIO_PROCESS, 0, n), which os.setPriority(0, n) calls,
// changes the calling thread only, so the worker lowers its own thread and nothing else. Raising a
// nice value needs no privilege; failing to (another OS, a sandbox) costs timing, not safety, and
// is logged, never fatal.
import { getPriority, setPriority } from 'node:os';

/** How much nicer than the thread that started it the console worker makes itself. Nice 10 below
 * the loop gives the worker about a tenth of the loop's CPU share when both want the same core
 * (CFS weights 1024 at nice 0 against 110 at nice 10), and the loop's wake-ups preempt it. */
export const CONSOLE_WORKER_NICE_INCREMENT = 10;
/** The highest (least favoured) nice value Linux has. */
export const MAX_NICE = 19;

export interface ThreadPriority {
  get(): number;
  set(nice: number): void;
}

/** The calling thread's nice value, through Node (pid 0: this thread, on Linux). */
export const nodeThreadPriority: ThreadPriority = {
  get: () => getPriority(0),
  set: (nice) => {
    setPriority(0, nice);
  },
};

export type PriorityOutcome = { ok: true; fromNice: number; toNice: number } | { ok: false; message: string };

/** Lowers the calling thread's priority by CONSOLE_WORKER_NICE_INCREMENT (up to MAX_NICE). */
export function lowerThreadPriority(priority: ThreadPriority = nodeThreadPriority): PriorityOutcome {
  try {
    const fromNice = priority.get();
    const toNice = Math.min(MAX_NICE, fromNice + CONSOLE_WORKER_NICE_INCREMENT);
    priority.set(toNice);
    return { ok: true, fromNice, toNice };
  } catch (err) {
    return { ok: false, message: `the console worker could not lower its thread's priority (it runs at the loop's): ${(err as Error).message}` };
  }
}
