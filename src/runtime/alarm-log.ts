// The alarm log (IEC 60601-1-8 alarm log; shared/domain.md section 6): every alarm condition's
// start and end with its priority and triggering value, every acknowledge, alarm reset and audio
// pause, with the controller's time. Fed from the step's events (the loop's onStep), held in
// memory in a ring of fixed size: the oldest entries give way and are counted, never the newest.
// Later written to the treatment records (issue 9 section 3); the console snapshot reads it.
import { assert } from '../../kernel/assert.js';
import { interlockById } from '../controller/interlocks.js';
import type { AlarmPriority, AudioPauseEnd, ControllerEvent, InterlockId } from '../controller/types.js';

/** Entries kept: a whole day of a condition starting and ending every three minutes, and a
 * treatment's worth many times over, in well under 1 MB. */
export const ALARM_LOG_CAPACITY = 1_000;
/** Largest capacity a caller may ask for (tests ask for less to see the ring wrap). */
export const ALARM_LOG_CAPACITY_MAX = 100_000;

export type AlarmLogEntry =
  | { readonly kind: 'start'; readonly atMs: number; readonly id: InterlockId; readonly priority: AlarmPriority; readonly detail: string }
  | { readonly kind: 'end'; readonly atMs: number; readonly id: InterlockId; readonly priority: AlarmPriority }
  | { readonly kind: 'acknowledge'; readonly atMs: number; readonly silenced: readonly InterlockId[] }
  | { readonly kind: 'alarm-reset'; readonly atMs: number; readonly reset: readonly InterlockId[] }
  | { readonly kind: 'audio-pause-start'; readonly atMs: number; readonly untilMs: number }
  | { readonly kind: 'audio-pause-end'; readonly atMs: number; readonly reason: AudioPauseEnd }
  /** A start sent over the network (MQTT), which is never accepted (issue 10): who, and why. */
  | { readonly kind: 'remote-start-refused'; readonly atMs: number; readonly from: string; readonly reason: string };

/** The log entry an event makes, or null for events the alarm log does not keep. */
export function alarmLogEntry(event: ControllerEvent): AlarmLogEntry | null {
  switch (event.kind) {
    case 'trip':
      return { kind: 'start', atMs: event.atMs, id: event.id, priority: event.priority, detail: event.detail };
    case 'cleared':
      return { kind: 'end', atMs: event.atMs, id: event.id, priority: interlockById(event.id).priority };
    case 'acknowledge':
      return { kind: 'acknowledge', atMs: event.atMs, silenced: event.silenced };
    case 'alarm-reset':
      return { kind: 'alarm-reset', atMs: event.atMs, reset: event.reset };
    case 'audio-pause':
      return event.action === 'start'
        ? { kind: 'audio-pause-start', atMs: event.atMs, untilMs: event.untilMs }
        : { kind: 'audio-pause-end', atMs: event.atMs, reason: event.reason };
    case 'phase':
    case 'input':
    case 'refused':
    case 'safe-to-withdraw':
    case 'tip-unknown':
    case 'freeze-verdict':
      return null;
  }
}

export class AlarmLog {
  readonly #ring: (AlarmLogEntry | undefined)[];
  /** Entries ever recorded; the next one goes at #recorded % capacity. */
  #recorded = 0;

  constructor(readonly capacity: number = ALARM_LOG_CAPACITY) {
    assert(Number.isInteger(capacity) && capacity >= 1 && capacity <= ALARM_LOG_CAPACITY_MAX, `alarm log capacity ${capacity} outside 1..${ALARM_LOG_CAPACITY_MAX}`);
    // Allocated once: recording never grows it.
    this.#ring = new Array<AlarmLogEntry | undefined>(capacity).fill(undefined);
  }

  /** Keep the alarm events of one step (call it from the loop's onStep with result.events). */
  record(events: readonly ControllerEvent[]): void {
    for (const event of events) {
      const entry = alarmLogEntry(event);
      if (entry !== null) this.#push(entry);
    }
  }

  /** A start refused because it came over the network (the telemetry link calls it). */
  recordRemoteStartRefused(atMs: number, from: string, reason: string): void {
    this.#push({ kind: 'remote-start-refused', atMs, from, reason });
  }

  #push(entry: AlarmLogEntry): void {
    this.#ring[this.#recorded % this.capacity] = entry;
    this.#recorded += 1;
  }

  /** Entries ever recorded (a reader keeps this to ask only for what is new: `since`). */
  get recorded(): number {
    return this.#recorded;
  }

  /** Entries that gave way to newer ones. */
  get dropped(): number {
    return Math.max(0, this.#recorded - this.capacity);
  }

  /** The entries held, oldest first. */
  entries(): AlarmLogEntry[] {
    return this.since(0);
  }

  /** The entries held that were recorded after the first `count` (oldest first); those that have
   * already given way are gone (`dropped` says how many). */
  since(count: number): AlarmLogEntry[] {
    const from = Math.max(count, this.dropped);
    const out: AlarmLogEntry[] = [];
    for (let n = from; n < this.#recorded; n++) {
      const entry = this.#ring[n % this.capacity];
      if (entry !== undefined) out.push(entry);
    }
    return out;
  }
}
