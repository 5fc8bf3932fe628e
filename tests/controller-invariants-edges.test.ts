// The production end-of-step invariants (src/controller/invariants.ts) against broken step results:
// each fires on the one result it forbids, names it, and stays silent at its own boundary (a freeze
// time exactly at its limit, a tip exactly at 0 C, a new cycle's freeze time starting again).
// A step that breaks one throws, and the runtime puts the valves in their safe state.
import { describe, expect, it } from 'vitest';
import type { Outputs, TipSample } from '../hal/contract.js';
import { SAFE_OUTPUTS } from '../hal/contract.js';
import { AssertionError } from '../kernel/assert.js';
import { WITHDRAW_FLOOR_C, assertStepInvariants } from '../src/controller/invariants.js';
import { CALIBRATED_TIP_UNCERTAINTY_C } from '../src/controller/probe-calibration.js';
import type { ControllerReadings } from '../src/controller/probe-calibration.js';
import { DEFAULT_SETTINGS, withProtocol } from '../src/controller/settings.js';
import type { ControllerState } from '../src/controller/state.js';
import { SHORT_PROTOCOL, inPhase, nominalReadings, normalUntil } from './helpers/readings.js';

const SETTINGS = withProtocol(DEFAULT_SETTINGS, SHORT_PROTOCOL);
const LIMIT_MS = SHORT_PROTOCOL.freezeS * 1000 + SETTINGS.freezeLimit.perCycleGraceMs;
const GAS_OPEN: Outputs = { ...SAFE_OUTPUTS, supplyValveOpen: true, safetyValveOpen: true };
const SUPPLY_ONLY: Outputs = { ...SAFE_OUTPUTS, supplyValveOpen: true };
const SAFETY_ONLY: Outputs = { ...SAFE_OUTPUTS, safetyValveOpen: true };

/** Ten seconds into the first freeze of a normal treatment, with that tick's readings. */
function midFreeze(): { state: ControllerState; readings: ControllerReadings } {
  const { patient, at } = normalUntil(SETTINGS, inPhase('Freezing', 10_000));
  return { state: at.state, readings: patient.readings(at.lastMs + 20, at.state) };
}

const check = (readings: ControllerReadings, prev: ControllerState, state: ControllerState, outputs: Outputs) => (): void => {
  assertStepInvariants(SETTINGS, readings, prev, state, outputs);
};

const withTrip = (s: ControllerState): ControllerState => ({
  ...s,
  interlocks: { ...s.interlocks, SUPPLY_PRESSURE_HIGH: { ...s.interlocks.SUPPLY_PRESSURE_HIGH, tripped: true } },
});

describe('a tripped interlock and the valves', () => {
  it('fires when only the supply valve is still commanded open, naming both commands', () => {
    const { state, readings } = midFreeze();
    expect(check(readings, state, withTrip(state), SUPPLY_ONLY)).toThrow(AssertionError);
    expect(check(readings, state, withTrip(state), SUPPLY_ONLY)).toThrow(
      'invariant: an interlock is tripped but a valve is commanded open (supply true, safety false)',
    );
  });

  it('fires when only the safety valve is still commanded open', () => {
    const { state, readings } = midFreeze();
    expect(check(readings, state, withTrip(state), SAFETY_ONLY)).toThrow('(supply false, safety true)');
  });

  it('holds with a trip and both valves closed', () => {
    const { state, readings } = midFreeze();
    expect(check(readings, state, withTrip(state), SAFE_OUTPUTS)).not.toThrow();
  });
});

describe('the gas path and the phase', () => {
  it('fires when both valves are open outside Freezing, naming the phase', () => {
    const { state, readings } = midFreeze();
    expect(check(readings, state, { ...state, phase: 'Ready' }, GAS_OPEN)).toThrow('invariant: the gas path is commanded open in Ready');
  });

  it('holds with one valve open outside Freezing (the self-test opens each alone)', () => {
    const { state, readings } = midFreeze();
    const selfTest: ControllerState = { ...state, phase: 'SelfTest', sub: 'selftest-safety-only', cycleFreezeMs: state.cycleFreezeMs };
    expect(check(readings, state, selfTest, SAFETY_ONLY)).not.toThrow();
    expect(check(readings, state, selfTest, SUPPLY_ONLY)).not.toThrow();
  });
});

