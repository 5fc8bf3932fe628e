// The step's invariants are asserted in the code at the end of every step (src/controller/
// invariants.ts), and a failed one sends the runtime to its safe state and latches there.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Outputs, Readings } from '../hal/contract.js';
import { SAFE_OUTPUTS } from '../hal/contract.js';
import { AssertionError } from '../kernel/assert.js';
import { assertStepInvariants } from '../src/controller/invariants.js';
import type { ControllerReadings } from '../src/controller/probe-calibration.js';
import { DEFAULT_SETTINGS, withProtocol } from '../src/controller/settings.js';
import type { ControllerState } from '../src/controller/state.js';
import { createLogger } from '../kernel/log.js';
import { ControlLoop } from '../src/runtime/loop.js';
import type { StepFunction } from '../src/runtime/loop.js';
import { SIM_PROBE_CALIBRATION } from '../src/sim/runner.js';
import { safeFromRawReading } from './helpers/broken-controllers.js';
import { NormalPatient, SHORT_PROTOCOL, drive, inPhase, nominalReadings, normalUntil } from './helpers/readings.js';
import { RecordingHal } from './helpers/recording-hal.js';

const SETTINGS = withProtocol(DEFAULT_SETTINGS, SHORT_PROTOCOL);
const GAS_OPEN: Outputs = { ...SAFE_OUTPUTS, supplyValveOpen: true, safetyValveOpen: true };

/** Ten seconds into the first freeze of a normal treatment: the gas path is open. */
function midFreeze(): { state: ControllerState; readings: ControllerReadings } {
  const { patient, at } = normalUntil(SETTINGS, inPhase('Freezing', 10_000));
  return { state: at.state, readings: patient.readings(at.lastMs + 20, at.state) };
}

/** The end-of-step check as a thunk for expect(...).toThrow. */
const checked =
  (readings: ControllerReadings, prev: ControllerState, state: ControllerState, outputs: Outputs) =>
  (): void => {
    assertStepInvariants(SETTINGS, readings, prev, state, outputs);
  };

const tripped = (s: ControllerState): ControllerState => ({
  ...s,
  interlocks: { ...s.interlocks, EMERGENCY_STOP: { ...s.interlocks.EMERGENCY_STOP, tripped: true } },
});

describe('the end-of-step invariants', () => {
  it('hold at every step of a whole normal treatment, which ends safe to withdraw', () => {
    const d = drive(new NormalPatient().script(), { settings: SETTINGS, until: (r) => r.state.phase === 'Complete' && r.state.safeToWithdraw });
    expect(d.state.safeToWithdraw).toBe(true);
    for (let i = 1; i < d.steps.length; i++) {
      const [before, rec] = [d.steps[i - 1], d.steps[i]];
      if (before !== undefined && rec !== undefined) expect(checked(rec.readings, before.state, rec.state, rec.outputs)).not.toThrow();
    }
  });

  it('throws when an interlock is tripped and a valve is still commanded open', () => {
    const { state, readings } = midFreeze();
    expect(checked(readings, state, tripped(state), { ...SAFE_OUTPUTS, safetyValveOpen: true })).toThrow(AssertionError);
    expect(checked(readings, state, tripped(state), GAS_OPEN)).toThrow(/tripped but a valve is commanded open/);
  });

  it('throws when the gas path is open outside Freezing', () => {
    const { state, readings } = midFreeze();
    expect(checked(readings, state, state, GAS_OPEN)).not.toThrow();
    expect(checked(readings, state, { ...state, phase: 'Thawing' }, GAS_OPEN)).toThrow(/gas path is commanded open in Thawing/);
  });

  it("throws when a cycle's freeze time falls, or runs over its limit with the gas path open", () => {
    const { state, readings } = midFreeze();
    expect(checked(readings, state, { ...state, cycleFreezeMs: state.cycleFreezeMs - 20 }, GAS_OPEN)).toThrow(/freeze time fell/);
    const limitMs = SHORT_PROTOCOL.freezeS * 1000 + SETTINGS.freezeLimit.perCycleGraceMs;
    const over = { ...state, cycleFreezeMs: limitMs + 1 };
    expect(checked(readings, { ...state, cycleFreezeMs: limitMs }, over, GAS_OPEN)).toThrow(/over its limit/);
    // With the valves closed the same freeze time is the trip's business, not a broken step.
    expect(checked(readings, { ...state, cycleFreezeMs: limitMs }, over, SAFE_OUTPUTS)).not.toThrow();
  });

  it.each([
    ['a channel below 0 C', [{ tipC: 10, coldJunctionC: 25, fault: null, atMs: 0 }, { tipC: -0.5, coldJunctionC: 25, fault: null, atMs: 0 }]],
    ['a faulted channel', [{ tipC: 10, coldJunctionC: 25, fault: 'open' as const, atMs: 0 }]],
    ['a channel that is not a number', [{ tipC: Number.NaN, coldJunctionC: 25, fault: null, atMs: 0 }]],
    ['no channel at all', []],
  ])('throws when safe to withdraw is declared with %s', (_name, tips) => {
    const { state } = midFreeze();
    const idle: ControllerState = { ...state, phase: 'Complete', sub: 'none', safeToWithdraw: true };
    const readings = { ...nominalReadings(0), tips };
    expect(checked(readings, idle, idle, SAFE_OUTPUTS)).toThrow(/safe to withdraw declared/);
    // The floor on the reading is 0 C plus the Type T probe's calibration uncertainty (1.18 C).
    const warm = { ...nominalReadings(0), tips: [{ tipC: 1.18, coldJunctionC: 25, fault: null, atMs: 0 }] };
    expect(checked(warm, idle, idle, SAFE_OUTPUTS)).not.toThrow();
  });
});

