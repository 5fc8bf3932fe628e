// Whole treatments on the simulated plant, in virtual time: every injectable fault ends the
// treatment in Fault through the interlock that controls it, with the valves closed in the same
// tick; a clean run completes; one seed replays one run exactly.
import { describe, expect, it } from 'vitest';
import type { FaultKind } from '../hil/faults.js';
import { FAULT_KINDS, parseFaultSpec } from '../hil/faults.js';
import { simulateTreatment } from '../src/sim/runner.js';
import type { SimulationSummary } from '../src/sim/runner.js';
import { DEFAULT_SETTINGS, PRESETS, withProtocol } from '../src/controller/settings.js';
import type { InterlockId } from '../src/controller/types.js';

const SHORT = withProtocol(DEFAULT_SETTINGS, { cycles: 1, freezeS: 30, thawS: 20 });
/** The freeze starts at 1.72 s (self-test); faults go in 15 s into the run, mid-freeze. */
const FAULT_AT_S = 15;

interface Expectation {
  readonly spec: string;
  /** The interlock that must trip first (any of these, where the sim cannot tell them apart). */
  readonly firstTrip: readonly InterlockId[];
  /** It must trip by this simulated time. */
  readonly byS: number;
  /** A longer freeze where the fault needs time to show. */
  readonly freezeS?: number;
}

// Keyed by FaultKind: a new fault kind without an expectation here does not compile.
const EXPECTED: Record<FaultKind, Expectation> = {
  'tc-open': { spec: 'tc-open@15', firstTrip: ['THERMOCOUPLE_FAULT'], byS: 15.2 },
  'tc-short': { spec: 'tc-short@15', firstTrip: ['THERMOCOUPLE_FAULT'], byS: 15.2 },
  // A stuck reading shows within two 3 s stuck windows.
  'tc-stuck': { spec: 'tc-stuck@15', firstTrip: ['SENSOR_STUCK'], byS: 21.1 },
  'tip-reads-cold': { spec: 'tip-reads-cold@15', firstTrip: ['TIP_BELOW_PHYSICAL_FLOOR'], byS: 15.2 },
  'supply-low': { spec: 'supply-low@15', firstTrip: ['SUPPLY_PRESSURE_LOW'], byS: 15.7 },
  'supply-high': { spec: 'supply-high@15', firstTrip: ['SUPPLY_PRESSURE_HIGH'], byS: 15.7 },
  // The vapour left after the liquid is gone keeps the pressure up for a while: the tip warms
  // back before the supply falls below 40 bar, so a 30 s freeze would complete untouched.
  'cylinder-empty': { spec: 'cylinder-empty@15', firstTrip: ['INSUFFICIENT_COOLING', 'SUPPLY_PRESSURE_LOW'], byS: 50, freezeS: 60 },
  'return-blocked': { spec: 'return-blocked@15', firstTrip: ['RETURN_LINE_BLOCKED'], byS: 16 },
  // A stuck-open supply valve shows only when the freeze ends (31.72 s) and the verify time passes.
  'valve-stuck-open': { spec: 'valve-stuck-open@15', firstTrip: ['VALVE_FAILURE'], byS: 33.5 },
  'sensor-stale': { spec: 'sensor-stale@15', firstTrip: ['SENSOR_STALE'], byS: 15.2 },
  'loop-stall': { spec: 'loop-stall@15:0.4', firstTrip: ['LOOP_OVERRUN'], byS: 15.5 },
  estop: { spec: 'estop@15', firstTrip: ['EMERGENCY_STOP'], byS: 15.05 },
  // The sim opens the thermocouple at the fault time and drops probe presence one plant substep
  // later, so the (equally debounced) thermocouple fault wins the race.
  'probe-disconnect': { spec: 'probe-disconnect@15', firstTrip: ['PROBE_DISCONNECTED', 'THERMOCOUPLE_FAULT'], byS: 15.2 },
  // A transducer that gives no number: PRESSURE_SENSOR_FAULT's 100 ms debounce, before the supply
  // rows (500 ms) and NO_FLOW_SEEN (200 ms) that would otherwise count the same samples.
  'supply-pressure-lost': { spec: 'supply-pressure-lost@15', firstTrip: ['PRESSURE_SENSOR_FAULT'], byS: 15.2 },
  'return-pressure-lost': { spec: 'return-pressure-lost@15', firstTrip: ['PRESSURE_SENSOR_FAULT'], byS: 15.2 },
};

function simulateFault(kind: FaultKind): SimulationSummary {
  const e = EXPECTED[kind];
  const settings = e.freezeS === undefined ? SHORT : withProtocol(DEFAULT_SETTINGS, { cycles: 1, freezeS: e.freezeS, thawS: 20 });
  return simulateTreatment({ settings, seed: 1, faults: [parseFaultSpec(e.spec)] });
}

