// The k-of-2k debounce of the control step at its edges: a row trips on k bad samples within the
// last 2k samples, wherever they fall in it, and a bad sample 2k samples old no longer counts.
// TIP_BELOW_PHYSICAL_FLOOR mid-freeze (-90 C with gas flowing: colder than CO2 can make it).
import { describe, expect, it } from 'vitest';
import { debounceSamples } from '../src/controller/interlocks.js';
import { DEFAULT_SETTINGS, withProtocol } from '../src/controller/settings.js';
import { NormalPatient, SHORT_PROTOCOL, drive, expectTrip, gasPathOpen, inPhase, nominalReadings, normalUntil, trips } from './helpers/readings.js';

const SETTINGS = withProtocol(DEFAULT_SETTINGS, SHORT_PROTOCOL);
const PERIOD_MS = 20;
const K = debounceSamples(100, PERIOD_MS);

/** From 10 s into the first freeze, -90 C on the samples numbered in `bad` (0 = the first step after). */
function badSamplesMidFreeze(bad: readonly number[]) {
  const patient = new NormalPatient();
  const { at } = normalUntil(SETTINGS, inPhase('Freezing', 10_000), patient);
  expect(gasPathOpen(at.state.outputs)).toBe(true);
  const t0 = at.lastMs + PERIOD_MS;
  const d = drive(patient.script((nowMs) => (bad.includes((nowMs - t0) / PERIOD_MS) ? { tipC: -90 } : {})), { settings: SETTINGS, state: at.state, durationMs: 2_000 });
  return { t0, d };
}

const range = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => from + i);

describe('k-of-2k debounce', () => {
  it('uses the row debounce of 100 ms: 6 samples of 12 at 50 Hz', () => {
    expect(K).toBe(6);
  });

  it('trips on k bad samples spread over exactly 2k samples, in the step of the last one', () => {
    // Sample 0, then the k-1 samples ending 2k-1 later: all k inside one window of 2k.
    const { t0, d } = badSamplesMidFreeze([0, ...range(2 * K - 1 - (K - 2), K - 1)]);
    const rec = expectTrip(d, 'TIP_BELOW_PHYSICAL_FLOOR', 'Fault');
    expect(rec.nowMs).toBe(t0 + (2 * K - 1) * PERIOD_MS);
  });

  it('does not count a bad sample that is 2k samples old: k bad over 2k + 1 samples do not trip', () => {
    const { d } = badSamplesMidFreeze([0, ...range(2 * K - (K - 2), K - 1)]);
    expect(trips(d.events)).toEqual([]);
    expect(d.state.phase).toBe('Freezing');
  });

  it('trips on the k-th bad sample of a window after an older one has left it, keeping those still inside', () => {
    // Sample 0 leaves the window at sample 12 (a quiet step); 7..10, 13 and 14 are k inside 3..14.
    const { t0, d } = badSamplesMidFreeze([0, 7, 8, 9, 10, 13, 14]);
    const rec = expectTrip(d, 'TIP_BELOW_PHYSICAL_FLOOR', 'Fault');
    expect(rec.nowMs).toBe(t0 + 14 * PERIOD_MS);
  });

  it('forgets old bad samples after a quiet spell: k-1 bad, a pause, k-1 bad do not trip', () => {
    const { d } = badSamplesMidFreeze([...range(0, K - 1), ...range(3 * K, K - 1)]);
    expect(trips(d.events)).toEqual([]);
    expect(d.state.phase).toBe('Freezing');
  });
});

describe('k-of-2k debounce: evidence from long before the treatment', () => {
  // A supply reading that is no number counts toward SUPPLY_PRESSURE_LOW until PRESSURE_SENSOR_FAULT
  // has k samples of its own in its window. Unreadable samples while idle, long gone from that
  // window, must not keep the supply-low row from counting one after the start.
  it('counts an unreadable supply sample after the start toward SUPPLY_PRESSURE_LOW, whatever the transducer read while idle', () => {
    const k = debounceSamples(500, PERIOD_MS);
    const startMs = 2_000;
    const unreadableMs = startMs + 2 * PERIOD_MS;
    const supplyBarGauge = (nowMs: number): number | undefined =>
      nowMs < 10 * PERIOD_MS || nowMs === unreadableMs ? Number.NaN : nowMs > unreadableMs ? 35 : undefined;
    const d = drive((nowMs) => nominalReadings(nowMs, { supplyBarGauge: supplyBarGauge(nowMs), operator: { start: nowMs === startMs } }), {
      settings: SETTINGS,
      durationMs: 4_000,
    });
    expect(d.steps.find((r) => r.nowMs === unreadableMs)?.state.phase).toBe('SelfTest');
    const rec = expectTrip(d, 'SUPPLY_PRESSURE_LOW', 'Fault');
    expect(rec.nowMs).toBe(unreadableMs + (k - 1) * PERIOD_MS);
    expect(trips(d.events).map((t) => t.id)).toEqual(['SUPPLY_PRESSURE_LOW']);
  });
});
