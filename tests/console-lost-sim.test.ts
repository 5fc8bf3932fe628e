// The console side killed or stalled mid-freeze, on the simulated board in virtual time (issue 9):
// the loop goes on ticking, the freeze stops (valves closed, gas no longer flowing in the plant),
// CONSOLE_LOST is raised, the worker is restarted, and once it answers a new start freezes again.
// The hardware e-stop acts while the console is down. The console worker is a stand-in
// (tests/helpers/console-fixture.ts); the loop, the link and the sim board are the real ones.
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../kernel/clock.js';
import { ManualTimers } from '../kernel/timers.js';
import { SimHal } from '../hil/sim/index.js';
import { applyConsoleCommand } from '../src/console/commands.js';
import { ConsoleLink, RESTART_BACKOFF_MIN_MS } from '../src/console/link.js';
import { DEFAULT_SETTINGS, withProtocol } from '../src/controller/settings.js';
import type { ControllerEvent } from '../src/controller/types.js';
import { ControlLoop } from '../src/runtime/loop.js';
import { SIM_PROBE_CALIBRATION } from '../src/sim/runner.js';
import { FIXTURE_WORKER_URL, MODE, SLOT, capturingLogger, fixtureControl, snapshotOf, until } from './helpers/console-fixture.js';

const SETTINGS = withProtocol(DEFAULT_SETTINGS, { cycles: 2, freezeS: 30, thawS: 20 });
const PERIOD_MS = 1000 / SETTINGS.loop.rateHz;
/** Publish every fifth tick: SNAPSHOT_PERIOD_MS at 50 Hz. */
const TICKS_PER_SNAPSHOT = 5;
const LOST_MS = SETTINGS.console.lostMs;

const links: ConsoleLink[] = [];
afterEach(async () => {
  await Promise.all(links.splice(0).map((l) => l.stop()));
});

function simConsole(mode: number) {
  const fixture = fixtureControl(mode);
  const clock = new VirtualClock(0);
  const timers = new ManualTimers(clock);
  const hal = new SimHal({ clock, seed: 11 });
  const { logger, text } = capturingLogger();
  const link = new ConsoleLink({ workerUrl: FIXTURE_WORKER_URL, workerData: fixture.workerData, clock, timers, lostMs: LOST_MS, logger });
  links.push(link);
  const loop = new ControlLoop({ hal, settings: SETTINGS, logger, startMs: 0, calibration: SIM_PROBE_CALIBRATION, consoleWatch: (nowMs) => link.watch(nowMs) });
  link.start();
  const events: ControllerEvent[] = [];
  let ticks = 0;
  let seq = 0;
  /** One scheduler period: commands first, then the tick, then (every fifth) a snapshot. With
   * `waitForAck`, real time waits for the worker's ack before virtual time moves on. */
  const tick = async (waitForAck: boolean): Promise<void> => {
    timers.advanceMs(PERIOD_MS);
    link.drainCommands((command, origin, client) => { applyConsoleCommand(loop, command, origin, client, logger); });
    events.push(...loop.tick(clock.nowMs()).events);
    ticks += 1;
    if (ticks % TICKS_PER_SNAPSHOT !== 0) return;
    link.publish(snapshotOf(++seq, clock.nowMs(), loop.state, loop.settings));
    if (waitForAck) await until(() => !link.inFlight, `the ack of snapshot ${seq}`);
    else await new Promise((resolve) => setImmediate(resolve));
  };
  const runUntil = async (done: () => boolean, maxMs: number, waitForAck = true): Promise<void> => {
    const endMs = clock.nowMs() + maxMs;
    while (!done()) {
      if (clock.nowMs() > endMs) throw new Error(`not reached within ${maxMs} ms (phase ${loop.state.phase}); log:\n${text()}`);
      await tick(waitForAck);
    }
  };
  /** The console page presses start (from the kiosk). */
  const startFromConsole = (): void => {
    applyConsoleCommand(loop, { type: 'start', protocol: { preset: 'standard' } }, 'loopback', 'kiosk', logger);
  };
  /** The backoff passes in virtual time, then real time waits for the new worker to boot. */
  const restart = async (): Promise<void> => {
    const spawnAtMs = clock.nowMs() + RESTART_BACKOFF_MIN_MS;
    await runUntil(() => clock.nowMs() >= spawnAtMs, RESTART_BACKOFF_MIN_MS + PERIOD_MS, false);
    await until(() => fixture.get(SLOT.generations) === 2, 'the restarted worker');
  };
  const freezingFor = (ms: number) => () => loop.state.phase === 'Freezing' && clock.nowMs() - loop.state.phaseSinceMs >= ms;
  return { fixture, clock, hal, link, loop, events, tick, runUntil, restart, startFromConsole, freezingFor, ticks: () => ticks, log: text };
}

