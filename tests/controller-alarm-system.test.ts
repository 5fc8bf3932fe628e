// The operator's hold on the alarm signals, through the step, in virtual time (IEC 60601-1-8,
// shared/domain.md section 6; docs/safety.md "Alarm system"): acknowledge silences only the
// conditions present now, audio pause silences every audible signal for exactly
// alarms.audioPauseS with the lamps unchanged, and a new high-priority condition (only a high
// one) ends the pause. Each test drives its own run inside `it` (docs/mutation.md).
import { describe, expect, it } from 'vitest';
import { BURST, PULSE_ON_MS, PULSE_PERIOD_MS, alarmView } from '../src/controller/alarms.js';
import { DEFAULT_SETTINGS, parseSettings } from '../src/controller/settings.js';
import type { Settings } from '../src/controller/settings.js';
import type { ControllerEvent } from '../src/controller/types.js';
import { formatStatus } from '../src/ui/status.js';
import type { Drive, ReadingOverrides, StepRecord } from './helpers/readings.js';
import { drive, nominalReadings } from './helpers/readings.js';

const ESTOP_MS = 10_000;
const pulseOn = (sinceMs: number, pulses: number): boolean => sinceMs >= 0 && sinceMs < pulses * PULSE_PERIOD_MS && sinceMs % PULSE_PERIOD_MS < PULSE_ON_MS;
const at = (d: Drive, nowMs: number): StepRecord => {
  const rec = d.steps.find((r) => r.nowMs === nowMs);
  if (rec === undefined) throw new Error(`no step at ${nowMs} ms`);
  return rec;
};
const between = (d: Drive, fromMs: number, toMs: number): StepRecord[] => d.steps.filter((r) => r.nowMs >= fromMs && r.nowMs < toMs);
const pauseEvents = (events: readonly ControllerEvent[]) => events.filter((e) => e.kind === 'audio-pause');
/** A settings file with a 30 s audio pause: short runs, and not the default, so the setting is what acts. */
const PAUSE_30S: Settings = parseSettings({ alarms: { audioPauseS: 30 } });

/** An emergency stop from ESTOP_MS (medium, 3 pulses every 20 s), plus what the test adds. */
function estopRun(extra: (nowMs: number) => ReadingOverrides, durationMs: number, settings: Settings = PAUSE_30S): Drive {
  return drive(
    (now) => {
      const o = extra(now);
      return nominalReadings(now, { ...o, operator: { estop: now >= ESTOP_MS, ...o.operator } });
    },
    { settings, durationMs },
  );
}

describe('acknowledge', () => {
  const ACK_MS = 11_000;
  const HAL_MS = 16_000;
  const run = () => estopRun((now) => ({ operator: { acknowledge: now === ACK_MS }, halFault: now >= HAL_MS ? 'front-end lost' : null }), 20_000);

  it('silences the condition present at the acknowledge: no pulse from then until the next condition', () => {
    const d = run();
    expect(at(d, ACK_MS - 40).outputs.buzzer).toBe(false);
    expect(between(d, ACK_MS, HAL_MS).filter((r) => r.outputs.buzzer)).toEqual([]);
    expect(d.events).toContainEqual({ kind: 'acknowledge', atMs: ACK_MS, silenced: ['EMERGENCY_STOP'] });
  });

  it('lets a condition that begins after it sound its whole burst from its first tick', () => {
    const d = run();
    for (const r of between(d, HAL_MS, HAL_MS + BURST.high.pulses * PULSE_PERIOD_MS)) {
      expect(r.outputs.buzzer, `at ${r.nowMs}`).toBe(pulseOn(r.nowMs - HAL_MS, BURST.high.pulses));
    }
  });

  it('shows the acknowledged condition as acknowledged and the new one as sounding', () => {
    const view = alarmView(run().state, PAUSE_30S, 20_000);
    const byId = Object.fromEntries(view.conditions.map((c) => [c.id, c]));
    expect(byId.EMERGENCY_STOP).toMatchObject({ active: true, acknowledged: true, audible: 'acknowledged', visual: 'on' });
    expect(byId.HAL_FAULT).toMatchObject({ active: true, acknowledged: false, audible: 'on', visual: 'on' });
  });
});

