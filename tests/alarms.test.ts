// Alarm signals through the step (IEC 60601-1-8, shared/domain.md section 6): lamps and buzzer
// per priority, acknowledge silences only what is active, a new condition alarms again.
import { describe, expect, it } from 'vitest';
import { BURST, HIGH_FLASH_PERIOD_MS, MEDIUM_FLASH_PERIOD_MS, PULSE_ON_MS, PULSE_PERIOD_MS, minimumSoundMs } from '../src/controller/alarms.js';
import { DEFAULT_SETTINGS, withProtocol } from '../src/controller/settings.js';
import type { StepRecord } from './helpers/readings.js';
import { NormalPatient, PERIOD_MS, SHORT_PROTOCOL, drive, inPhase, nominalReadings, normalUntil } from './helpers/readings.js';

const TRIP_MS = 10_000;

const pulseOn = (sinceMs: number, pulses: number): boolean => sinceMs < pulses * PULSE_PERIOD_MS && sinceMs % PULSE_PERIOD_MS < PULSE_ON_MS;
const at = (steps: readonly StepRecord[], nowMs: number): StepRecord => {
  const rec = steps.find((r) => r.nowMs === nowMs);
  if (rec === undefined) throw new Error(`no step at ${nowMs} ms`);
  return rec;
};

// Each test drives its own run, inside the test: mutation testing (docs/mutation.md) attributes
// what a describe body runs to no test, and would rerun every test file for it.
describe('high priority alarm', () => {
  const run = () => drive((now) => nominalReadings(now, { halFault: now >= TRIP_MS ? 'front-end lost' : null }), { durationMs: 25_000 });
  const afterTrip = (d: { steps: readonly StepRecord[] }) => d.steps.filter((r) => r.nowMs >= TRIP_MS);

  it('shows nothing before the condition', () => {
    const d = run();
    const before = d.steps.filter((r) => r.nowMs < TRIP_MS);
    expect(before).toHaveLength(TRIP_MS / PERIOD_MS);
    expect(before.every((r) => !r.outputs.buzzer && !r.outputs.lamps.high && !r.outputs.lamps.medium && !r.outputs.lamps.low)).toBe(true);
  });

  it('flashes the red lamp at 2 Hz, 50 % duty, and no other lamp', () => {
    const after = afterTrip(run());
    expect(after).toHaveLength((25_000 - TRIP_MS) / PERIOD_MS + 1);
    for (const r of after) {
      expect(r.outputs.lamps.high, `at ${r.nowMs}`).toBe(r.nowMs % HIGH_FLASH_PERIOD_MS < HIGH_FLASH_PERIOD_MS / 2);
      expect(r.outputs.lamps.medium || r.outputs.lamps.low).toBe(false);
    }
  });

  it('sounds a burst of 10 pulses, repeated every 10 s', () => {
    const d = run();
    for (const r of afterTrip(d)) {
      const inBurstMs = (r.nowMs - TRIP_MS) % BURST.high.repeatMs;
      expect(r.outputs.buzzer, `at ${r.nowMs}`).toBe(pulseOn(inBurstMs, 10));
    }
    expect(at(d.steps, TRIP_MS + 2_500).outputs.buzzer).toBe(false);
    expect(at(d.steps, TRIP_MS + 10_000).outputs.buzzer).toBe(true);
  });
});

describe('medium priority alarm', () => {
  const run = () => drive((now) => nominalReadings(now, { operator: { estop: now >= TRIP_MS } }), { durationMs: 35_000 });
  const afterTrip = (d: { steps: readonly StepRecord[] }) => d.steps.filter((r) => r.nowMs >= TRIP_MS);

  it('flashes the yellow lamp at 0.5 Hz, and no other lamp', () => {
    const after = afterTrip(run());
    expect(after).toHaveLength((35_000 - TRIP_MS) / PERIOD_MS + 1);
    for (const r of after) {
      expect(r.outputs.lamps.medium, `at ${r.nowMs}`).toBe(r.nowMs % MEDIUM_FLASH_PERIOD_MS < MEDIUM_FLASH_PERIOD_MS / 2);
      expect(r.outputs.lamps.high || r.outputs.lamps.low).toBe(false);
    }
  });

  it('sounds a burst of 3 pulses, repeated every 20 s', () => {
    const d = run();
    for (const r of afterTrip(d)) {
      expect(r.outputs.buzzer, `at ${r.nowMs}`).toBe(pulseOn((r.nowMs - TRIP_MS) % BURST.medium.repeatMs, 3));
    }
    expect(at(d.steps, TRIP_MS + 20_000).outputs.buzzer).toBe(true);
  });
});

