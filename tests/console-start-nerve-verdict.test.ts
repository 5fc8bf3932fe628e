// A target nerve chosen with a start on the console page judges that treatment's freezes (review
// of issue 11, M2): the verdict, the console snapshot's target and so the records' r20_target_mm
// use that nerve's target radius (iceBall.targetRadiusByNerveMm), not the run's (--target) nor the
// protocol's. A start with no target, or one from the hardware button, is judged for the run's
// nerve. An unknown nerve is refused, naming the field and value, and starts nothing. The real
// control loop against the sim plant (or a board of nominal readings where no freeze is needed),
// in virtual time.
import { describe, expect, it } from 'vitest';
import type { Readings } from '../hal/contract.js';
import { SimHal } from '../hil/sim/sim-hal.js';
import { VirtualClock } from '../kernel/clock.js';
import { applyConsoleCommand } from '../src/console/commands.js';
import type { ConsoleCommand } from '../src/console/protocol.js';
import { buildSnapshot } from '../src/console/snapshot.js';
import type { FreezeVerdict } from '../src/controller/ice-ball.js';
import { parseSettings, withNerve } from '../src/controller/settings.js';
import type { Settings } from '../src/controller/settings.js';
import { ControlLoop } from '../src/runtime/loop.js';
import { SIM_PROBE_CALIBRATION } from '../src/sim/runner.js';
import { capturingLogger } from './helpers/console-fixture.js';
import { RecordingHal, nominalHalReadings } from './helpers/recording-hal.js';

const PERIOD_MS = 20;
const PROTOCOL = { cycles: 1, freezeS: 30, thawS: 10 } as const;
/** The protocol's target, and the sural nerve's own (both within the 1-5.6 mm bounds). */
const PROTOCOL_TARGET_MM = 2;
const SURAL_TARGET_MM = 3.5;
const SETTINGS = parseSettings({ protocol: PROTOCOL, iceBall: { targetRadiusMm: PROTOCOL_TARGET_MM, targetRadiusByNerveMm: { sural: SURAL_TARGET_MM } } });
const TIMING = { p50Ms: 0.1, p99Ms: 0.4, p999Ms: 2, maxMs: 3, late: 0, ticks: 500 };
const HEALTH = { rateHz: 50, lateThresholdMs: 5, sinceStart: TIMING, lastMinute: TIMING, missed: 0 };

const startOn = (nerveId: string | null): ConsoleCommand =>
  nerveId === null ? { type: 'start', protocol: { ...PROTOCOL } } : { type: 'start', protocol: { ...PROTOCOL }, target: { nerveId, side: 'left' } };

/** The loop on the sim plant with the run's `settings`; the page's start sent before the first tick. */
function freezeFromPage(settings: Settings, command: ConsoleCommand) {
  const clock = new VirtualClock(0);
  const hal = new SimHal({ clock, seed: 5, plant: {}, faults: [] });
  const log = capturingLogger();
  const seen: { verdict: FreezeVerdict | null; snapshotTargetMm: number | null; readings: Readings | null } = { verdict: null, snapshotTargetMm: null, readings: null };
  const loop = new ControlLoop({
    hal,
    settings,
    logger: log.logger,
    startMs: 0,
    calibration: SIM_PROBE_CALIBRATION,
    onStep: (_nowMs, readings, r) => {
      seen.readings = readings;
      for (const e of r.events) if (e.kind === 'freeze-verdict') seen.verdict = e.verdict;
    },
  });
  const snapshotTargetMm = (nowMs: number): number | null =>
    buildSnapshot({ seq: 1, nowMs, board: 'sim', state: loop.state, settings: loop.settings, run: loop.runDefaults, readings: seen.readings, outputs: loop.lastOutputs, loop: HEALTH, events: [] }).iceBall.targetMm;
  const before = snapshotTargetMm(0);
  applyConsoleCommand(loop, command, 'loopback', 'kiosk', log.logger);
  for (let t = 0; seen.verdict === null && t <= 60_000; t += PERIOD_MS) {
    clock.setMs(t);
    loop.tick(t);
    if (loop.state.phase === 'Freezing') seen.snapshotTargetMm ??= snapshotTargetMm(t);
  }
  return { before, during: seen.snapshotTargetMm, verdict: seen.verdict, loop, log: log.text() };
}