describe('audio pause', () => {
  const PAUSE_MS = 11_000;
  const END_MS = PAUSE_MS + PAUSE_30S.alarms.audioPauseS * 1000;
  const paused = () => estopRun((now) => ({ operator: { audioPause: now === PAUSE_MS } }), 50_000);
  const plain = () => estopRun(() => ({}), 50_000);

  it('silences every audible signal for exactly the configured time, through the 20 s repeat of the burst', () => {
    const d = paused();
    const silent = between(d, PAUSE_MS, END_MS);
    expect(silent).toHaveLength((END_MS - PAUSE_MS) / 20);
    expect(silent.some((r) => r.nowMs === ESTOP_MS + BURST.medium.repeatMs)).toBe(true);
    expect(silent.filter((r) => r.outputs.buzzer)).toEqual([]);
    expect(plain().steps.find((r) => r.nowMs === ESTOP_MS + BURST.medium.repeatMs)?.outputs.buzzer).toBe(true);
  });

  it('sounds again at its end with a whole burst that starts there', () => {
    const d = paused();
    for (const r of between(d, END_MS, END_MS + 2_000)) {
      expect(r.outputs.buzzer, `at ${r.nowMs}`).toBe(pulseOn(r.nowMs - END_MS, BURST.medium.pulses));
    }
  });

  it('never touches the lamps: they are those of the same run without the pause at every tick', () => {
    const withPause = paused().steps.map((r) => [r.nowMs, r.outputs.lamps]);
    const without = plain().steps.map((r) => [r.nowMs, r.outputs.lamps]);
    expect(withPause).toEqual(without);
    expect(withPause.some(([, lamps]) => typeof lamps === 'object' && lamps.medium)).toBe(true);
  });

  it('reports its start with its end time and its end as expired', () => {
    expect(pauseEvents(paused().events)).toEqual([
      { kind: 'audio-pause', atMs: PAUSE_MS, action: 'start', untilMs: END_MS },
      { kind: 'audio-pause', atMs: END_MS, action: 'end', reason: 'expired' },
    ]);
  });

  it('exposes the time left, counting down to the end', () => {
    const d = paused();
    expect(alarmView(at(d, PAUSE_MS).state, PAUSE_30S, PAUSE_MS).audioPausedMs).toBe(30_000);
    expect(alarmView(at(d, PAUSE_MS + 12_340).state, PAUSE_30S, PAUSE_MS + 12_340).audioPausedMs).toBe(17_660);
    expect(alarmView(at(d, END_MS - 20).state, PAUSE_30S, END_MS - 20).audioPausedMs).toBe(20);
    expect(alarmView(at(d, END_MS).state, PAUSE_30S, END_MS).audioPausedMs).toBeNull();
  });

  it('shows its time left on the terminal status line, and nothing once it has ended', () => {
    const d = paused();
    const line = (nowMs: number): string => formatStatus(nowMs, at(d, nowMs).state, PAUSE_30S, null, true);
    expect(line(PAUSE_MS + 12_340)).toContain('AUDIO PAUSED 18 s');
    expect(line(END_MS)).not.toContain('AUDIO PAUSED');
  });

  it('shows the paused condition as paused, its lamp still on', () => {
    const view = alarmView(at(paused(), PAUSE_MS + 1_000).state, PAUSE_30S, PAUSE_MS + 1_000);
    expect(view.conditions).toMatchObject([{ id: 'EMERGENCY_STOP', audible: 'paused', visual: 'on', acknowledged: false }]);
  });

  it('lasts 120 s with the default settings', () => {
    const d = estopRun((now) => ({ operator: { audioPause: now === PAUSE_MS } }), 135_000, DEFAULT_SETTINGS);
    expect(DEFAULT_SETTINGS.alarms.audioPauseS).toBe(120);
    expect(between(d, PAUSE_MS, PAUSE_MS + 120_000).filter((r) => r.outputs.buzzer)).toEqual([]);
    expect(at(d, PAUSE_MS + 120_000).outputs.buzzer).toBe(true);
  });

  it('also silences a medium condition that begins during it, until it ends', () => {
    const EARLY_MS = 5_000; // pressed with nothing alarming; the emergency stop comes 5 s later
    const d = estopRun((now) => ({ operator: { audioPause: now === EARLY_MS } }), 40_000);
    const endMs = EARLY_MS + 30_000;
    expect(between(d, EARLY_MS, endMs).filter((r) => r.outputs.buzzer)).toEqual([]);
    expect(pauseEvents(d.events)).toEqual([
      { kind: 'audio-pause', atMs: EARLY_MS, action: 'start', untilMs: endMs },
      { kind: 'audio-pause', atMs: endMs, action: 'end', reason: 'expired' },
    ]);
    expect(at(d, endMs).outputs.buzzer).toBe(true);
  });

  it('ends on a second press, and the alarm sounds from that tick', () => {
    const AGAIN_MS = 15_000;
    const d = estopRun((now) => ({ operator: { audioPause: now === PAUSE_MS || now === AGAIN_MS } }), 20_000);
    expect(pauseEvents(d.events).at(-1)).toEqual({ kind: 'audio-pause', atMs: AGAIN_MS, action: 'end', reason: 'operator' });
    expect(at(d, AGAIN_MS - 20).outputs.buzzer).toBe(false);
    expect(at(d, AGAIN_MS).outputs.buzzer).toBe(true);
  });
});

describe('a new condition during an audio pause', () => {
  const PAUSE_MS = 11_000;
  const HAL_MS = 20_000;

  it('ends the pause when it is high priority, and sounds in the tick it begins', () => {
    const d = estopRun((now) => ({ operator: { audioPause: now === PAUSE_MS }, halFault: now >= HAL_MS ? 'front-end lost' : null }), 25_000);
    expect(pauseEvents(d.events).at(-1)).toEqual({ kind: 'audio-pause', atMs: HAL_MS, action: 'end', reason: 'high-priority' });
    expect(between(d, PAUSE_MS, HAL_MS).filter((r) => r.outputs.buzzer)).toEqual([]);
    expect(at(d, HAL_MS).outputs.buzzer).toBe(true);
    expect(at(d, HAL_MS).state.audioPause).toBeNull();
  });

  it('does not end it when it is medium priority', () => {
    // Paused with nothing alarming; the emergency stop (medium) begins at ESTOP_MS.
    const d = estopRun((now) => ({ operator: { audioPause: now === 5_000 } }), 20_000);
    expect(at(d, ESTOP_MS).state.audioPause).toEqual({ startMs: 5_000, untilMs: 35_000 });
    expect(pauseEvents(d.events)).toHaveLength(1);
  });

  it('refuses a press in the very tick a high-priority condition begins: it has not been heard yet', () => {
    const d = estopRun((now) => ({ operator: { audioPause: now === HAL_MS }, halFault: now >= HAL_MS ? 'front-end lost' : null }), 21_000);
    expect(pauseEvents(d.events)).toEqual([]);
    const refused = d.events.filter((e) => e.kind === 'refused');
    expect(refused.map((e) => [e.atMs, e.input])).toEqual([[HAL_MS, 'audio-pause']]);
    expect(refused[0]?.reason).toContain('high-priority');
    expect(at(d, HAL_MS).outputs.buzzer).toBe(true);
  });
});
