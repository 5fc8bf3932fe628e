// Console commands reach the controller only as operator presses at the next tick, like the
// hardware buttons (src/runtime/loop.ts consolePress, src/console/commands.ts): the step decides.
import { describe, expect, it } from 'vitest';
import { applyConsoleCommand, kioskOnlyRefusal, protocolOf } from '../src/console/commands.js';
import type { ConsoleCommand } from '../src/console/protocol.js';
import { DEFAULT_SETTINGS, PRESETS } from '../src/controller/settings.js';
import type { Settings } from '../src/controller/settings.js';
import type { ControllerEvent } from '../src/controller/types.js';
import { ControlLoop } from '../src/runtime/loop.js';
import { SIM_PROBE_CALIBRATION } from '../src/sim/runner.js';
import { capturingLogger } from './helpers/console-fixture.js';
import { RecordingHal, nominalHalReadings } from './helpers/recording-hal.js';

const PERIOD_MS = 20;

const nominal = nominalHalReadings;

function harness() {
  const log = capturingLogger();
  const changed: Settings[] = [];
  let n = 0;
  const loop = new ControlLoop({
    hal: new RecordingHal((i) => nominal(i * PERIOD_MS)),
    settings: DEFAULT_SETTINGS,
    logger: log.logger,
    startMs: 0,
    calibration: SIM_PROBE_CALIBRATION,
    onSettings: (s) => changed.push(s),
  });
  const tick = (): readonly ControllerEvent[] => loop.tick(n++ * PERIOD_MS).events;
  const send = (command: ConsoleCommand, origin: 'loopback' | 'remote' = 'loopback'): void => {
    applyConsoleCommand(loop, command, origin, origin === 'loopback' ? 'kiosk' : '10.1.2.3', log.logger);
  };
  return { loop, tick, send, log, changed };
}

const inputs = (events: readonly ControllerEvent[]): string[] => events.flatMap((e) => (e.kind === 'input' ? [e.input] : []));

describe('a console press', () => {
  it('reaches the step at the next tick, as the start button would', () => {
    const h = harness();
    h.tick();
    h.loop.consolePress('start');
    expect(h.loop.state.phase).toBe('Idle');
    expect(inputs(h.tick())).toEqual(['start']);
    expect(h.loop.state.phase).toBe('SelfTest');
  });

  it('is held for exactly one tick, then released', () => {
    const h = harness();
    h.loop.consolePress('acknowledge');
    h.tick();
    expect(h.loop.state.inputs.acknowledge).toBe(true);
    h.tick();
    expect(h.loop.state.inputs.acknowledge).toBe(false);
  });

  it('pressed again at once waits one released tick, so the step sees a second rising edge', () => {
    const h = harness();
    h.loop.consolePress('acknowledge');
    expect(inputs(h.tick())).toEqual(['acknowledge']);
    h.loop.consolePress('acknowledge');
    expect(inputs(h.tick())).toEqual([]);
    expect(inputs(h.tick())).toEqual(['acknowledge']);
  });

  it('stops a treatment from the console like the stop button', () => {
    const h = harness();
    h.send({ type: 'start', protocol: { preset: 'standard' } });
    h.tick();
    expect(h.loop.state.phase).toBe('SelfTest');
    h.send({ type: 'stop' }, 'remote');
    const events = h.tick();
    expect(events.some((e) => e.kind === 'trip' && e.id === 'OPERATOR_STOP')).toBe(true);
    expect(h.loop.state.phase).toBe('Stopped');
  });
});

