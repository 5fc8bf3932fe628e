// The alarm log (src/runtime/alarm-log.ts) fed from the step's events, the alarm settings'
// bounds, and the view the console shows (alarmView, the one definition protocol.ts re-exports).
// docs/safety.md "Alarm system".
import { describe, expect, it } from 'vitest';
import type { AlarmView as WireAlarmView } from '../src/console/protocol.js';
import { alarmView } from '../src/controller/alarms.js';
import { interlockById } from '../src/controller/interlocks.js';
import { AUDIO_PAUSE_S_MAX, AUDIO_PAUSE_S_MIN, DEFAULT_SETTINGS, SettingsError, parseSettings } from '../src/controller/settings.js';
import type { ControllerEvent } from '../src/controller/types.js';
import { ALARM_LOG_CAPACITY, AlarmLog } from '../src/runtime/alarm-log.js';
import type { Drive } from './helpers/readings.js';
import { drive, nominalReadings } from './helpers/readings.js';

const ESTOP_MS = 10_000;
const ACK_MS = 11_000;
const PAUSE_MS = 12_000;
const RELEASE_MS = 14_000;
const CLEAR_MS = 15_000;
const HAL_MS = 16_000;

/** An emergency stop pressed and released, acknowledged twice (silence, then clear), an audio
 * pause ended by a high-priority condition. */
function run(): Drive {
  return drive(
    (now) =>
      nominalReadings(now, {
        operator: {
          estop: now >= ESTOP_MS && now < RELEASE_MS,
          acknowledge: now === ACK_MS || now === CLEAR_MS,
          audioPause: now === PAUSE_MS,
        },
        halFault: now >= HAL_MS ? 'front-end lost' : null,
      }),
    { durationMs: 17_000 },
  );
}

function logOf(events: readonly ControllerEvent[], capacity?: number): AlarmLog {
  const log = new AlarmLog(capacity);
  // As the loop's onStep does: one step's events at a time.
  for (const e of events) log.record([e]);
  return log;
}

describe('the alarm log', () => {
  it("records each condition's start with its priority and triggering value, its end, the acknowledges and the audio pause, in order", () => {
    const log = logOf(run().events);
    expect(log.entries()).toEqual([
      { kind: 'start', atMs: ESTOP_MS, id: 'EMERGENCY_STOP', priority: 'medium', detail: 'emergency stop pressed' },
      { kind: 'acknowledge', atMs: ACK_MS, silenced: ['EMERGENCY_STOP'] },
      { kind: 'audio-pause-start', atMs: PAUSE_MS, untilMs: PAUSE_MS + DEFAULT_SETTINGS.alarms.audioPauseS * 1000 },
      { kind: 'acknowledge', atMs: CLEAR_MS, silenced: [] },
      { kind: 'end', atMs: CLEAR_MS, id: 'EMERGENCY_STOP', priority: 'medium' },
      { kind: 'start', atMs: HAL_MS, id: 'HAL_FAULT', priority: 'high', detail: 'front-end lost' },
      { kind: 'audio-pause-end', atMs: HAL_MS, reason: 'high-priority' },
    ]);
  });

  it('keeps only the newest entries once full, counting those that gave way', () => {
    const log = logOf(run().events, 3);
    expect(log.entries().map((e) => [e.kind, e.atMs])).toEqual([
      ['end', CLEAR_MS],
      ['start', HAL_MS],
      ['audio-pause-end', HAL_MS],
    ]);
    expect(log.recorded).toBe(7);
    expect(log.dropped).toBe(4);
  });

  it('holds at most ALARM_LOG_CAPACITY entries however many are recorded', () => {
    const log = new AlarmLog();
    const ack: ControllerEvent = { kind: 'acknowledge', atMs: 0, silenced: [] };
    for (let i = 0; i < ALARM_LOG_CAPACITY * 2 + 5; i++) log.record([{ ...ack, atMs: i }]);
    const held = log.entries();
    expect(held).toHaveLength(ALARM_LOG_CAPACITY);
    expect(held[0]?.atMs).toBe(ALARM_LOG_CAPACITY + 5);
    expect(held.at(-1)?.atMs).toBe(ALARM_LOG_CAPACITY * 2 + 4);
  });

  it('gives a reader only what is new since it last read', () => {
    const log = logOf(run().events);
    expect(log.since(5).map((e) => e.kind)).toEqual(['start', 'audio-pause-end']);
    expect(log.since(log.recorded)).toEqual([]);
  });

  it('keeps nothing of the events that are not about alarms', () => {
    const log = new AlarmLog();
    log.record([
      { kind: 'phase', atMs: 0, from: 'Idle', to: 'SelfTest', cycle: 0 },
      { kind: 'input', atMs: 0, input: 'audio-pause' },
      { kind: 'safe-to-withdraw', atMs: 0, safe: true },
    ]);
    expect(log.entries()).toEqual([]);
  });

  it('refuses a capacity it could not honour', () => {
    expect(() => new AlarmLog(0)).toThrow(/alarm log capacity 0/);
    expect(() => new AlarmLog(2.5)).toThrow(/alarm log capacity 2.5/);
  });
});