describe('a start from the console page with a target nerve', () => {
  it("judges the treatment's freeze against that nerve's target, and the snapshot shows it", () => {
    const r = freezeFromPage(SETTINGS, startOn('sural'));
    expect(r.before).toBe(PROTOCOL_TARGET_MM);
    expect(r.verdict?.targetMm).toBe(SURAL_TARGET_MM);
    expect(r.during).toBe(SURAL_TARGET_MM);
    expect(r.loop.settings.iceBall.nerveId).toBe('sural');
    expect(r.log).toMatch(/judged against r\(-20 C\) 3\.5 mm \(sural\)/);
  });

  it("overrides the run's --target nerve: a nerve with no override is judged against the protocol's target", () => {
    const r = freezeFromPage(withNerve(SETTINGS, 'sural'), startOn('saphenous'));
    expect(r.before).toBe(SURAL_TARGET_MM);
    expect(r.verdict?.targetMm).toBe(PROTOCOL_TARGET_MM);
    expect(r.during).toBe(PROTOCOL_TARGET_MM);
  });

  it("without a target is judged for the run's nerve (--target)", () => {
    const r = freezeFromPage(withNerve(SETTINGS, 'sural'), startOn(null));
    expect(r.verdict?.targetMm).toBe(SURAL_TARGET_MM);
    expect(r.during).toBe(SURAL_TARGET_MM);
  });
});

/** The loop on a board of nominal readings (no freeze needed): `stopHeld` holds the hardware stop. */
function nominalLoop(settings: Settings) {
  const board = { stopHeld: false, startPressed: false };
  const log = capturingLogger();
  const loop = new ControlLoop({
    hal: new RecordingHal((i) => {
      const r = nominalHalReadings(i * PERIOD_MS);
      return { ...r, operator: { ...r.operator, stop: board.stopHeld, start: board.startPressed } };
    }),
    settings,
    logger: log.logger,
    startMs: 0,
    calibration: SIM_PROBE_CALIBRATION,
  });
  let n = 0;
  const tick = (): void => {
    loop.tick(n++ * PERIOD_MS);
  };
  const send = (command: ConsoleCommand): void => {
    applyConsoleCommand(loop, command, 'loopback', 'kiosk', log.logger);
  };
  return { loop, board, tick, send, log };
}

describe('the nerve of a page start', () => {
  it('is refused when not in the catalog, naming the field and the value: nothing starts and the settings stay', () => {
    const h = nominalLoop(SETTINGS);
    h.send(startOn('sciatic'));
    for (let i = 0; i < 5; i++) h.tick();
    expect(h.loop.state.phase).toBe('Idle');
    expect(h.loop.settings).toBe(SETTINGS);
    expect(h.log.text()).toMatch(/console start from kiosk refused: target\.nerveId: unknown nerve \\"sciatic\\" \(not in the catalog\)/);
    expect(h.loop.nerveRefusal('sciatic')).toBe('target.nerveId: unknown nerve "sciatic" (not in the catalog)');
    expect(h.loop.nerveRefusal('sural')).toBeNull();
  });

  it('is not applied to a start under way, and the settings do not change within a treatment', () => {
    const h = nominalLoop(SETTINGS);
    h.send(startOn(null));
    h.tick();
    expect(h.loop.state.phase).toBe('SelfTest');
    const during = h.loop.settings;
    h.send(startOn('sural'));
    for (let i = 0; i < 5; i++) h.tick();
    expect(h.loop.settings).toBe(during);
    expect(h.loop.settings.iceBall.nerveId).toBeNull();
  });

  it("is dropped when the step refuses the start: the hardware button's next start is judged for the run's nerve", () => {
    const h = nominalLoop(withNerve(SETTINGS, 'saphenous'));
    h.board.stopHeld = true;
    h.send(startOn('sural'));
    h.tick();
    expect(h.loop.state.phase).toBe('Idle');
    h.board.stopHeld = false;
    h.tick();
    h.board.startPressed = true;
    h.tick();
    expect(h.loop.state.phase).toBe('SelfTest');
    expect(h.loop.settings.iceBall.nerveId).toBe('saphenous');
  });

  it('refuses an unchecked nerve handed to the loop directly (a bug), changing nothing', () => {
    const h = nominalLoop(SETTINGS);
    expect(() => {
      h.loop.useNerve('sciatic');
    }).toThrow(/sciatic/);
    h.loop.consolePress('start');
    h.tick();
    expect(h.loop.settings.iceBall.nerveId).toBeNull();
  });
});