/** Channel 0 warm, channel 1 still frozen: only the broken step calls this safe to withdraw. */
const warmAndFrozen = (n: number): Readings => {
  const atMs = 20 * n;
  return { ...nominalReadings(atMs), tips: [{ tipC: 10, coldJunctionC: 25, fault: null, atMs }, { tipC: -5, coldJunctionC: 25, fault: null, atMs }] };
};

describe('a failed invariant in the running loop', () => {
  it('commands the safe outputs, latches the fault, logs it, and keeps the valves closed on every later tick', () => {
    // Review H1 put back (safe to withdraw from channel 0 alone), with the end-of-step check the
    // real step runs: the assertion catches what the bug declares.
    let stepsRun = 0;
    const broken: StepFunction = (nowMs, settings, readings, prev) => {
      stepsRun++;
      const result = safeFromRawReading(nowMs, settings, readings, prev);
      assertStepInvariants(settings, readings, prev, result.state, result.outputs);
      return result;
    };
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const hal = new RecordingHal(warmAndFrozen);
    const loop = new ControlLoop({ hal, settings: SETTINGS, logger: createLogger({ destination, pretty: false }), startMs: 0, calibration: SIM_PROBE_CALIBRATION, step: broken });
    hal.calls.length = 0;

    expect(() => loop.tick(0)).toThrow(/safe to withdraw declared with tip channel 1 at -5 C/);
    expect(loop.failure).toBeInstanceOf(AssertionError);
    expect(hal.calls).toEqual(['read', 'write', 'safe']);
    expect(hal.written).toEqual([SAFE_OUTPUTS]);
    expect(lines.join('')).toMatch(/"level":60.*control step failed: outputs put in the safe state/);

    for (let i = 1; i <= 50; i++) {
      const result = loop.tick(20 * i);
      expect(result.outputs).toEqual(SAFE_OUTPUTS);
    }
    expect(stepsRun).toBe(1);
    expect(hal.written).toHaveLength(51);
    expect(hal.written.every((o) => !o.supplyValveOpen && !o.safetyValveOpen && !o.heartbeat)).toBe(true);
    expect(hal.calls.at(-1)).toBe('safe');
    expect(loop.lastOutputs).toEqual(SAFE_OUTPUTS);
    expect(lines.filter((l) => l.includes('control step failed'))).toHaveLength(1);
  });
});