describe('the alarm settings', () => {
  it('default to latching high and medium, not low, and a 120 s audio pause', () => {
    expect(DEFAULT_SETTINGS.alarms).toEqual({ latching: { high: true, medium: true, low: false }, audioPauseS: 120 });
  });

  it.each([AUDIO_PAUSE_S_MIN - 1, AUDIO_PAUSE_S_MAX + 1, 0, -5])('refuses an audio pause of %d s, naming the field and the value', (s) => {
    expect(() => parseSettings({ alarms: { audioPauseS: s } }, 'site.json')).toThrow(SettingsError);
    expect(() => parseSettings({ alarms: { audioPauseS: s } }, 'site.json')).toThrow(`site.json: alarms.audioPauseS:`);
    expect(() => parseSettings({ alarms: { audioPauseS: s } }, 'site.json')).toThrow(`(got ${s})`);
  });

  it.each([AUDIO_PAUSE_S_MIN, AUDIO_PAUSE_S_MAX])('accepts an audio pause of %d s, the bound', (s) => {
    expect(parseSettings({ alarms: { audioPauseS: s } }).alarms.audioPauseS).toBe(s);
  });

  it('refuses a latching value that is not a yes or no, naming the field', () => {
    expect(() => parseSettings({ alarms: { latching: { high: 'off' } } }, 'site.json')).toThrow('site.json: alarms.latching.high:');
  });

  it('refuses any other alarm setting: nothing in the file can silence or hide a condition', () => {
    expect(() => parseSettings({ alarms: { silent: true } }, 'site.json')).toThrow(/site\.json: alarms.*silent/);
    expect(() => parseSettings({ alarms: { latching: { info: true } } }, 'site.json')).toThrow(/site\.json: alarms\.latching.*info/);
  });
});

describe('the alarm view', () => {
  it('is the type the console protocol carries', () => {
    const d = run();
    const view: WireAlarmView = alarmView(d.state, DEFAULT_SETTINGS, d.lastMs);
    expect(view.audioPauseMaxMs).toBe(120_000);
  });

  it('lists present conditions first, high before medium, with the triggering value and the hint', () => {
    const d = drive(
      (now) => nominalReadings(now, { operator: { estop: now >= ESTOP_MS }, halFault: now >= HAL_MS ? 'front-end lost' : null }),
      { durationMs: 17_000 },
    );
    const view = alarmView(d.state, DEFAULT_SETTINGS, d.lastMs);
    expect(view.conditions.map((c) => [c.id, c.priority, c.detail, c.hint])).toEqual([
      ['HAL_FAULT', 'high', 'front-end lost', interlockById('HAL_FAULT').hint],
      ['EMERGENCY_STOP', 'medium', 'emergency stop pressed', interlockById('EMERGENCY_STOP').hint],
    ]);
    expect(view.audioPausedMs).toBeNull();
    expect(view.info).toBeNull();
  });
});
