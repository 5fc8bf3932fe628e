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