const trips = (events: readonly ControllerEvent[]) => events.flatMap((e) => (e.kind === 'trip' ? [e.id] : []));

describe('the console side lost mid-freeze', () => {
  it('stalled in a busy loop: the freeze stops after console.lostMs, the loop ticks on, the worker restarts, a new start freezes', async () => {
    const c = simConsole(MODE.ack);
    c.startFromConsole();
    await c.runUntil(c.freezingFor(5_000), 20_000);
    expect(c.hal.plantState.flowing).toBe(true);
    // The worker stalls on its next snapshot.
    c.fixture.setMode(MODE.stall);
    const received = c.fixture.get(SLOT.received);
    const ticksBefore = c.ticks();
    // Virtual time runs until the next snapshot is posted, then stands still while real time waits
    // for the worker to take it: a loaded machine delays the worker, not the virtual clock.
    await c.runUntil(() => c.link.inFlight, 1_000, false);
    await until(() => c.fixture.get(SLOT.received) > received, 'the stalled worker taking its snapshot');
    // Silence counts from the worker's last ack (a snapshot period before the stalled one was
    // posted), not from that post: the trip comes at the first tick past console.lostMs from it.
    const lastAckMs = c.link.lastHeardMs ?? Number.NaN;
    await c.runUntil(() => c.loop.state.interlocks.CONSOLE_LOST.tripped, LOST_MS + 500, false);
    expect(c.clock.nowMs() - lastAckMs).toBeGreaterThan(LOST_MS);
    expect(c.clock.nowMs() - lastAckMs).toBeLessThanOrEqual(LOST_MS + PERIOD_MS);
    expect(trips(c.events)).toEqual(['CONSOLE_LOST']);
    expect(c.loop.state.phase).toBe('Stopped');
    expect(c.loop.lastOutputs.supplyValveOpen || c.loop.lastOutputs.safetyValveOpen).toBe(false);
    // The loop ticks on while the console is away; the gas stops in the plant.
    await c.runUntil(() => !c.hal.plantState.flowing, 1_000, false);
    expect(c.ticks() - ticksBefore).toBeGreaterThan(LOST_MS / PERIOD_MS);
    // The worker is restarted after the backoff and answers: the interlock clears.
    await c.restart();
    await c.runUntil(() => !c.loop.state.interlocks.CONSOLE_LOST.conditionNow, 1_000);
    expect(c.events.some((e) => e.kind === 'cleared' && e.id === 'CONSOLE_LOST')).toBe(true);
    // A new start from the console freezes again (the site's next cycle).
    c.startFromConsole();
    await c.runUntil(c.freezingFor(1_000), 120_000);
    expect(c.loop.state.cycle).toBe(2);
    expect(trips(c.events)).toEqual(['CONSOLE_LOST']);
  });

  it('killed: CONSOLE_LOST at the next tick, the e-stop still acts, and after the restart a new start freezes', async () => {
    const c = simConsole(MODE.ack);
    c.startFromConsole();
    await c.runUntil(c.freezingFor(5_000), 20_000);
    c.fixture.setMode(MODE.exit);
    c.link.publish(snapshotOf(10_000, c.clock.nowMs(), c.loop.state, c.loop.settings));
    // Virtual time stands still until the exit is seen: the loss does not wait for console.lostMs.
    await until(() => c.link.lost, 'the worker exit');
    await c.tick(false);
    expect(trips(c.events)).toEqual(['CONSOLE_LOST']);
    expect(c.loop.lastOutputs.supplyValveOpen || c.loop.lastOutputs.safetyValveOpen).toBe(false);
    // The hardware emergency stop is read from the board, not through the console.
    c.hal.setEstop(true);
    await c.tick(false);
    expect(trips(c.events)).toEqual(['CONSOLE_LOST', 'EMERGENCY_STOP']);
    expect(c.loop.state.phase).toBe('Fault');
    c.hal.setEstop(false);
    await c.restart();
    await c.runUntil(() => !c.link.lost, 1_000);
    c.hal.press('acknowledge');
    await c.runUntil(() => c.loop.state.phase === 'Idle', 1_000);
    c.startFromConsole();
    await c.runUntil(c.freezingFor(1_000), 120_000);
    expect(c.loop.state.cycle).toBe(2);
  });
});