describe('low priority alarm', () => {
  const settings = withProtocol(DEFAULT_SETTINGS, SHORT_PROTOCOL);
  const run = () => {
    const patient = new NormalPatient();
    const { at: freezing } = normalUntil(settings, inPhase('Freezing', 5_000), patient);
    const stopMs = freezing.lastMs + 20;
    return { stopMs, d: drive(patient.script((now) => ({ operator: { stop: now === stopMs } })), { settings, state: freezing.state, durationMs: 30_000 }) };
  };

  it('shows the steady low lamp while the stop condition is active or its pulse still owed, and no other lamp', () => {
    const { stopMs, d } = run();
    const trip = at(d.steps, stopMs);
    expect(trip.outputs.lamps).toEqual({ high: false, medium: false, low: true });
    // The condition lasted one tick; its one pulse is owed for minimumSoundMs('low'), and so is
    // its lamp (an alarm that sounds always shows).
    const owedUntilMs = stopMs + minimumSoundMs('low');
    const lit = d.steps.filter((r) => r.outputs.lamps.low).map((r) => r.nowMs);
    expect(lit).toEqual(d.steps.filter((r) => r.nowMs >= stopMs && r.nowMs < owedUntilMs).map((r) => r.nowMs));
    expect(d.steps.some((r) => r.nowMs >= owedUntilMs)).toBe(true);
    expect(d.steps.filter((r) => r.outputs.lamps.high || r.outputs.lamps.medium)).toEqual([]);
  });

  it('still plays its one full pulse although the condition ended after one step, and never repeats it', () => {
    const { stopMs, d } = run();
    const sounding = d.steps.filter((r) => r.outputs.buzzer).map((r) => r.nowMs - stopMs);
    expect(sounding).toEqual([0, 20, 40, 60, 80, 100, 120, 140]);
  });
});

describe('acknowledge', () => {
  const ACK_MS = 11_000;
  const NEW_MS = 36_000;
  const run = () =>
    drive(
      (now) =>
        nominalReadings(now, {
          operator: { estop: now >= TRIP_MS, acknowledge: now === ACK_MS },
          halFault: now >= NEW_MS ? 'front-end lost' : null,
        }),
      { durationMs: 40_000 },
    );

  it('silences the alarms active now and reports which', () => {
    const d = run();
    expect(d.events).toContainEqual({ kind: 'acknowledge', atMs: ACK_MS, silenced: ['EMERGENCY_STOP'] });
    const silencedSpan = d.steps.filter((r) => r.nowMs >= ACK_MS && r.nowMs < NEW_MS);
    // Covers the 20 s repeat at 30 s: the silenced alarm does not sound again.
    expect(silencedSpan.some((r) => r.nowMs === TRIP_MS + BURST.medium.repeatMs)).toBe(true);
    expect(silencedSpan.every((r) => !r.outputs.buzzer)).toBe(true);
  });

  it('never removes the visual signal of a silenced alarm', () => {
    const d = run();
    expect(at(d.steps, 12_000).outputs.lamps.medium).toBe(true);
    expect(at(d.steps, 13_000).outputs.lamps.medium).toBe(false);
    expect(at(d.steps, 34_000).outputs.lamps.medium).toBe(true);
  });

  it('lets a new condition alarm again after an acknowledge', () => {
    const d = run();
    const fresh = at(d.steps, NEW_MS);
    expect(fresh.outputs.buzzer).toBe(true);
    expect(fresh.outputs.lamps.high).toBe(true);
    expect(fresh.outputs.lamps.medium).toBe(true);
  });

  it('turns the lamps off once the fault is cleared by an acknowledge', () => {
    const RELEASE_MS = 15_000;
    const CLEAR_MS = 16_000;
    const cleared = drive(
      (now) => nominalReadings(now, { operator: { estop: now >= TRIP_MS && now < RELEASE_MS, acknowledge: now === CLEAR_MS } }),
      { durationMs: 20_000 },
    );
    expect(cleared.state.phase).toBe('Idle');
    const afterClear = cleared.steps.filter((r) => r.nowMs >= CLEAR_MS);
    expect(afterClear.length).toBeGreaterThan(0);
    expect(afterClear.filter((r) => r.outputs.lamps.medium || r.outputs.buzzer)).toEqual([]);
    expect(cleared.state.alarms).toEqual([]);
  });
});
