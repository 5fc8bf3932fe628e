// Whether this process runs in the background of its controlling terminal (a shell job started
// with `&`, or sent there with `bg`). `cryo run` takes keys from a terminal by putting it in raw
// mode, and the kernel stops a background job that changes its terminal's mode (SIGTTOU, which
// the console leaves at its default: docs/safety.md): such a console would sit suspended with its
// board open until the hardware watchdog acted. Asked once, before the board is opened, so that
// the console refuses to start instead. Linux only (procfs); elsewhere the answer is "unknown".
import { fstatSync, readFileSync } from 'node:fs';

/** The procfs file giving this process's group and its terminal's foreground group. */
export const PROC_SELF_STAT = '/proc/self/stat';

export type TerminalJob = 'foreground' | 'background' | 'unknown';

/** What /proc/PID/stat says of the process's terminal: its place among the terminal's jobs and
 * the controlling terminal's device number (tty_nr; 0 with none). */
export interface StatTerminal {
  readonly job: TerminalJob;
  readonly ttyNr: number;
}

/**
 * The job's place from the text of /proc/PID/stat: after the command name (in parentheses, which
 * may itself hold spaces and parentheses, so the last ')' ends it) come state, ppid, pgrp, session,
 * tty_nr and tpgid (proc(5)). With no controlling terminal tpgid is -1: not a background job.
 */
export function statTerminal(stat: string): StatTerminal {
  const unknown: StatTerminal = { job: 'unknown', ttyNr: 0 };
  const end = stat.lastIndexOf(')');
  if (end < 0) return unknown;
  const fields = stat.slice(end + 1).trim().split(/\s+/);
  // fields[0] is the state (field 3 of proc(5)), so pgrp (5) is fields[2], tty_nr (7) fields[4]
  // and tpgid (8) fields[5].
  const pgrp = Number(fields[2]);
  const ttyNr = Number(fields[4]);
  const tpgid = Number(fields[5]);
  if (!Number.isInteger(pgrp) || !Number.isInteger(tpgid) || !Number.isInteger(ttyNr) || pgrp <= 0) return unknown;
  if (tpgid <= 0) return { job: 'foreground', ttyNr };
  return { job: tpgid === pgrp ? 'foreground' : 'background', ttyNr };
}

/** The standard input, output and error: the kernel stops a background job only for using its
 * controlling terminal through them (reading it, setting its mode, or writing under tostop). */
const STDIO_FDS = [0, 1, 2] as const;

/** The device each standard stream is on (its rdev; 0 for a file or pipe, or a closed stream). */
function stdioDevices(): number[] {
  return STDIO_FDS.map((fd) => {
    try {
      return fstatSync(fd).rdev;
    } catch {
      return 0;
    }
  });
}

/**
 * This process's place among its controlling terminal's jobs, 'background' only when one of its
 * standard streams is on that terminal (a stream on another terminal, a supervisor's pty, cannot
 * get it stopped: review of stop 23, F1); 'unknown' where procfs cannot say.
 */
export function terminalJob(readStat: () => string = () => readFileSync(PROC_SELF_STAT, 'utf8'), devices: () => readonly number[] = stdioDevices): TerminalJob {
  try {
    const { job, ttyNr } = statTerminal(readStat());
    if (job !== 'background') return job;
    return ttyNr !== 0 && devices().includes(ttyNr) ? 'background' : 'foreground';
  } catch {
    return 'unknown';
  }
}
