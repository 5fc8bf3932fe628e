import { describe, it, expect } from 'vitest';
import { SAFE_OUTPUTS, type Outputs, type Readings } from '../hal/contract.js';
import { SimHal, TC_OPEN_READING_C, TIP_READS_COLD_C } from '../hil/sim/index.js';
import type { FaultSpec } from '../hil/faults.js';
import { VirtualClock } from '../kernel/clock.js';

const TICK_MS = 20;
const OPEN: Outputs = { ...SAFE_OUTPUTS, supplyValveOpen: true, safetyValveOpen: true };

interface Bench {
  hal: SimHal;
  /** Run a 50 Hz loop writing `outputs` (heartbeat toggled) for `durationMs`; returns the reads. */
  run(outputs: Outputs, durationMs: number): Readings[];
}

function bench(faults: FaultSpec[]): Bench {
  const clock = new VirtualClock();
  const hal = new SimHal({ clock, seed: 7, faults });
  return {
    hal,
    run(outputs, durationMs) {
      const all: Readings[] = [];
      for (let t = 0; t < durationMs; t += TICK_MS) {
        clock.advanceMs(TICK_MS);
        all.push(hal.read());
        hal.write({ ...outputs, heartbeat: !hal.lastOutputs.heartbeat });
      }
      return all;
    },
  };
}

const at = (kind: FaultSpec['kind'], atS: number, durationS: number | null = null): FaultSpec => ({
  kind,
  atMs: atS * 1_000,
  durationMs: durationS === null ? null : durationS * 1_000,
});

const tip = (r: Readings) => r.tips[0]!;

describe('thermocouple faults in the readings', () => {
  it('tc-open sets the open fault bit and a rail reading, and clears when the fault ends', () => {
    const b = bench([at('tc-open', 1, 1)]);
    const before = b.run(OPEN, 980).at(-1)!;
    const during = b.run(OPEN, 500).at(-1)!;
    const after = b.run(OPEN, 1_000).at(-1)!;
    expect(tip(before).fault).toBeNull();
    expect(tip(during).fault).toBe('open');
    expect(tip(during).tipC).toBe(TC_OPEN_READING_C);
    expect(tip(after).fault).toBeNull();
    expect(tip(after).tipC).toBeLessThan(37);
  });

  it('tc-short sets the short-to-ground fault bit and a NaN reading', () => {
    const b = bench([at('tc-short', 1)]);
    const r = b.run(OPEN, 1_500).at(-1)!;
    expect(tip(r).fault).toBe('short-gnd');
    expect(Number.isNaN(tip(r).tipC)).toBe(true);
  });

  it('tc-stuck freezes the reading at its onset value with zero noise while the tip keeps cooling', () => {
    const b = bench([at('tc-stuck', 3)]);
    b.run(OPEN, 3_000);
    const stuck = b.run(OPEN, 5_000).map((r) => tip(r));
    const values = new Set(stuck.map((s) => s.tipC));
    expect(values.size).toBe(1);
    expect(stuck.every((s) => s.fault === null)).toBe(true);
    expect(stuck.at(-1)!.atMs).toBeGreaterThan(stuck[0]!.atMs);
    expect(b.hal.plantState.tipTrueC).toBeLessThan(stuck[0]!.tipC - 20);
  });

  it('tip-reads-cold reads about -95 C whatever the true tip temperature', () => {
    const b = bench([at('tip-reads-cold', 1)]);
    const r = b.run(SAFE_OUTPUTS, 2_000).at(-1)!;
    expect(Math.abs(tip(r).tipC - TIP_READS_COLD_C)).toBeLessThan(0.5);
    expect(tip(r).fault).toBeNull();
    expect(b.hal.plantState.tipTrueC).toBeGreaterThan(30);
  });

  it('sensor-stale freezes the tip sample, values and timestamp, from its onset', () => {
    const b = bench([at('sensor-stale', 2)]);
    const before = b.run(OPEN, 1_980).at(-1)!;
    const during = b.run(OPEN, 3_000);
    for (const r of during) expect(tip(r)).toEqual(tip(before));
    expect(during.at(-1)!.supply.atMs).toBe(4_980);
  });

  it('probe-disconnect reads the probe as absent with no id and the thermocouple as open', () => {
    const b = bench([at('probe-disconnect', 1)]);
    const before = b.run(OPEN, 980).at(-1)!;
    const r = b.run(OPEN, 500).at(-1)!;
    expect(before.probe).toMatchObject({ present: true, id: 'SIM-PROBE-001' });
    expect(r.probe).toMatchObject({ present: false, id: null });
    expect(tip(r).fault).toBe('open');
    expect(b.hal.plantState.flowing).toBe(false);
  });
});

