// CONSOLE_LOST (issue 9): the console side's liveness reaches the pure step as a reading; a
// console page that stops answering for longer than console.lostMs stops the freeze.
import { describe, expect, it } from 'vitest';
import type { ConsoleWatch } from '../src/controller/probe-calibration.js';
import { DEFAULT_SETTINGS, SettingsError, parseSettings, withProtocol } from '../src/controller/settings.js';
import type { ReadingOverrides } from './helpers/readings.js';
import { NormalPatient, SHORT_PROTOCOL, anyValveOpen, drive, expectTrip, gasPathOpen, inPhase, normalUntil, trips } from './helpers/readings.js';

/** Two cycles: after a stop, a new start resumes at the next cycle. */
const SETTINGS = withProtocol(DEFAULT_SETTINGS, { ...SHORT_PROTOCOL, cycles: 2 });
const LOST_MS = SETTINGS.console.lostMs;
/** A console that acknowledges every snapshot (one per 100 ms). */
const answering = (nowMs: number): ConsoleWatch => ({ watched: true, lastHeardMs: Math.floor(nowMs / 100) * 100 });

/** From 10 s into the first freeze (with an answering console), apply `o` on every step. */
function fromMidFreeze(o: (nowMs: number, t0Ms: number) => ReadingOverrides, durationMs = LOST_MS + 1_000, patient = new NormalPatient()) {
  const { at } = normalUntil(SETTINGS, inPhase('Freezing', 10_000), patient);
  expect(gasPathOpen(at.state.outputs)).toBe(true);
  const t0 = at.lastMs + 20;
  return { t0, patient, d: drive(patient.script((nowMs) => o(nowMs, t0)), { settings: SETTINGS, state: at.state, durationMs }) };
}

describe('CONSOLE_LOST', () => {
  it('stops the freeze in the first step the console has been silent longer than console.lostMs', () => {
    const { t0, d } = fromMidFreeze((_now, t0Ms) => ({ console: { watched: true, lastHeardMs: t0Ms } }));
    const rec = expectTrip(d, 'CONSOLE_LOST', 'Stopped');
    // Silent exactly lostMs is not yet lost; the next 20 ms step is.
    expect(rec.nowMs).toBe(t0 + LOST_MS + 20);
    expect(rec.events.find((e) => e.kind === 'trip')).toMatchObject({ latched: false, priority: 'medium' });
    expect(trips(d.events).map((t) => t.id)).toEqual(['CONSOLE_LOST']);
  });

  it('trips when the console side never answered since it was started', () => {
    const { d } = fromMidFreeze(() => ({ console: { watched: true, lastHeardMs: null } }), 200);
    expect(expectTrip(d, 'CONSOLE_LOST', 'Stopped').events.find((e) => e.kind === 'trip')).toMatchObject({ detail: 'console side never answered' });
  });

  it('does not trip on a whole treatment with an answering console', () => {
    const patient = new NormalPatient();
    const d = drive(patient.script((now) => ({ console: answering(now) })), { settings: SETTINGS, until: inPhase('Complete') });
    expect(d.state.phase).toBe('Complete');
    expect(trips(d.events)).toEqual([]);
  });

  it('never trips without a console page, however long since it was heard', () => {
    const { d } = fromMidFreeze(() => ({ console: { watched: false, lastHeardMs: 0 } }), 3 * LOST_MS);
    expect(trips(d.events)).toEqual([]);
    expect(d.state.phase).toBe('Freezing');
  });

  it('clears once the console answers again, and a new start then freezes', () => {
    const patient = new NormalPatient();
    const { t0, d } = fromMidFreeze((now, t0Ms) => ({ console: now < t0Ms + LOST_MS + 500 ? { watched: true, lastHeardMs: t0Ms } : answering(now) }), LOST_MS + 1_000, patient);
    expect(d.state.phase).toBe('Stopped');
    expect(d.events).toContainEqual({ kind: 'cleared', atMs: t0 + LOST_MS + 500, id: 'CONSOLE_LOST' });
    const startMs = d.lastMs + 20;
    const again = drive(patient.script((now) => ({ console: answering(now), operator: { start: now === startMs } })), {
      settings: SETTINGS,
      state: d.state,
      until: inPhase('Freezing', 1_000),
      durationMs: 120_000,
    });
    expect(again.events.filter((e) => e.kind === 'refused')).toEqual([]);
    expect(again.state.phase).toBe('Freezing');
    expect(trips(again.events)).toEqual([]);
  });

  it('blocks a start while the console is lost: no valve opens', () => {
    const patient = new NormalPatient({ startAtMs: 5_000 });
    const d = drive(patient.script(() => ({ console: { watched: true, lastHeardMs: 0 } })), { settings: SETTINGS, durationMs: 8_000 });
    expect(trips(d.events).map((t) => t.id)).toEqual(['CONSOLE_LOST']);
    expect(d.steps.filter((r) => anyValveOpen(r.outputs))).toEqual([]);
  });

  it('leaves the emergency stop working while the console is lost', () => {
    const { t0, d } = fromMidFreeze((now, t0Ms) => ({
      console: { watched: true, lastHeardMs: t0Ms },
      operator: { estop: now >= t0Ms + LOST_MS + 200 },
    }));
    expectTrip(d, 'CONSOLE_LOST', 'Stopped');
    const estop = trips(d.events).find((t) => t.id === 'EMERGENCY_STOP');
    expect(estop?.atMs).toBe(t0 + LOST_MS + 200);
    expect(d.state.phase).toBe('Fault');
  });

  it('leaves the hardware stop working while the console is silent', () => {
    const { t0, d } = fromMidFreeze((now, t0Ms) => ({ console: { watched: true, lastHeardMs: t0Ms }, operator: { stop: now === t0Ms + 500 } }));
    expect(trips(d.events).map((t) => [t.id, t.atMs])).toEqual([['OPERATOR_STOP', t0 + 500]]);
    expect(d.steps.find((r) => r.nowMs === t0 + 500)?.outputs.supplyValveOpen).toBe(false);
  });
});

describe('console.lostMs', () => {
  it('defaults to 2 s', () => {
    expect(DEFAULT_SETTINGS.console.lostMs).toBe(2_000);
  });

  it.each([[499], [10_001]])('refuses %d ms, naming the field', (lostMs) => {
    expect(() => parseSettings({ console: { lostMs } })).toThrow(SettingsError);
    expect(() => parseSettings({ console: { lostMs } })).toThrow(/console\.lostMs/);
  });

  it('refuses a debounce for CONSOLE_LOST', () => {
    expect(() => parseSettings({ debounceMs: { CONSOLE_LOST: 100 } })).toThrow(/CONSOLE_LOST cannot be debounced/);
  });
});