describe('a fault injected during the first freeze', () => {
  it('has an expectation for every fault kind, injected mid-freeze', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...FAULT_KINDS].sort());
    for (const kind of FAULT_KINDS) expect(parseFaultSpec(EXPECTED[kind].spec)).toMatchObject({ kind, atMs: FAULT_AT_S * 1000 });
  });

  describe.each(FAULT_KINDS.map((kind) => [kind] as const))('%s', (kind) => {
    const summary = simulateFault(kind);
    const e = EXPECTED[kind];

    it('ends the treatment in Fault', () => {
      expect(summary.outcome).toBe('fault');
      expect(summary.finalPhase).toBe('Fault');
      expect(summary.timedOut).toBe(false);
    });

    it(`trips ${e.firstTrip.join(' or ')} first, after the fault and in time`, () => {
      const first = summary.interlocks[0];
      expect(first).toBeDefined();
      expect(e.firstTrip).toContain(first?.id);
      expect(first?.atS).toBeGreaterThanOrEqual(FAULT_AT_S);
      expect(first?.atS).toBeLessThanOrEqual(e.byS);
    });

    it('closes both valves in the tick of every trip and leaves them closed', () => {
      expect(summary.interlocks.length).toBeGreaterThan(0);
      for (const trip of summary.interlocks) expect(trip.valvesClosedAtS).toBe(trip.atS);
      expect(summary.valveOpenAtEnd).toBe(false);
    });
  });

  it('says safe to withdraw after a fault only where the tip reading can still be trusted', () => {
    // An open or shorted thermocouple leaves the tip unknown: never safe, whatever the time.
    for (const kind of ['tc-open', 'tc-short', 'probe-disconnect'] as const) expect(simulateFault(kind).safeToWithdrawAtS).toBeNull();
    const lowSupply = simulateFault('supply-low');
    expect(lowSupply.safeToWithdrawAtS).not.toBeNull();
    expect(lowSupply.safeToWithdrawAtS ?? 0).toBeGreaterThan(lowSupply.interlocks[0]?.atS ?? Infinity);
  });
});

describe('a normal treatment on the simulated plant', () => {
  const standard = simulateTreatment({ settings: DEFAULT_SETTINGS, seed: 7 });

  it('completes the standard preset: 3 cycles of 120 s without a trip', () => {
    expect(standard.outcome).toBe('complete');
    expect(standard.finalPhase).toBe('Complete');
    expect(standard.interlocks).toEqual([]);
    expect(standard.cycles.map((c) => c.index)).toEqual([1, 2, 3]);
    for (const c of standard.cycles) expect(c.freezeS).toBe(PRESETS.standard.freezeS);
  });

  it('reaches -50 C within 20 s in every cycle', () => {
    expect(standard.cycles).toHaveLength(PRESETS.standard.cycles);
    for (const c of standard.cycles) {
      expect(c.secondsToMinus50C).not.toBeNull();
      expect(c.secondsToMinus50C ?? Infinity).toBeLessThan(20);
    }
  });

  it('thaws every cycle for at least its thaw time and ends safe to withdraw, valves closed', () => {
    expect(standard.cycles).toHaveLength(PRESETS.standard.cycles);
    for (const c of standard.cycles) expect(c.thawS).toBeGreaterThanOrEqual(PRESETS.standard.thawS);
    expect(standard.safeToWithdrawAtS).not.toBeNull();
    expect(standard.valveOpenAtEnd).toBe(false);
    expect(standard.timedOut).toBe(false);
  });

  it('replays exactly from the same seed', () => {
    const again = (seed: number): SimulationSummary => ({
      ...simulateTreatment({ settings: SHORT, seed, faults: [parseFaultSpec('tc-stuck@15')] }),
      wallMs: 0,
    });
    expect(again(11)).toEqual(again(11));
  });

  it('differs with another seed (the noise really is seeded)', () => {
    const a = simulateTreatment({ settings: SHORT, seed: 1 });
    const b = simulateTreatment({ settings: SHORT, seed: 2 });
    expect(a.cycles[0]?.minTipC).not.toBe(b.cycles[0]?.minTipC);
  });

  it('ends Stopped when the operator presses stop, valves closed in that tick', () => {
    const stopped = simulateTreatment({ settings: SHORT, seed: 1, stopAtS: 10 });
    expect(stopped.outcome).toBe('stopped');
    expect(stopped.finalPhase).toBe('Stopped');
    expect(stopped.interlocks).toEqual([{ id: 'OPERATOR_STOP', atS: 10, valvesClosedAtS: 10 }]);
    expect(stopped.valveOpenAtEnd).toBe(false);
    expect(stopped.safeToWithdrawAtS).not.toBeNull();
  });
});
