// What the console tells the operator about pulling the probe out. A frozen probe must never be
// pulled (it tears tissue: domain section 4), and a reading the controller no longer trusts must
// never declare it safe (H1 of the review: SAFE TO WITHDRAW from a sensor just found stuck while
// the true tip was at -28 C). Pure; step.ts keeps the facts in the state, this reads them.
import { assert } from '../../kernel/assert.js';
import type { Settings } from './settings.js';
import type { ControllerState } from './state.js';
import { TREATING_PHASES } from './types.js';

/** The table's margin over the model's slowest thaw (model error, the grid and the step), and the
 * step it is rounded up to. */
export const THAW_BOUND_MARGIN = 0.1;
export const THAW_BOUND_ROUND_S = 10;

/**
 * How long a probe in tissue can take to thaw passively (no gas, no heater) to 0 C at the wall
 * after the site has had `freezeS` seconds of gas: [freezeS, waitS] pairs, increasing. From the
 * tissue model of kernel/bioheat (docs/tissue-model.md, kernel/bioheat/thaw-bound.ts) with the
 * freeze taken as the wall held at the coldest CO2 can make it (-78.5 C) without a break (colder
 * than any real sequence of freezes of that much gas), the largest probe the settings accept
 * (iceBall.probeOdMm and a calibration record's probeOdMm at most 2.0 mm, kernel/probe.ts: a
 * bigger ice ball thaws last) and the slowest-thawing tissue
 * the plant's tissue schema accepts (review of issue 11, M1: the table was derived for one
 * plausible fat and a tissue the schema accepted thawed for 2.2 times as long). That tissue was
 * found by a search (scripts/thaw-bound-table.ts): every corner of the schema's bounds, then a
 * coordinate ascent from the slowest. It is the corner with no perfusion, no metabolic heat,
 * T_a 30 C, unfrozen conductivity 0.2 W/m/K, frozen 3.0, latent heat 350 MJ/m3 released between
 * -1 and 0 C, frozen heat capacity 3.0 MJ/m3/K and unfrozen 2.0 (up to 450 s of gas; past that
 * the unfrozen heat capacity's slowest value moves up its range: 3.7 at 600 s, 4.5 from 900 s).
 * Then plus THAW_BOUND_MARGIN (10 %) and rounded up to THAW_BOUND_ROUND_S. Nominal tissue thaws
 * in 11-14 % of this. tests/withdrawal-thaw-bound.test.ts recomputes every row and
 * sweeps the schema's corners and probes against the table. The thaw time grows ever more slowly
 * with the freeze (concave), so between rows the next row up is taken, never a line between two:
 * a chord under a concave curve would undershoot it.
 */
export const PASSIVE_THAW_BOUND_S: readonly (readonly [freezeS: number, waitS: number])[] = Object.freeze([
  [0, 0],
  [10, 550],
  [30, 1250],
  [60, 2070],
  [90, 2720],
  [120, 3270],
  [180, 4150],
  [240, 4850],
  [300, 5420],
  [450, 6550],
  [600, 7380],
  [900, 8590],
  [1200, 9290],
  [1500, 9630],
] as const);

const MS_PER_S = 1000;

/**
 * The passive thaw bound after `freezeMs` of gas at the site (PASSIVE_THAW_BOUND_S): the next row
 * up; past the last row, extended along the last row's slope (over the concave curve, so still a
 * bound). The site's freeze total over-counts the ice ball (earlier freezes have partly thawed),
 * which only lengthens the wait.
 */
export function passiveThawBoundMs(freezeMs: number): number {
  // The message is built only on failure: the fuzzer's invariants and the simulator ask every tick.
  if (!(Number.isFinite(freezeMs) && freezeMs >= 0)) assert(false, `passiveThawBoundMs: freezeMs ${freezeMs} must be finite and >= 0`);
  const freezeS = freezeMs / MS_PER_S;
  const rows = PASSIVE_THAW_BOUND_S;
  for (const [rowFreezeS, waitS] of rows) {
    if (freezeS <= rowFreezeS) return waitS * MS_PER_S;
  }
  const [prevS, prevWaitS] = rows[rows.length - 2] ?? [0, 0];
  const [lastS, lastWaitS] = rows[rows.length - 1] ?? [0, 0];
  const slope = (lastWaitS - prevWaitS) / (lastS - prevS);
  return (lastWaitS + slope * (freezeS - lastS)) * MS_PER_S;
}

/** The unknown-tip wait after the site's `freezeMs` of gas: the settings' floor or the passive
 * thaw bound, whichever is longer. */
export function unknownTipWaitMs(settings: Settings, freezeMs: number): number {
  return Math.max(settings.thaw.unknownTipWaitS * MS_PER_S, passiveThawBoundMs(freezeMs));
}

export type Withdrawal =
  /** The tip reading is trusted and has been warm for the dwell since gas last flowed. */
  | { readonly kind: 'safe' }
  /** The tip reading is trusted and says the tip may still be frozen (or a freeze/thaw runs). */
  | { readonly kind: 'do-not-withdraw' }
  /**
   * The tip reading is not trusted: its temperature is unknown. `waitUntilMs` is the last gas
   * flow (or, with none seen since power-up, the moment the reading became untrusted) plus
   * unknownTipWaitMs: the passive thaw bound for the site's freeze total, at least
   * thaw.unknownTipWaitS; `waitOver` once it has passed.
   * Never the same as SAFE TO WITHDRAW: the console shows the wait, not a verdict.
   */
  | { readonly kind: 'tip-unknown'; readonly reason: string; readonly waitUntilMs: number; readonly waitOver: boolean };

