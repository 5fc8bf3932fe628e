import { describe, it, expect } from 'vitest';
import { SAFE_OUTPUTS, type Outputs, type Readings } from '../hal/contract.js';
import { SimHal, type SimHalOptions } from '../hil/sim/index.js';
import { saturationPressureBar } from '../kernel/co2.js';
import { ATMOSPHERIC_PRESSURE_BAR } from '../kernel/units.js';
import { VirtualClock } from '../kernel/clock.js';

const TICK_MS = 20;
const OPEN: Outputs = { ...SAFE_OUTPUTS, supplyValveOpen: true, safetyValveOpen: true };

function makeHal(options: Partial<SimHalOptions> = {}): { hal: SimHal; clock: VirtualClock } {
  const clock = new VirtualClock();
  return { hal: new SimHal({ clock, seed: 1, ...options }), clock };
}

/** A live controller loop at 50 Hz: read, then write `outputs` with a toggling heartbeat. */
function runLoop(hal: SimHal, clock: VirtualClock, outputs: Outputs, durationMs: number): Readings[] {
  const all: Readings[] = [];
  for (let t = 0; t < durationMs; t += TICK_MS) {
    clock.advanceMs(TICK_MS);
    all.push(hal.read());
    hal.write({ ...outputs, heartbeat: !hal.lastOutputs.heartbeat });
  }
  return all;
}

describe('sim HAL', () => {
  it('is a sim board that starts with safe outputs', () => {
    const { hal } = makeHal();
    expect(hal.kind).toBe('sim');
    expect(hal.lastOutputs).toEqual(SAFE_OUTPUTS);
  });

  it('keeps frozen outputs as they are, again and alternating, and copies mutable ones so a later change does not reach them', () => {
    const { hal } = makeHal();
    const a = Object.freeze({ ...OPEN, heartbeat: true, lamps: Object.freeze({ ...OPEN.lamps }) });
    const b = Object.freeze({ ...OPEN, heartbeat: false, lamps: Object.freeze({ ...OPEN.lamps }) });
    for (const frozen of [a, b, a, b, b]) {
      hal.write(frozen);
      expect(hal.lastOutputs).toBe(frozen);
    }
    // Mutable, after the frozen ones it alternated with: copied and frozen all the same.
    for (const mutable of [{ ...b, lamps: { ...b.lamps } }, { ...a, lamps: b.lamps }]) {
      hal.write(mutable);
      const kept = hal.lastOutputs;
      expect(kept).not.toBe(mutable);
      expect(Object.isFrozen(kept) && Object.isFrozen(kept.lamps)).toBe(true);
      mutable.supplyValveOpen = false;
      expect(kept.supplyValveOpen).toBe(true);
    }
  });

  it('reports supply pressure as gauge, the 20 C saturation pressure less one atmosphere', () => {
    const { hal, clock } = makeHal();
    clock.advanceMs(100);
    const r = hal.read();
    expect(r.supply.barGauge).toBeCloseTo(saturationPressureBar(20) - ATMOSPHERIC_PRESSURE_BAR, 0);
    expect(r.returnLine?.barAbs).toBeCloseTo(ATMOSPHERIC_PRESSURE_BAR, 1);
  });

  it('stamps every sample with the clock time of the read', () => {
    const { hal, clock } = makeHal();
    clock.advanceMs(1_234);
    const r = hal.read();
    expect([r.tips[0]!.atMs, r.supply.atMs, r.returnLine?.atMs, r.probe.atMs, r.operator.atMs]).toEqual(
      [1_234, 1_234, 1_234, 1_234, 1_234],
    );
  });

  it('advances the plant lazily to the clock and never backwards', () => {
    const { hal, clock } = makeHal();
    clock.advanceMs(2_000);
    expect(hal.plantState.atMs).toBe(2_000);
    hal.read();
    expect(hal.plantState.atMs).toBe(2_000);
  });

  it('reads the tip near body temperature with quantised noise before any gas flows', () => {
    const { hal, clock } = makeHal();
    const tips = runLoop(hal, clock, SAFE_OUTPUTS, 1_000).map((r) => r.tips[0]!);
    for (const tip of tips) {
      expect(tip.fault).toBeNull();
      expect(Math.abs(tip.tipC - 37)).toBeLessThan(0.5);
      expect(Number.isInteger(tip.tipC / 0.0078125)).toBe(true);
      expect(Math.abs(tip.coldJunctionC - 25)).toBeLessThan(0.2);
    }
    expect(new Set(tips.map((t) => t.tipC)).size).toBeGreaterThan(5);
  });

  it('freezes the tip reading to -50 C within 20 s when the loop opens both valves', () => {
    const { hal, clock } = makeHal();
    const readings = runLoop(hal, clock, OPEN, 20_000);
    const firstCold = readings.find((r) => r.tips[0]!.tipC <= -50);
    expect(firstCold).toBeDefined();
    expect(firstCold!.tips[0]!.atMs).toBeLessThan(10_000);
    expect(readings.at(-1)!.returnLine!.barAbs).toBeGreaterThan(1.7);
  });

  it('drives the plant to the safe state with toSafeState, idempotently', () => {
    const { hal, clock } = makeHal();
    runLoop(hal, clock, OPEN, 2_000);
    expect(hal.plantState.flowing).toBe(true);
    hal.toSafeState();
    hal.toSafeState();
    expect(hal.lastOutputs).toEqual(SAFE_OUTPUTS);
    clock.advanceMs(100);
    expect(hal.plantState.flowing).toBe(false);
  });

  it('closes the valves through the watchdog when the loop stops writing', () => {
    const { hal, clock } = makeHal();
    runLoop(hal, clock, OPEN, 2_000);
    clock.advanceMs(400);
    expect(hal.plantState.valvePowerOn).toBe(false);
    expect(hal.plantState.flowing).toBe(false);
  });

  it('resolves close()', async () => {
    await expect(makeHal().hal.close()).resolves.toBeUndefined();
  });
});

