// The snapshot the loop publishes (src/console/snapshot.ts), built from a real controller run.
import { describe, expect, it } from 'vitest';
import { EventRing, MAX_SNAPSHOT_EVENTS, PROTOCOL_LIMITS, buildSnapshot } from '../src/console/snapshot.js';
import { alarmView } from '../src/controller/alarms.js';
import { DEFAULT_SETTINGS, withProtocol } from '../src/controller/settings.js';
import type { ControllerEvent } from '../src/controller/types.js';
import { NormalPatient, SHORT_PROTOCOL, drive, inPhase, normalUntil } from './helpers/readings.js';
import { TRIP_SCENARIOS } from './helpers/trip-scenarios.js';
import { runDefaultsOf } from '../src/runtime/loop.js';

const SETTINGS = withProtocol(DEFAULT_SETTINGS, SHORT_PROTOCOL);
const TIMING = { p50Ms: 0.1, p99Ms: 0.4, p999Ms: 2, maxMs: 3, late: 0, ticks: 500 };
const HEALTH = { rateHz: 50, lateThresholdMs: 5, sinceStart: TIMING, lastMinute: TIMING, missed: 0 };

describe('buildSnapshot', () => {
  it('shows a freeze: phase, cycle, time left, tip, pressures, open valves, DO NOT WITHDRAW', () => {
    const { at } = normalUntil(SETTINGS, inPhase('Freezing', 10_000));
    const last = at.steps.at(-1)!;
    const s = buildSnapshot({ seq: 7, nowMs: last.nowMs, board: 'sim', state: at.state, settings: SETTINGS, run: runDefaultsOf(SETTINGS), readings: last.readings, outputs: last.outputs, loop: HEALTH, events: [] });
    expect(s).toMatchObject({ seq: 7, atMs: last.nowMs, board: 'sim', phase: 'Freezing', cycle: 1, protocol: SHORT_PROTOCOL, tipFault: null, pressureFault: null, estop: false });
    expect(s.secondsLeft).toBeGreaterThan(0);
    expect(s.secondsLeft).toBeLessThanOrEqual(SHORT_PROTOCOL.freezeS - 10);
    expect(s.tipC).toBe(last.readings.tips[0]!.tipC);
    expect(s.supplyBarGauge).toBe(last.readings.supply.barGauge);
    expect(s.returnBarAbs).toBe(last.readings.returnLine?.barAbs);
    expect(s.outputs.supplyValveOpen && s.outputs.safetyValveOpen).toBe(true);
    expect(s.withdrawal).toEqual({ safe: false, text: 'DO NOT WITHDRAW' });
    expect(s.limits).toBe(PROTOCOL_LIMITS);
    expect(s.loop).toBe(HEALTH);
  });

  it('names a tip fault and shows no tip temperature then', () => {
    const patient = new NormalPatient();
    const d = drive(patient.script(() => ({ fault: 'open' })), { settings: SETTINGS, durationMs: 200 });
    const last = d.steps.at(-1)!;
    const s = buildSnapshot({ seq: 1, nowMs: last.nowMs, board: 'sim', state: d.state, settings: SETTINGS, run: runDefaultsOf(SETTINGS), readings: last.readings, outputs: last.outputs, loop: HEALTH, events: [] });
    expect(s.tipC).toBeNull();
    expect(s.tipFault).toBe("channel 0: fault bit 'open'");
  });

  it('shows no tip temperature while the controller distrusts the reading (SENSOR_STUCK), though the channel reads a plausible value', () => {
    const d = TRIP_SCENARIOS.SENSOR_STUCK.run();
    const tripAt = d.steps.findIndex((st) => st.state.tipDistrust !== null);
    expect(tripAt).toBeGreaterThan(0);
    const before = d.steps[tripAt - 1]!;
    const shown = buildSnapshot({ seq: 1, nowMs: before.nowMs, board: 'sim', state: before.state, settings: SETTINGS, run: runDefaultsOf(SETTINGS), readings: before.readings, outputs: before.outputs, loop: HEALTH, events: [] });
    expect(shown.tipC).toBe(before.readings.tips[0]!.tipC);
    const last = d.steps.at(-1)!;
    expect(last.readings.tips[0]!.fault).toBeNull();
    const s = buildSnapshot({ seq: 2, nowMs: last.nowMs, board: 'sim', state: last.state, settings: SETTINGS, run: runDefaultsOf(SETTINGS), readings: last.readings, outputs: last.outputs, loop: HEALTH, events: [] });
    expect(s.tipC).toBeNull();
    expect(s.tipFault).toBe(`reading not trusted: ${last.state.tipDistrust!.reason}`);
    expect(s.tipFault).toMatch(/SENSOR_STUCK|stuck/i);
  });

  // A board whose link has gone quiet keeps returning its last samples, stamped when they were
  // taken: the page must not show them as live (issue 9: "never shows stale values as live").
  const frozenLink = () => {
    const { at } = normalUntil(SETTINGS, inPhase('Freezing', 10_000));
    const last = at.steps.at(-1)!;
    return (nowMs: number) => buildSnapshot({ seq: 2, nowMs, board: 'uno', state: at.state, settings: SETTINGS, run: runDefaultsOf(SETTINGS), readings: last.readings, outputs: last.outputs, loop: HEALTH, events: [] });
  };

  it('shows no tip temperature once its sample is older than tip.staleMs, and names why', () => {
    const { at } = normalUntil(SETTINGS, inPhase('Freezing', 10_000));
    const tip = at.steps.at(-1)!.readings.tips[0]!;
    const snapshotAt = frozenLink();
    expect(snapshotAt(tip.atMs + SETTINGS.tip.staleMs).tipC).toBe(tip.tipC);
    const s = snapshotAt(tip.atMs + SETTINGS.tip.staleMs + 1);
    expect(s.tipC).toBeNull();
    expect(s.tipFault).toBe(`tip channel 0 sample is ${SETTINGS.tip.staleMs + 1} ms old (limit ${SETTINGS.tip.staleMs} ms)`);
  });

  it('shows no supply or return pressure once their samples are older than tip.staleMs, and names why', () => {
    const { at } = normalUntil(SETTINGS, inPhase('Freezing', 10_000));
    const readings = at.steps.at(-1)!.readings;
    const snapshotAt = frozenLink();
    const live = snapshotAt(readings.supply.atMs + SETTINGS.tip.staleMs);
    expect(live.supplyBarGauge).toBe(readings.supply.barGauge);
    expect(live.pressureFault).toBeNull();
    const s = snapshotAt(readings.supply.atMs + SETTINGS.tip.staleMs + 5_000);
    expect(s.supplyBarGauge).toBeNull();
    expect(s.returnBarAbs).toBeNull();
    expect(s.pressureFault).toMatch(/^supply pressure sample is \d+ ms old \(limit \d+ ms\)$/);
  });

  it('lists an alarm with its priority, hint and trigger, unacknowledged', () => {
    const { at, patient } = normalUntil(SETTINGS, inPhase('Freezing', 10_000));
    const d = drive(patient.script(() => ({ operator: { estop: true } })), { settings: SETTINGS, state: at.state, durationMs: 100 });
    const view = alarmView(d.state, SETTINGS, d.lastMs);
    expect(view.conditions.map((c) => [c.id, c.priority, c.active, c.acknowledged, c.detail])).toEqual([['EMERGENCY_STOP', 'medium', true, false, 'emergency stop pressed']]);
    expect(view.conditions[0]?.hint).toMatch(/Emergency stop pressed/);
    expect(view.audioPausedMs).toBeNull();
    expect(view.conditions[0]).toMatchObject({ latched: false, visual: 'on', audible: 'on' });
  });
});

describe('EventRing', () => {
  const input = (atMs: number): ControllerEvent => ({ kind: 'input', atMs, input: 'start' });

  it('keeps the last MAX_SNAPSHOT_EVENTS events, newest last', () => {
    const ring = new EventRing();
    for (let i = 0; i < MAX_SNAPSHOT_EVENTS + 5; i++) ring.push(input(i));
    const list = ring.list();
    expect(list).toHaveLength(MAX_SNAPSHOT_EVENTS);
    expect(list[0]?.atMs).toBe(5);
    expect(list.at(-1)).toEqual({ atMs: MAX_SNAPSHOT_EVENTS + 4, text: 'operator: start', kind: 'input' });
  });

  it('lists fewer when fewer happened', () => {
    const ring = new EventRing();
    ring.push({ kind: 'refused', atMs: 3, input: 'start', reason: 'stop is held' });
    expect(ring.list()).toEqual([{ atMs: 3, text: 'start refused: stop is held', kind: 'refused' }]);
  });
});