export function withdrawalStatus(s: ControllerState, settings: Settings, nowMs: number): Withdrawal {
  if (s.tipDistrust !== null) {
    // No gas seen since power-up does not mean the tip is warm: the console may have been
    // restarted mid-freeze (LOOP_OVERRUN asks for a restart). The wait then counts from now.
    const fromMs = s.gasLastFlowedMs ?? s.tipDistrust.sinceMs;
    // With no gas seen since power-up the site's freeze is not known either (a console restarted
    // mid-freeze whose records could not say, or after a treatment that ended stopped or faulted):
    // the wait is the bound for the most gas a site may have had, the site cap (review of issue
    // 11, H1: the floor alone said a probe could come out while it was frozen at -56 C).
    const freezeMs = s.gasLastFlowedMs === null ? Math.max(s.cumulativeFreezeMs, settings.freezeLimit.cumulativeMaxS * MS_PER_S) : s.cumulativeFreezeMs;
    const waitUntilMs = fromMs + unknownTipWaitMs(settings, freezeMs);
    return { kind: 'tip-unknown', reason: s.tipDistrust.reason, waitUntilMs, waitOver: nowMs >= waitUntilMs };
  }
  return s.safeToWithdraw ? SAFE : DO_NOT_WITHDRAW;
}

/** Shared: the simulations ask for the status every tick once a treatment has ended. */
const SAFE: Withdrawal = Object.freeze({ kind: 'safe' });
const DO_NOT_WITHDRAW: Withdrawal = Object.freeze({ kind: 'do-not-withdraw' });

/** The probe may have come out: safe to withdraw, or the unknown-tip wait is over. */
export function isWithdrawn(s: ControllerState, settings: Settings, nowMs: number): boolean {
  const w = withdrawalStatus(s, settings, nowMs);
  return w.kind === 'safe' || (w.kind === 'tip-unknown' && w.waitOver);
}

/** The one definition of "the treatment is over", for the console (quitting before it is over is
 * an interruption) and the simulations (they end there): no freeze or thaw runs and the probe may
 * have come out. */
export function treatmentOver(s: ControllerState, settings: Settings, nowMs: number): boolean {
  return !TREATING_PHASES.includes(s.phase) && isWithdrawn(s, settings, nowMs);
}

/**
 * Once a fall has been seen in the warm span (a new low, step.ts FALLING_READING_C), SAFE TO WITHDRAW also
 * waits this long after the last new low, whatever thaw.withdrawDwellMs: the falling rule's bound
 * on a lagging reading is 0.25 C x L / (the time without a new low), and counted over the dwell
 * alone (5 s) it let a reading lagging by 45 s sit 2.25 C above a tip at -1 C, past the 2 C margin:
 * in tissue that lingers just below 0 C (the schema's slowest corner, latent heat released
 * between -1 and 0 C) a freeze stopped early was declared safe with the true tip at -1.0 C, and at
 * a 30 s lag with the probe reading warm by Type T's 1.18 C
 * (tests/withdrawal-lag-slow-tissue.test.ts). Over 30 s the bound is 0.25 C x L / 30 s: 0.5 C
 * at a 60 s lag, within the 0.82 C the default 2 C margin leaves over Type T's tolerance up to
 * lags of about 98 s. The last new low is kept when the span ends (ControllerState.warmFellMs): a
 * reading falling onto the threshold is ended and restarted by its own noise, and a restarted span
 * has seen no fall (its first sample sets its low, and a fall of 0.25 C below one within 0.25 C of
 * the threshold reads cold): with the 2 s dwell a 60 s lag was declared that way, the true tip at
 * -0.7 C. A sound reading rises out of a thaw or an early stop (its fall is over
 * before the span, which starts after the last gas flow, begins), so it sets no new low and is
 * declared after the dwell as before (a 250 ms lag: full treatments and stops 1, 2.5 and 10 s
 * into a freeze, nominal and slowest tissue, 10 and 50 Hz, six noise seeds: never delayed); a
 * probe cooling in room air after it came out waits the longer time. A resumed freeze waits the
 * same (phase-logic.ts tipThawed): a reading lagging by 30 s, still falling from body temperature
 * 20 s after a stop, let the freeze start on a true tip at -4.7 C
 * (tests/refreeze-lagging-thermocouple.test.ts).
 */
export const FALLING_QUIET_MS = 30_000;

/** The warm reading set a new low (`warmFellMs`, ControllerState.warmFellMs) after gas last flowed
 * and less than FALLING_QUIET_MS ago: it is still falling onto a tip colder than it reads. */
export function fellRecently(warmFellMs: number | null, gasLastFlowedMs: number | null, nowMs: number): boolean {
  if (warmFellMs === null) return false;
  if (gasLastFlowedMs !== null && warmFellMs <= gasLastFlowedMs) return false;
  return nowMs - warmFellMs < FALLING_QUIET_MS;
}