describe('operator inputs', () => {
  it('shows a button press to exactly one read', () => {
    const { hal, clock } = makeHal();
    hal.press('start');
    clock.advanceMs(TICK_MS);
    const first = hal.read().operator;
    const second = hal.read().operator;
    expect(first.start).toBe(true);
    expect(first.stop).toBe(false);
    expect(second.start).toBe(false);
  });

  it('holds the footswitch level until it is released', () => {
    const { hal } = makeHal();
    hal.setFootswitch(true);
    expect(hal.read().operator.footswitch).toBe(true);
    expect(hal.read().operator.footswitch).toBe(true);
    hal.setFootswitch(false);
    expect(hal.read().operator.footswitch).toBe(false);
  });

  it('reads the emergency stop and cuts valve power while it is pressed', () => {
    const { hal, clock } = makeHal();
    runLoop(hal, clock, OPEN, 1_000);
    hal.setEstop(true);
    const readings = runLoop(hal, clock, OPEN, 200);
    expect(readings.at(-1)!.operator.estop).toBe(true);
    expect(hal.plantState.valvePowerOn).toBe(false);
    expect(hal.plantState.flowing).toBe(false);
    hal.setEstop(false);
    runLoop(hal, clock, OPEN, 200);
    expect(hal.plantState.flowing).toBe(true);
  });
});

describe('determinism', () => {
  function trace(seed: number): Readings[] {
    const clock = new VirtualClock();
    const hal = new SimHal({ clock, seed, faults: [{ kind: 'tc-stuck', atMs: 3_000, durationMs: 1_000 }] });
    return runLoop(hal, clock, OPEN, 6_000);
  }

  it('gives identical readings for the same seed and call sequence', () => {
    expect(trace(42)).toEqual(trace(42));
  });

  it('gives different noise for a different seed', () => {
    const a = trace(42).map((r) => r.tips[0]!.tipC);
    const b = trace(43).map((r) => r.tips[0]!.tipC);
    expect(a).not.toEqual(b);
    // Same physics underneath: the noise is small.
    const last = a.length - 1;
    expect(Math.abs(a[last]! - b[last]!)).toBeLessThan(1);
  });
});
