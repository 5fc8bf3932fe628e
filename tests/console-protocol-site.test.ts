// A console start carries a protocol, which the loop applies outside the step (issue 9 review).
// The step closes a site once all of its protocol's cycles have begun there ("withdraw the probe
// and choose new site first"), counting against the protocol in force: a console start with more
// cycles must not re-open that site without the new-site press that says the probe has moved. A
// protocol change is accepted only while no cycle has begun at the site; the protocol in force
// may always be sent again (the page sends one with every start). On the simulated board.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../kernel/clock.js';
import { SimHal } from '../hil/sim/index.js';
import { applyConsoleCommand } from '../src/console/commands.js';
import { DEFAULT_SETTINGS, withProtocol } from '../src/controller/settings.js';
import type { Protocol } from '../src/controller/settings.js';
import type { ControllerEvent } from '../src/controller/types.js';
import { isWithdrawn } from '../src/controller/withdrawal.js';
import { ControlLoop } from '../src/runtime/loop.js';
import { SIM_PROBE_CALIBRATION } from '../src/sim/runner.js';
import { capturingLogger } from './helpers/console-fixture.js';

const ONE_CYCLE: Protocol = { cycles: 1, freezeS: 20, thawS: 20 };
const THREE_CYCLES: Protocol = { cycles: 3, freezeS: 20, thawS: 20 };
const SETTINGS = withProtocol(DEFAULT_SETTINGS, ONE_CYCLE);
const PERIOD_MS = 1000 / SETTINGS.loop.rateHz;
/** Longer than a self-test and its wait for the tip: a start that is taken freezes within it. */
const START_WINDOW_MS = 120_000;

function simLoop() {
  const clock = new VirtualClock(0);
  const hal = new SimHal({ clock, seed: 5 });
  const log = capturingLogger();
  const loop = new ControlLoop({ hal, settings: SETTINGS, logger: log.logger, startMs: 0, calibration: SIM_PROBE_CALIBRATION });
  const events: ControllerEvent[] = [];
  const tick = (): void => {
    clock.advanceMs(PERIOD_MS);
    events.push(...loop.tick(clock.nowMs()).events);
  };
  const runUntil = (done: () => boolean, maxMs: number): boolean => {
    const endMs = clock.nowMs() + maxMs;
    while (!done()) {
      if (clock.nowMs() > endMs) return false;
      tick();
    }
    return true;
  };
  const kiosk = (protocol: Protocol): void => {
    applyConsoleCommand(loop, { type: 'start', protocol }, 'loopback', 'kiosk', log.logger);
  };
  const completeOneCycle = (): void => {
    kiosk(ONE_CYCLE);
    expect(runUntil(() => loop.state.phase === 'Complete', 300_000)).toBe(true);
  };
  return { hal, loop, events, tick, runUntil, kiosk, completeOneCycle, log: log.text, nowMs: () => clock.nowMs() };
}

describe('a console start at a site whose cycles have begun', () => {
  it('with more cycles than the protocol that closed the site: refused, naming why, nothing pressed, no freeze', () => {
    const s = simLoop();
    s.completeOneCycle();
    s.kiosk(THREE_CYCLES);
    expect(s.loop.settings.protocol).toEqual(ONE_CYCLE);
    expect(s.log()).toMatch(/console start from kiosk refused: 1 of 1 cycles \(1 x 20 s freeze \/ 20 s thaw\) have begun at this site: the protocol can change only at a new site/);
    const inputsBefore = s.events.filter((e) => e.kind === 'input').length;
    expect(s.runUntil(() => s.loop.state.phase === 'Freezing', START_WINDOW_MS)).toBe(false);
    expect(s.events.filter((e) => e.kind === 'input')).toHaveLength(inputsBefore);
    expect(s.loop.state.phase).toBe('Complete');
  });

  it('with the protocol in force: pressed, and the step refuses it as it refuses the start button', () => {
    const s = simLoop();
    s.completeOneCycle();
    s.kiosk(ONE_CYCLE);
    s.tick();
    expect(s.events.some((e) => e.kind === 'refused' && e.input === 'start' && /all 1 cycles have been given at this site/.test(e.reason))).toBe(true);
    expect(s.runUntil(() => s.loop.state.phase === 'Freezing', START_WINDOW_MS)).toBe(false);
  });

  it('after the new-site press: the new protocol is taken and freezes', () => {
    const s = simLoop();
    s.completeOneCycle();
    // The probe is withdrawn once the tip is safe; the operator presses new site.
    expect(s.runUntil(() => isWithdrawn(s.loop.state, SETTINGS, s.nowMs()), 300_000)).toBe(true);
    s.hal.press('newSite');
    expect(s.runUntil(() => s.loop.state.cyclesBegun === 0, 60_000)).toBe(true);
    s.kiosk(THREE_CYCLES);
    expect(s.loop.settings.protocol).toEqual(THREE_CYCLES);
    expect(s.runUntil(() => s.loop.state.phase === 'Freezing', START_WINDOW_MS)).toBe(true);
  });
});
