// RECORDS_UNAVAILABLE (issue 10): the treatment records' health reaches the pure step as a
// reading; a store that cannot be written, or a records side silent for longer than
// records.lostMs, stops the freeze and blocks a new start until records work again.
import { describe, expect, it } from 'vitest';
import type { RecordsWatch } from '../src/controller/probe-calibration.js';
import { DEFAULT_SETTINGS, SettingsError, parseSettings, withProtocol } from '../src/controller/settings.js';
import type { ReadingOverrides } from './helpers/readings.js';
import { NormalPatient, SHORT_PROTOCOL, anyValveOpen, drive, expectTrip, gasPathOpen, inPhase, normalUntil, trips } from './helpers/readings.js';

const SETTINGS = withProtocol(DEFAULT_SETTINGS, { ...SHORT_PROTOCOL, cycles: 2 });
const LOST_MS = SETTINGS.records.lostMs;
/** A records side that acknowledges a batch every 250 ms. */
const writing = (nowMs: number): RecordsWatch => ({ watched: true, failure: null, lastHeardMs: Math.floor(nowMs / 250) * 250 });
const FULL = 'records store full: database or disk is full';

function fromMidFreeze(o: (nowMs: number, t0Ms: number) => ReadingOverrides, durationMs = LOST_MS + 1_000, patient = new NormalPatient()) {
  const { at } = normalUntil(SETTINGS, inPhase('Freezing', 10_000), patient);
  expect(gasPathOpen(at.state.outputs)).toBe(true);
  const t0 = at.lastMs + 20;
  return { t0, patient, d: drive(patient.script((nowMs) => o(nowMs, t0)), { settings: SETTINGS, state: at.state, durationMs }) };
}

describe('RECORDS_UNAVAILABLE', () => {
  it('stops the freeze in the step the records side reports a write failure, naming it', () => {
    const { t0, d } = fromMidFreeze((now, t0Ms) => ({ records: { ...writing(now), failure: now >= t0Ms + 100 ? FULL : null } }));
    const rec = expectTrip(d, 'RECORDS_UNAVAILABLE', 'Stopped');
    expect(rec.nowMs).toBe(t0 + 100);
    expect(rec.outputs.supplyValveOpen).toBe(false);
    expect(rec.events.find((e) => e.kind === 'trip')).toMatchObject({ latched: false, priority: 'medium', detail: FULL });
    expect(trips(d.events).map((t) => t.id)).toEqual(['RECORDS_UNAVAILABLE']);
  });

  it('stops the freeze in the first step the records side has been silent longer than records.lostMs', () => {
    const { t0, d } = fromMidFreeze((_now, t0Ms) => ({ records: { watched: true, failure: null, lastHeardMs: t0Ms } }));
    const rec = expectTrip(d, 'RECORDS_UNAVAILABLE', 'Stopped');
    // Silent exactly lostMs is not yet lost; the next 20 ms step is.
    expect(rec.nowMs).toBe(t0 + LOST_MS + 20);
    expect(rec.events.find((e) => e.kind === 'trip')).toMatchObject({ detail: `records side silent for ${LOST_MS + 20} ms (limit ${LOST_MS} ms)` });
  });

  it('trips when the records side never answered', () => {
    const { d } = fromMidFreeze(() => ({ records: { watched: true, failure: null, lastHeardMs: null } }), 200);
    expect(expectTrip(d, 'RECORDS_UNAVAILABLE', 'Stopped').events.find((e) => e.kind === 'trip')).toMatchObject({ detail: 'records side never answered' });
  });

  it('does not trip on a whole treatment with records being written', () => {
    const d = drive(new NormalPatient().script((now) => ({ records: writing(now) })), { settings: SETTINGS, until: inPhase('Complete') });
    expect(d.state.phase).toBe('Complete');
    expect(trips(d.events)).toEqual([]);
  });

  it('never trips when no records are kept, whatever the watch says', () => {
    const { d } = fromMidFreeze(() => ({ records: { watched: false, failure: FULL, lastHeardMs: 0 } }), 3 * LOST_MS);
    expect(trips(d.events)).toEqual([]);
    expect(d.state.phase).toBe('Freezing');
  });

  it('does not act on a failure in the thaw (nothing to stop: the thaw runs on, the probe must warm)', () => {
    const patient = new NormalPatient();
    const { at } = normalUntil(SETTINGS, inPhase('Thawing', 1_000), patient);
    const d = drive(patient.script((now) => ({ records: { ...writing(now), failure: FULL } })), { settings: SETTINGS, state: at.state, durationMs: 2_000 });
    expect(trips(d.events)).toEqual([]);
    expect(d.state.phase).toBe('Thawing');
  });

  it('blocks a start while records cannot be written: no valve opens', () => {
    const patient = new NormalPatient({ startAtMs: 5_000 });
    const d = drive(patient.script((now) => ({ records: { ...writing(now), failure: 'records store read-only: attempt to write a readonly database' } })), {
      settings: SETTINGS,
      durationMs: 8_000,
    });
    expect(trips(d.events).map((t) => t.id)).toEqual(['RECORDS_UNAVAILABLE']);
    expect(d.steps.filter((r) => anyValveOpen(r.outputs))).toEqual([]);
  });

  it('clears once records work again, and a new start then freezes', () => {
    const patient = new NormalPatient();
    const { t0, d } = fromMidFreeze((now, t0Ms) => ({ records: { ...writing(now), failure: now < t0Ms + 1_000 ? FULL : null } }), 1_500, patient);
    expect(d.state.phase).toBe('Stopped');
    expect(d.events).toContainEqual({ kind: 'cleared', atMs: t0 + 1_000, id: 'RECORDS_UNAVAILABLE' });
    const startMs = d.lastMs + 20;
    const again = drive(patient.script((now) => ({ records: writing(now), operator: { start: now === startMs } })), {
      settings: SETTINGS,
      state: d.state,
      until: inPhase('Freezing', 1_000),
      durationMs: 120_000,
    });
    expect(again.events.filter((e) => e.kind === 'refused')).toEqual([]);
    expect(again.state.phase).toBe('Freezing');
  });

  it('leaves the emergency stop working', () => {
    const { t0, d } = fromMidFreeze((now, t0Ms) => ({ records: { ...writing(now), failure: FULL }, operator: { estop: now >= t0Ms + 200 } }));
    expectTrip(d, 'RECORDS_UNAVAILABLE', 'Stopped');
    expect(trips(d.events).find((t) => t.id === 'EMERGENCY_STOP')?.atMs).toBe(t0 + 200);
    expect(d.state.phase).toBe('Fault');
  });
});

describe('records.lostMs', () => {
  it('defaults to 3 s', () => {
    expect(DEFAULT_SETTINGS.records.lostMs).toBe(3_000);
  });

  it.each([[999], [10_001]])('refuses %d ms, naming the field', (lostMs) => {
    expect(() => parseSettings({ records: { lostMs } })).toThrow(SettingsError);
    expect(() => parseSettings({ records: { lostMs } })).toThrow(/records\.lostMs/);
  });

  it('refuses a debounce for RECORDS_UNAVAILABLE', () => {
    expect(() => parseSettings({ debounceMs: { RECORDS_UNAVAILABLE: 100 } })).toThrow(/RECORDS_UNAVAILABLE cannot be debounced/);
  });
});
