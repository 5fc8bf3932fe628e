// The console benchmark's pure parts (bench/console.ts): what it reads from a run's log lines and
// from /proc, and the ratios it reports. Tested in tests/bench-console.test.ts.

/** The loop's own tick-start error since start, as `cryo run` logs it at exit (event loop-timing). */
export interface LoopTimingLine {
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  late: number;
  missed: number;
  ticks: number;
}

/** What a run's log says: its timing, the interlocks that tripped, whether it reached safe to
 * withdraw, and the console page's URL (the worker's or the bench server's `console: serving`). */
export interface RunLog {
  timing: LoopTimingLine | null;
  trips: string[];
  safeToWithdraw: boolean;
  url: string | null;
  /** Lines that were not JSON (a crash's stack trace, say): kept for the report. */
  otherLines: string[];
}

export function emptyRunLog(): RunLog {
  return { timing: null, trips: [], safeToWithdraw: false, url: null, otherLines: [] };
}

const TIMING_FIELDS = ['p50Ms', 'p99Ms', 'p999Ms', 'maxMs', 'late', 'missed', 'ticks'] as const;
/** Non-JSON lines kept, at most: a crash's trace, not a flood. */
const MAX_OTHER_LINES = 20;

/** The loop-timing fields of one parsed log record, or null when it is not that record or a field is missing. */
export function loopTimingOf(record: Record<string, unknown>): LoopTimingLine | null {
  if (record.event !== 'loop-timing') return null;
  const out: Partial<LoopTimingLine> = {};
  for (const field of TIMING_FIELDS) {
    const value = record[field];
    if (typeof value !== 'number' || !Number.isFinite(value)) return null;
    out[field] = value;
  }
  return out as LoopTimingLine;
}

/** Folds one stderr line of `cryo run` (pino JSON when stderr is not a terminal) into `log`. */
export function readLogLine(log: RunLog, line: string): void {
  const text = line.trim();
  if (text === '') return;
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch {
    if (log.otherLines.length < MAX_OTHER_LINES) log.otherLines.push(text.slice(0, 300));
    return;
  }
  if (typeof record !== 'object' || record === null) return;
  const r = record as Record<string, unknown>;
  const timing = loopTimingOf(r);
  if (timing !== null) log.timing = timing;
  if (r.event === 'trip' && typeof r.id === 'string') log.trips.push(r.id);
  if (r.event === 'safe-to-withdraw' && r.safe === true) log.safeToWithdraw = true;
  if (r.msg === 'console: serving' && typeof r.url === 'string' && log.url === null) log.url = r.url;
}

/** VmRSS and VmHWM (peak) of /proc/<pid>/status, in kB; null when a field is absent. */
export function parseProcStatus(text: string): { rssKb: number; hwmKb: number } | null {
  const field = (name: string): number | null => {
    const match = new RegExp(`^${name}:\\s+(\\d+)\\s+kB$`, 'm').exec(text);
    return match?.[1] === undefined ? null : Number(match[1]);
  };
  const rssKb = field('VmRSS');
  const hwmKb = field('VmHWM');
  return rssKb === null || hwmKb === null ? null : { rssKb, hwmKb };
}

/** utime + stime of /proc/<pid>/stat (fields 14 and 15), in clock ticks. The command name (field
 * 2) is in parentheses and may hold spaces and parentheses: fields are counted after its last ')'. */
export function parseProcStatCpuTicks(text: string): number | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  // After ')': field 3 (state) is index 0, so field n is index n - 3.
  const rest = text.slice(close + 1).trim().split(/\s+/);
  const utime = Number(rest[14 - 3]);
  const stime = Number(rest[15 - 3]);
  return Number.isInteger(utime) && Number.isInteger(stime) ? utime + stime : null;
}

/** CPU time over wall time, in % of one core. */
export function cpuPercentOfCore(cpuTicks: number, clockTicksPerS: number, wallMs: number): number {
  if (wallMs <= 0 || clockTicksPerS <= 0) return Number.NaN;
  return (100 * cpuTicks) / clockTicksPerS / (wallMs / 1000);
}

/** a / b, rounded to one decimal; Infinity when b is 0 and a is not (a ratio the text shows as such). */
export function ratio(a: number, b: number): number {
  if (b === 0) return a === 0 ? 1 : Number.POSITIVE_INFINITY;
  return Math.round((a / b) * 10) / 10;
}

/** Late or missed ticks as a share of the ticks due (run plus missed); 0 with none due. */
export function lateOrMissedShare(t: Pick<LoopTimingLine, 'late' | 'missed' | 'ticks'>): number {
  const due = t.ticks + t.missed;
  return due === 0 ? 0 : (t.late + t.missed) / due;
}
