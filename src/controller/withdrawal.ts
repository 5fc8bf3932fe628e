// What the console tells the operator about pulling the probe out. A frozen probe must never be
// pulled (it tears tissue: domain section 4), and a reading the controller no longer trusts must
// never declare it safe (H1 of the review: SAFE TO WITHDRAW from a sensor just found stuck while
// the true tip was at -28 C). Pure; step.ts keeps the facts in the state, this reads them.
import type { Settings } from './settings.js';
import type { ControllerState } from './state.js';
import { TREATING_PHASES } from './types.js';

export type Withdrawal =
  /** The tip reading is trusted and has been warm for the dwell since gas last flowed. */
  | { readonly kind: 'safe' }
  /** The tip reading is trusted and says the tip may still be frozen (or a freeze/thaw runs). */
  | { readonly kind: 'do-not-withdraw' }
  /**
   * The tip reading is not trusted: its temperature is unknown. `waitUntilMs` is the last gas
   * flow (or, with none seen since power-up, the moment the reading became untrusted) plus
   * thaw.unknownTipWaitS (the conservative passive thaw); `waitOver` once it has passed.
   * Never the same as SAFE TO WITHDRAW: the console shows the wait, not a verdict.
   */
  | { readonly kind: 'tip-unknown'; readonly reason: string; readonly waitUntilMs: number; readonly waitOver: boolean };

export function withdrawalStatus(s: ControllerState, settings: Settings, nowMs: number): Withdrawal {
  if (s.tipDistrust !== null) {
    // No gas seen since power-up does not mean the tip is warm: the console may have been
    // restarted mid-freeze (LOOP_OVERRUN asks for a restart). The wait then counts from now.
    const fromMs = s.gasLastFlowedMs ?? s.tipDistrust.sinceMs;
    const waitUntilMs = fromMs + settings.thaw.unknownTipWaitS * 1000;
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