describe('lost pressure transducers', () => {
  it.each([
    ['supply-pressure-lost', 'supply'],
    ['return-pressure-lost', 'returnLine'],
  ] as const)('%s reads no number on that transducer for its window, and changes nothing else', (kind, lost) => {
    const faulty = bench([at(kind, 1, 0.5)]);
    const clean = bench([]);
    const f = faulty.run(OPEN, 2_000);
    const c = clean.run(OPEN, 2_000);
    const value = (r: Readings, which: 'supply' | 'returnLine'): number => (which === 'supply' ? r.supply.barGauge : (r.returnLine?.barAbs ?? Number.NaN));
    const other = lost === 'supply' ? 'returnLine' : 'supply';
    f.forEach((r, i) => {
      const tMs = (i + 1) * TICK_MS;
      const inWindow = tMs >= 1_000 && tMs < 1_500;
      expect(Number.isNaN(value(r, lost)), `${lost} at ${tMs} ms`).toBe(inWindow);
      // Outside the window, and on every other input throughout, the run is the clean one: the
      // lost transducer's noise draw is still spent, and the gas is untouched.
      if (!inWindow) expect(value(r, lost)).toBe(value(c[i]!, lost));
      expect(value(r, other)).toBe(value(c[i]!, other));
      expect(tip(r).tipC).toBe(tip(c[i]!).tipC);
    });
    expect(faulty.hal.plantState.supplyBarAbs).toBe(clean.hal.plantState.supplyBarAbs);
  });
});

describe('gas supply faults', () => {
  it('supply-low reads about 30 bar and keeps the tip warmer than -50 C', () => {
    const b = bench([at('supply-low', 0)]);
    const readings = b.run(OPEN, 30_000);
    expect(readings.at(-1)!.supply.barGauge).toBeGreaterThan(27);
    expect(readings.at(-1)!.supply.barGauge).toBeLessThan(31);
    expect(Math.min(...readings.map((r) => tip(r).tipC))).toBeGreaterThan(-50);
  });

  it('supply-high reads about 80 bar', () => {
    const b = bench([at('supply-high', 1)]);
    const r = b.run(SAFE_OUTPUTS, 1_500).at(-1)!;
    expect(r.supply.barGauge).toBeGreaterThan(77);
    expect(r.supply.barGauge).toBeLessThan(81);
  });

  it('cylinder-empty drops the supply below 40 bar within 60 s of flowing', () => {
    const b = bench([at('cylinder-empty', 2)]);
    const readings = b.run(OPEN, 62_000);
    const low = readings.find((r) => r.supply.barGauge < 40);
    expect(low).toBeDefined();
    expect(low!.supply.atMs).toBeLessThan(62_000);
    expect(readings[50]!.supply.barGauge).toBeGreaterThan(55);
  });

  it('return-blocked raises the return line above 3 bar abs', () => {
    const b = bench([at('return-blocked', 5)]);
    const normal = b.run(OPEN, 5_000).at(-1)!;
    const blocked = b.run(OPEN, 3_000).at(-1)!;
    expect(normal.returnLine!.barAbs).toBeLessThan(2);
    expect(blocked.returnLine!.barAbs).toBeGreaterThan(3);
  });
});

describe('valve and power faults', () => {
  it('valve-stuck-open keeps gas flowing with the supply valve commanded closed until the safety valve closes', () => {
    const b = bench([at('valve-stuck-open', 1)]);
    b.run(OPEN, 2_000);
    b.run({ ...OPEN, supplyValveOpen: false }, 1_000);
    expect(b.hal.plantState.flowing).toBe(true);
    b.run(SAFE_OUTPUTS, 1_000);
    expect(b.hal.plantState.supplyValveOpen).toBe(true);
    expect(b.hal.plantState.flowing).toBe(false);
  });

  it('estop reads pressed and cuts valve power while active', () => {
    const b = bench([at('estop', 2, 1)]);
    b.run(OPEN, 2_100);
    const r = b.run(OPEN, 200).at(-1)!;
    expect(r.operator.estop).toBe(true);
    expect(b.hal.plantState.valvePowerOn).toBe(false);
    expect(b.hal.plantState.flowing).toBe(false);
    const after = b.run(OPEN, 1_000).at(-1)!;
    expect(after.operator.estop).toBe(false);
    expect(b.hal.plantState.flowing).toBe(true);
  });

  it('loop-stall is queryable by the runner and changes nothing in the plant', () => {
    const b = bench([at('loop-stall', 12.5, 0.4)]);
    expect(b.hal.faultsActive(12_400).has('loop-stall')).toBe(false);
    expect(b.hal.faultsActive(12_500).has('loop-stall')).toBe(true);
    expect(b.hal.faultsActive(12_900).has('loop-stall')).toBe(false);
    const r = b.run(OPEN, 13_000).at(-1)!;
    expect(tip(r).fault).toBeNull();
    expect(b.hal.plantState.flowing).toBe(true);
  });
});