describe("the cycle's freeze time", () => {
  it('fires when it falls within a cycle, naming both values', () => {
    const { state, readings } = midFreeze();
    const fell = { ...state, cycleFreezeMs: state.cycleFreezeMs - 20 };
    expect(check(readings, state, fell, GAS_OPEN)).toThrow(`invariant: the cycle's freeze time fell from ${state.cycleFreezeMs} ms to ${state.cycleFreezeMs - 20} ms`);
  });

  it('holds when it stands still (the supply is closed)', () => {
    const { state, readings } = midFreeze();
    expect(check(readings, state, state, SAFE_OUTPUTS)).not.toThrow();
  });

  it('holds when it starts again with a new cycle', () => {
    const { state, readings } = midFreeze();
    const next: ControllerState = { ...state, cyclesBegun: state.cyclesBegun + 1, cycle: state.cycle + 1, cycleFreezeMs: 0 };
    expect(check(readings, state, next, GAS_OPEN)).not.toThrow();
  });

  it('holds with the gas path open at exactly its limit, fires one millisecond over it, naming both', () => {
    const { state, readings } = midFreeze();
    const prev = { ...state, cycleFreezeMs: LIMIT_MS - 20 };
    expect(check(readings, prev, { ...state, cycleFreezeMs: LIMIT_MS }, GAS_OPEN)).not.toThrow();
    expect(check(readings, prev, { ...state, cycleFreezeMs: LIMIT_MS + 1 }, GAS_OPEN)).toThrow(
      `invariant: the gas path is open with the cycle's freeze time ${LIMIT_MS + 1} ms over its limit ${LIMIT_MS} ms`,
    );
  });

  it('leaves a freeze time over its limit with only the safety valve open to the trip (the gas path is shut)', () => {
    const { state, readings } = midFreeze();
    const over = { ...state, cycleFreezeMs: LIMIT_MS + 1 };
    expect(check(readings, over, over, SAFETY_ONLY)).not.toThrow();
  });
});

describe('safe to withdraw', () => {
  const tip = (tipC: number, fault: TipSample['fault'] = null): TipSample => ({ tipC, coldJunctionC: 25, fault, atMs: 0 });
  const complete = (safe: boolean): ControllerState => {
    const { state } = midFreeze();
    return { ...state, phase: 'Complete', sub: 'none', safeToWithdraw: safe };
  };
  const withTips = (tips: readonly TipSample[]): ControllerReadings => ({ ...nominalReadings(0), tips });

  it('holds with every channel at exactly the floor: 0 C plus the Type T reading uncertainty', () => {
    expect(WITHDRAW_FLOOR_C).toBe(0);
    expect(CALIBRATED_TIP_UNCERTAINTY_C.T).toBe(1.18);
    const s = complete(true);
    expect(check(withTips([tip(1.18), tip(1.18)]), s, s, SAFE_OUTPUTS)).not.toThrow();
  });

  it('fires on a second channel just below the floor, naming the channel and its reading', () => {
    const s = complete(true);
    expect(check(withTips([tip(5), tip(1.17)]), s, s, SAFE_OUTPUTS)).toThrow(
      "invariant: safe to withdraw declared with tip channel 1 at 1.17 C (fault none), below 1.18 C (0 C plus the reading's uncertainty) or unusable",
    );
  });

  it('fires on a reading above 0 C but within the uncertainty: a calibration 1 C warm shows a tip truly below 0 C as +0.5 C', () => {
    const s = complete(true);
    expect(check(withTips([tip(0.5)]), s, s, SAFE_OUTPUTS)).toThrow('below 1.18 C');
  });

  it('fires on a warm channel with a fault bit, naming the fault', () => {
    const s = complete(true);
    expect(check(withTips([tip(20, 'short-gnd')]), s, s, SAFE_OUTPUTS)).toThrow('at 20 C (fault short-gnd)');
  });

  it('fires on a channel that is not a number, and on no channel at all', () => {
    const s = complete(true);
    expect(check(withTips([tip(Number.POSITIVE_INFINITY)]), s, s, SAFE_OUTPUTS)).toThrow('tip channel 0 at Infinity C');
    expect(check(withTips([]), s, s, SAFE_OUTPUTS)).toThrow('invariant: safe to withdraw declared with no tip channel');
  });

  it('holds while safe to withdraw is not declared, whatever the tips read', () => {
    const s = complete(false);
    expect(check(withTips([tip(-60), tip(Number.NaN, 'open')]), s, s, SAFE_OUTPUTS)).not.toThrow();
    expect(check(withTips([]), s, s, SAFE_OUTPUTS)).not.toThrow();
  });
});
