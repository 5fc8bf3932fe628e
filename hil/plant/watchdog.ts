// The external hardware watchdog in the valve power path (domain section 7: the last line of
// defence must not depend on Node's timing).

import { WATCHDOG_TIMEOUT_MS } from './params.js';

/**
 * Retriggerable: any level change of the heartbeat input re-arms it; valve power is on while the
 * last change is at most WATCHDOG_TIMEOUT_MS old and is cut once it is older. Power returns at the
 * next change (the controller proves it is alive again; the controller, not the watchdog, decides
 * whether to reopen the valves). At power-up it holds power off until the first change, so a
 * controller that never starts never gets valve power.
 */
export class ExternalWatchdog {
  #level = false;
  #lastChangeMs: number | null = null;

  /** Feed the heartbeat level seen at `nowMs`; only a change of level counts. */
  heartbeat(level: boolean, nowMs: number): void {
    if (level === this.#level) return;
    this.#level = level;
    this.#lastChangeMs = nowMs;
  }

  /** True while the watchdog lets valve power through. */
  powerOk(nowMs: number): boolean {
    return this.#lastChangeMs !== null && nowMs - this.#lastChangeMs <= WATCHDOG_TIMEOUT_MS;
  }
}