describe('a console start with its protocol', () => {
  it('applies the protocol between treatments and tells the recorder and status line', () => {
    const h = harness();
    h.send({ type: 'start', protocol: { preset: 'cervical' } });
    expect(h.loop.settings.protocol).toEqual(PRESETS.cervical);
    expect(h.changed.map((s) => s.protocol)).toEqual([PRESETS.cervical]);
    expect(inputs(h.tick())).toEqual(['start']);
  });

  it('leaves the protocol alone while a treatment is under way, and the step still judges the press', () => {
    const h = harness();
    h.send({ type: 'start', protocol: { preset: 'standard' } });
    h.tick();
    expect(h.loop.state.phase).toBe('SelfTest');
    h.send({ type: 'start', protocol: { cycles: 1, freezeS: 30, thawS: 20 } });
    expect(h.loop.settings.protocol).toEqual(PRESETS.standard);
    expect(h.log.text()).toMatch(/protocol from kiosk not applied: a treatment is under way \(SelfTest\)/);
    h.tick();
    expect(h.loop.state.phase).toBe('SelfTest');
  });

  it('refuses a protocol outside the controller bounds, naming the field, and presses nothing', () => {
    const h = harness();
    h.tick();
    h.send({ type: 'start', protocol: { cycles: 2, freezeS: 5, thawS: 30 } });
    expect(h.loop.settings).toBe(DEFAULT_SETTINGS);
    expect(h.changed).toEqual([]);
    expect(h.log.text()).toMatch(/console start from kiosk refused: .*protocol\.freezeS/);
    expect(inputs(h.tick())).toEqual([]);
    expect(h.loop.state.phase).toBe('Idle');
  });

  it('refuses a protocol over the site cap (cycles x freeze above freezeLimit.cumulativeMaxS)', () => {
    const h = harness();
    h.send({ type: 'start', protocol: { cycles: 5, freezeS: 300, thawS: 30 } });
    expect(h.loop.settings).toBe(DEFAULT_SETTINGS);
    expect(h.log.text()).toMatch(/exceeds freezeLimit\.cumulativeMaxS/);
  });

  it('refuses an unknown preset, naming the known ones', () => {
    expect(protocolOf({ preset: 'turbo' })).toBe("protocol.preset: unknown preset 'turbo' (known: standard, percutaneous, cervical)");
    expect(protocolOf({ preset: 'toString' })).toMatch(/unknown preset 'toString'/);
  });

  it('refuses a start from a remote client, changing nothing', () => {
    const h = harness();
    h.send({ type: 'start', protocol: { preset: 'cervical' } }, 'remote');
    expect(h.loop.settings).toBe(DEFAULT_SETTINGS);
    expect(h.log.text()).toMatch(/console start from 10\.1\.2\.3 refused: start is accepted only from this machine's own screen/);
    expect(inputs(h.tick())).toEqual([]);
    expect(h.loop.state.phase).toBe('Idle');
  });
});

describe('an audio pause from the console', () => {
  it('from the kiosk: pressed at the next tick', () => {
    const h = harness();
    h.tick();
    h.send({ type: 'audio-pause' });
    expect(inputs(h.tick())).toEqual(['audio-pause']);
  });

  it('from another machine, even with the token: refused and logged, nothing pressed (it would silence every alarm in the room)', () => {
    const h = harness();
    h.tick();
    h.send({ type: 'audio-pause' }, 'remote');
    expect(h.log.text()).toMatch(/console audio pause from 10\.1\.2\.3 refused: audio pause is accepted only from this machine's own screen/);
    expect(inputs(h.tick())).toEqual([]);
    expect(h.loop.state.audioPause).toBeNull();
  });

  it('the worker applies the same rule: only start and audio pause are kiosk-only', () => {
    expect(kioskOnlyRefusal('audio-pause', 'remote', 'r')).toMatch(/audio pause is accepted only from this machine's own screen/);
    expect(kioskOnlyRefusal('start', 'remote', 'r')).toMatch(/start is accepted only from this machine's own screen/);
    for (const type of ['start', 'stop', 'acknowledge', 'audio-pause'] as const) expect(kioskOnlyRefusal(type, 'loopback', 'kiosk')).toBeNull();
    expect(kioskOnlyRefusal('stop', 'remote', 'r')).toBeNull();
    expect(kioskOnlyRefusal('acknowledge', 'remote', 'r')).toBeNull();
  });
});
