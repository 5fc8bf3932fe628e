// What an interrupted treatment reached, from its samples alone (the process died before it could
// say): the supply-open time (the site's cumulative freeze) and its cycles. Pure: the store feeds
// it the samples in order.
import type { Phase } from '../controller/types.js';
import { HARDWARE_WATCHDOG_MS } from '../controller/settings.js';
import { RECORDS_FLUSH_MS } from './protocol.js';
import type { CycleRow } from './types.js';

/** The samples' period (10 Hz, issue 10). */
export const NOMINAL_SAMPLE_PERIOD_MS = 100;
/** What a last committed sample with the supply valve open adds to the frozen time: the process
 * lived, valve open, up to one batch (RECORDS_FLUSH_MS) and a sample period past the last sample
 * that reached the file, and the hardware watchdog closed the valves HARDWARE_WATCHDOG_MS after it
 * died. Counting only one sample period under-counted the site's freeze by up to 500 ms. */
export const LAST_OPEN_SAMPLE_CREDIT_MS = NOMINAL_SAMPLE_PERIOD_MS + RECORDS_FLUSH_MS + HARDWARE_WATCHDOG_MS;
/** Tip temperatures a cycle's figures count time below (domain section 10: -20 C held a minute
 * is lethal to tissue; nerves between -20 and -100 C suffer axonotmesis). */
export const LETHAL_TIP_C = -20;
export const DEEP_TIP_C = -40;
/** The cycle figure `secondsToMinus50C` times the reach of this temperature. */
export const TARGET_TIP_C = -50;

export interface RecoverySample {
  readonly tMs: number;
  readonly phase: Phase;
  /** The control channel (channel 0). */
  readonly tip0C: number | null;
  readonly supplyValveOpen: boolean;
}

/** How long each sample stands for: until the next one; the last stands for nothing. */
function spanMs(samples: readonly RecoverySample[], i: number): number {
  const next = samples[i + 1];
  const here = samples[i];
  return next === undefined || here === undefined ? 0 : Math.max(0, next.tMs - here.tMs);
}

/** Supply-open time, never under-counted: the span between two samples counts as open when the
 * valve was commanded open at either end (a gap of dropped samples around an opening counts
 * whole), and a last sample with the valve open adds LAST_OPEN_SAMPLE_CREDIT_MS (the freeze may
 * have gone on until the process died, up to a batch later, and the hardware watchdog closes the
 * valves 250 ms after that). */
export function frozenMsOf(samples: readonly RecoverySample[]): number {
  let frozenMs = 0;
  for (let i = 0; i < samples.length; i++) {
    const here = samples[i];
    const next = samples[i + 1];
    if (here === undefined) continue;
    if (next === undefined) frozenMs += here.supplyValveOpen ? LAST_OPEN_SAMPLE_CREDIT_MS : 0;
    else if (here.supplyValveOpen || next.supplyValveOpen) frozenMs += spanMs(samples, i);
  }
  return frozenMs;
}

interface OpenCycle {
  index: number;
  startMs: number;
  freezeMs: number;
  thawMs: number;
  minTipC: number | null;
  secondsToMinus50C: number | null;
  belowMinus20Ms: number;
  belowMinus40Ms: number;
}

/** A cycle as its samples show it; its verdict comes from the recorded events (verdict.ts). */
export type RecoveredCycle = Omit<CycleRow, 'verdict'>;

const toRow = (c: OpenCycle): RecoveredCycle => ({
  index: c.index,
  freezeS: c.freezeMs / 1000,
  thawS: c.thawMs / 1000,
  minTipC: c.minTipC,
  secondsToMinus50C: c.secondsToMinus50C,
  belowMinus20S: c.belowMinus20Ms / 1000,
  belowMinus40S: c.belowMinus40Ms / 1000,
});

/** Cycles from the phases: a cycle (numbered from 1) begins where Freezing begins and runs
 * through the Thawing after it; any other phase ends it. Tip figures use channel 0; each sample
 * counts for the span until the next. */
export function cyclesOf(samples: readonly RecoverySample[]): RecoveredCycle[] {
  const done: RecoveredCycle[] = [];
  let cycle: OpenCycle | null = null;
  let previous: Phase | null = null;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i];
    if (s === undefined) continue;
    if (s.phase === 'Freezing' && previous !== 'Freezing') {
      if (cycle !== null) done.push(toRow(cycle));
      cycle = { index: done.length + 1, startMs: s.tMs, freezeMs: 0, thawMs: 0, minTipC: null, secondsToMinus50C: null, belowMinus20Ms: 0, belowMinus40Ms: 0 };
    } else if (cycle !== null && s.phase !== 'Freezing' && s.phase !== 'Thawing') {
      done.push(toRow(cycle));
      cycle = null;
    }
    previous = s.phase;
    if (cycle !== null) addSample(cycle, s, spanMs(samples, i));
  }
  if (cycle !== null) done.push(toRow(cycle));
  return done;
}

function addSample(cycle: OpenCycle, s: RecoverySample, dtMs: number): void {
  if (s.phase === 'Freezing') cycle.freezeMs += dtMs;
  else cycle.thawMs += dtMs;
  const tipC = s.tip0C;
  if (tipC === null) return;
  cycle.minTipC = cycle.minTipC === null ? tipC : Math.min(cycle.minTipC, tipC);
  if (cycle.secondsToMinus50C === null && tipC <= TARGET_TIP_C) cycle.secondsToMinus50C = (s.tMs - cycle.startMs) / 1000;
  if (tipC < LETHAL_TIP_C) cycle.belowMinus20Ms += dtMs;
  if (tipC < DEEP_TIP_C) cycle.belowMinus40Ms += dtMs;
}
