// The console benchmark's pure parts (bench/console-figures.ts): the log lines it reads from
// `cryo run`, /proc parsing and the ratios. The timing itself is the benchmark's, not a test's.
import { describe, expect, it } from 'vitest';
import { LOAD_CLIENTS, VARIANTS } from '../bench/console.js';
import { MAX_LOOPBACK_CLIENTS } from '../src/console/server/index.js';
import { cpuPercentOfCore, emptyRunLog, lateOrMissedShare, loopTimingOf, parseProcStatCpuTicks, parseProcStatus, ratio, readLogLine } from '../bench/console-figures.js';

/** A loop-timing line as pino writes it when stderr is not a terminal (src/cli/run.ts logTiming). */
const TIMING_LINE =
  '{"level":30,"time":1796257664940,"pid":18831,"hostname":"vm","event":"loop-timing","p50Ms":0.01,"p99Ms":6.309573444801903,"p999Ms":15.84893192461105,"maxMs":18.185809999999947,"late":19,"ticks":1783,"missed":7,"msg":"loop timing: ..."}';
const TRIP_LINE = '{"level":40,"event":"trip","atS":6.73,"id":"LOOP_OVERRUN","priority":"high","msg":"interlock LOOP_OVERRUN"}';
const SERVING_LINE = '{"level":30,"url":"http://127.0.0.1:36513/","thread":"console","msg":"console: serving"}';

const STATUS = `Name:\tnode
VmPeak:\t 1100000 kB
VmHWM:\t   71234 kB
VmRSS:\t   65432 kB
Threads:\t11
`;

describe('reading the run log', () => {
  it('takes the loop timing from the loop-timing line', () => {
    const log = emptyRunLog();
    readLogLine(log, TIMING_LINE);
    expect(log.timing).toEqual({ p50Ms: 0.01, p99Ms: 6.309573444801903, p999Ms: 15.84893192461105, maxMs: 18.185809999999947, late: 19, missed: 7, ticks: 1783 });
  });

  it('refuses a loop-timing record with a field missing', () => {
    expect(loopTimingOf({ event: 'loop-timing', p50Ms: 0.01, p99Ms: 1, p999Ms: 2, maxMs: 3, late: 0, ticks: 10 })).toBeNull();
  });

  it('collects the tripped interlocks, the safe-to-withdraw and the page URL', () => {
    const log = emptyRunLog();
    for (const line of [SERVING_LINE, TRIP_LINE, '{"event":"safe-to-withdraw","safe":true}']) readLogLine(log, line);
    expect(log).toMatchObject({ trips: ['LOOP_OVERRUN'], safeToWithdraw: true, url: 'http://127.0.0.1:36513/', timing: null });
  });

  it('keeps a line that is not JSON (a crash) for the report', () => {
    const log = emptyRunLog();
    readLogLine(log, 'TypeError: boom');
    expect(log.otherLines).toEqual(['TypeError: boom']);
  });
});

describe('/proc', () => {
  it('reads VmRSS and the peak VmHWM in kB from /proc/<pid>/status', () => {
    expect(parseProcStatus(STATUS)).toEqual({ rssKb: 65432, hwmKb: 71234 });
  });

  it('gives null when /proc/<pid>/status has no VmRSS (a zombie)', () => {
    expect(parseProcStatus('Name:\tnode\nState:\tZ (zombie)\n')).toBeNull();
  });

  it('adds utime and stime of /proc/<pid>/stat, counting fields after the command name', () => {
    // Fields 14 and 15 are 250 and 31; the command name holds a space and a parenthesis.
    const stat = '4242 (node (x) y) S 1 4242 4242 0 -1 4194560 5000 0 0 0 250 31 0 0 20 0 11 0 700 1000000 16000';
    expect(parseProcStatCpuTicks(stat)).toBe(281);
  });

  it('gives null for a stat line it cannot read', () => {
    expect(parseProcStatCpuTicks('garbage')).toBeNull();
  });
});

describe('figures', () => {
  it('turns CPU ticks over wall time into % of one core', () => {
    expect(cpuPercentOfCore(150, 100, 30_000)).toBeCloseTo(5, 10);
  });

  it('rounds a ratio to one decimal, and says infinite over a zero baseline', () => {
    expect(ratio(12.34, 2)).toBe(6.2);
    expect(ratio(1, 0)).toBe(Number.POSITIVE_INFINITY);
    expect(ratio(0, 0)).toBe(1);
  });
});

describe('late or missed share', () => {
  it('counts missed ticks as due as well as late', () => {
    expect(lateOrMissedShare({ late: 10, missed: 10, ticks: 190 })).toBeCloseTo(0.1, 10);
  });

  it('is 0 with no tick due', () => {
    expect(lateOrMissedShare({ late: 0, missed: 0, ticks: 0 })).toBe(0);
  });
});

describe('the load the console bench asks for', () => {
  it('fits in the server: every one of its WebSocket clients on this machine is accepted', () => {
    const loads = VARIANTS.map((v) => v.clients);
    expect(Math.max(...loads)).toBe(LOAD_CLIENTS);
    // The kiosk beside the bench's clients, as on the console itself.
    expect(LOAD_CLIENTS + 1).toBeLessThanOrEqual(MAX_LOOPBACK_CLIENTS);
  });
});
