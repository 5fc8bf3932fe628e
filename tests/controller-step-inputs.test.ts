// The operator-input log: every press of a button is one 'input' event in the step it goes down,
// however long it is held; the footswitch and the emergency stop log both their edges. The event
// log is the record of what the operator did during a treatment (what the console shows and keeps).
import { describe, expect, it } from 'vitest';
import type { ControllerEvent } from '../src/controller/types.js';
import type { ReadingOverrides } from './helpers/readings.js';
import { drive, nominalReadings } from './helpers/readings.js';

type Operator = NonNullable<ReadingOverrides['operator']>;

/** Idle console, nominal readings, `operator(nowMs)` pressed on each 50 Hz step for `durationMs`. */
function pressing(operator: (nowMs: number) => Operator, durationMs = 1_000) {
  return drive((nowMs) => nominalReadings(nowMs, { operator: operator(nowMs) }), { durationMs });
}

const inputs = (events: readonly ControllerEvent[]) => events.filter((e) => e.kind === 'input');
const heldFrom = (nowMs: number, fromMs: number, steps = 3): boolean => nowMs >= fromMs && nowMs < fromMs + steps * 20;

describe('operator input events', () => {
  it('logs each momentary button once, in the step it goes down, however long it is held', () => {
    const d = pressing((now) => ({
      stop: heldFrom(now, 100),
      acknowledge: heldFrom(now, 200),
      newSite: heldFrom(now, 300),
      start: heldFrom(now, 400),
    }));
    expect(inputs(d.events)).toEqual([
      { kind: 'input', atMs: 100, input: 'stop' },
      { kind: 'input', atMs: 200, input: 'acknowledge' },
      { kind: 'input', atMs: 300, input: 'new-site' },
      { kind: 'input', atMs: 400, input: 'start' },
    ]);
  });

  it('logs a second press of the same button after it was released', () => {
    const d = pressing((now) => ({ acknowledge: heldFrom(now, 100, 2) || heldFrom(now, 200, 2) }));
    expect(inputs(d.events)).toEqual([
      { kind: 'input', atMs: 100, input: 'acknowledge' },
      { kind: 'input', atMs: 200, input: 'acknowledge' },
    ]);
  });

  it('logs the footswitch going down and coming up, once each', () => {
    const d = pressing((now) => ({ footswitch: heldFrom(now, 100, 10) }));
    expect(inputs(d.events)).toEqual([
      { kind: 'input', atMs: 100, input: 'footswitch-down' },
      { kind: 'input', atMs: 300, input: 'footswitch-up' },
    ]);
  });

  it('logs the emergency stop pressed in and released, once each', () => {
    const d = pressing((now) => ({ estop: heldFrom(now, 100, 10) }));
    expect(inputs(d.events)).toEqual([
      { kind: 'input', atMs: 100, input: 'estop-pressed' },
      { kind: 'input', atMs: 300, input: 'estop-released' },
    ]);
  });

  it('logs nothing at all while no control is touched: no input, refusal or any other event', () => {
    expect(pressing(() => ({})).events).toEqual([]);
  });
});
