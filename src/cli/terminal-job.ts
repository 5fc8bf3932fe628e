// Whether this process runs in the background of its controlling terminal (a shell job started
// with `&`, or sent there with `bg`). `cryo run` takes keys from a terminal by putting it in raw
// mode, and the kernel stops a background job that changes its terminal's mode (SIGTTOU, which
// the console leaves at its default: docs/safety.md): such a console would sit suspended with its
// board open until the hardware watchdog acted. Asked once, before the board is opened, so that
// the console refuses to start instead. Linux only (procfs); elsewhere the answer is "unknown".
import { readFileSync } from 'node:fs';

/** The procfs file giving this process's group and its terminal's foreground group. */
export const PROC_SELF_STAT = '/proc/self/stat';

export type TerminalJob = 'foreground' | 'background' | 'unknown';

/**
 * The job's place from the text of /proc/PID/stat: after the command name (in parentheses, which
 * may itself hold spaces and parentheses, so the last ')' ends it) come state, ppid, pgrp, session,
 * tty_nr and tpgid (proc(5)). With no controlling terminal tpgid is -1: not a background job.
 */
export function terminalJobFromStat(stat: string): TerminalJob {
  const end = stat.lastIndexOf(')');
  if (end < 0) return 'unknown';
  const fields = stat.slice(end + 1).trim().split(/\s+/);
  // fields[0] is the state (field 3 of proc(5)), so pgrp (5) is fields[2] and tpgid (8) fields[5].
  const pgrp = Number(fields[2]);
  const tpgid = Number(fields[5]);
  if (!Number.isInteger(pgrp) || !Number.isInteger(tpgid) || pgrp <= 0) return 'unknown';
  if (tpgid <= 0) return 'foreground';
  return tpgid === pgrp ? 'foreground' : 'background';
}

/** This process's place among its terminal's jobs; 'unknown' where procfs cannot say. */
export function terminalJob(readStat: () => string = () => readFileSync(PROC_SELF_STAT, 'utf8')): TerminalJob {
  try {
    return terminalJobFromStat(readStat());
  } catch {
    return 'unknown';
  }
}
