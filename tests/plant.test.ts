import { describe, it, expect } from 'vitest';
import {
  BODY_TEMP_C,
  DEFAULT_PLANT_PARAMS,
  DEFAULT_VALVE_DELAY_MS,
  PLANT_SUBSTEP_MS,
  Plant,
  PlantParamsError,
  sublimationFloorC,
} from '../hil/plant/index.js';
import { fullCylinderPressureBar, saturationPressureBar } from '../kernel/co2.js';
import { ATMOSPHERIC_PRESSURE_BAR } from '../kernel/units.js';

const TICK_MS = 20;

/** A live controller: toggles the heartbeat every tick; `each` sees the state after each tick. */
type Run = (durationMs: number, each?: (p: Plant) => void) => void;

function withHeartbeat(plant: Plant): Run {
  let level = false;
  return (durationMs, each) => {
    for (let t = 0; t < durationMs; t += TICK_MS) {
      level = !level;
      plant.heartbeat(level);
      plant.advance(TICK_MS);
      each?.(plant);
    }
  };
}

function freezingPlant(): [Plant, Run] {
  const plant = new Plant();
  plant.commandValves(true, true);
  return [plant, withHeartbeat(plant)];
}

describe('valves', () => {
  it('opens each valve only after the valve delay', () => {
    const plant = new Plant();
    const runFor = withHeartbeat(plant);
    runFor(100); // arm the watchdog first
    plant.commandValves(true, true);
    plant.advance(DEFAULT_VALVE_DELAY_MS - PLANT_SUBSTEP_MS);
    expect(plant.state.supplyValveOpen).toBe(false);
    expect(plant.state.flowing).toBe(false);
    plant.advance(2 * PLANT_SUBSTEP_MS);
    expect(plant.state.supplyValveOpen).toBe(true);
    expect(plant.state.safetyValveOpen).toBe(true);
    expect(plant.state.flowing).toBe(true);
  });

  it('closes each valve only after the valve delay', () => {
    const [plant, runFor] = freezingPlant();
    runFor(200);
    plant.commandValves(false, false);
    plant.advance(DEFAULT_VALVE_DELAY_MS - PLANT_SUBSTEP_MS);
    expect(plant.state.flowing).toBe(true);
    plant.advance(2 * PLANT_SUBSTEP_MS);
    expect(plant.state.supplyValveOpen).toBe(false);
    expect(plant.state.flowing).toBe(false);
  });

  it('lets gas flow only while both valves are open', () => {
    const cases: [boolean, boolean, boolean][] = [
      [false, false, false],
      [true, false, false],
      [false, true, false],
      [true, true, true],
    ];
    for (const [supply, safety, flows] of cases) {
      const plant = new Plant();
      const runFor = withHeartbeat(plant);
      plant.commandValves(supply, safety);
      runFor(500);
      expect(plant.state.flowing, `supply ${supply} safety ${safety}`).toBe(flows);
      expect(plant.state.massFlowGPerS > 0).toBe(flows);
    }
  });

  it('keeps gas flowing through a supply valve stuck open until the safety valve closes', () => {
    const [plant, runFor] = freezingPlant();
    runFor(500);
    plant.setConditions({ supplyValveStuckOpen: true });
    plant.commandValves(false, true);
    runFor(500);
    expect(plant.state.supplyValveOpen).toBe(true);
    expect(plant.state.flowing).toBe(true);
    plant.commandValves(false, false);
    runFor(500);
    expect(plant.state.safetyValveOpen).toBe(false);
    expect(plant.state.flowing).toBe(false);
  });

  it('stops the flow when the probe is disconnected (self-sealing coupling)', () => {
    const [plant, runFor] = freezingPlant();
    runFor(500);
    plant.setConditions({ probePresent: false });
    runFor(100);
    expect(plant.state.flowing).toBe(false);
    expect(plant.state.probeId).toBeNull();
  });
});

describe('freeze and thaw', () => {
  it('cools the tip from body temperature to -50 C well within 20 s with a 20 C cylinder', () => {
    const [, runFor] = freezingPlant();
    let reachedAtMs: number | null = null;
    runFor(20_000, (p) => {
      if (reachedAtMs === null && p.state.tipTrueC <= -50) reachedAtMs = p.state.atMs;
    });
    expect(reachedAtMs).not.toBeNull();
    expect(reachedAtMs!).toBeGreaterThan(3_000);
    expect(reachedAtMs!).toBeLessThan(8_000);
  });

  it('settles the tip between -68 and -63 C with the return line at 1.7-2.0 bar abs', () => {
    const [plant, runFor] = freezingPlant();
    runFor(40_000);
    expect(plant.state.tipTrueC).toBeGreaterThan(-68);
    expect(plant.state.tipTrueC).toBeLessThan(-63);
    expect(plant.state.returnBarAbs).toBeGreaterThan(1.7);
    expect(plant.state.returnBarAbs).toBeLessThan(2.0);
  });

  it('never takes the tip below the sublimation floor at the return pressure', () => {
    const [, runFor] = freezingPlant();
    runFor(60_000, (p) => {
      expect(p.state.tipTrueC).toBeGreaterThanOrEqual(sublimationFloorC(p.state.returnBarAbs));
    });
  });

  it('draws about 0.3 g/s while flowing and reports a faint line drop on the supply', () => {
    const [plant, runFor] = freezingPlant();
    runFor(10_000);
    const s = plant.state;
    expect(s.massFlowGPerS).toBeGreaterThan(0.2);
    expect(s.massFlowGPerS).toBeLessThan(0.4);
    expect(s.cylinderBar).toBeCloseTo(saturationPressureBar(20), 6);
    expect(s.cylinderBar - s.supplyBarAbs).toBeGreaterThan(0);
    expect(s.cylinderBar - s.supplyBarAbs).toBeLessThan(1);
    expect(s.liquidChargeG).toBeLessThan(DEFAULT_PLANT_PARAMS.liquidChargeG);
  });

  // Passive thaw in perfused tissue: the ice next to the probe melts last, so the tip waits on the
  // latent plateau for minutes (the tissue model; the lumped tip it replaced was back at +10 C in 45 s).
  it('holds a thawing tip on the latent plateau below 0 C for over a minute, then thaws above 0 C within 4 min', () => {
    const [plant, runFor] = freezingPlant();
    runFor(60_000);
    expect(plant.state.tipTrueC).toBeLessThan(-60);
    plant.commandValves(false, false);
    runFor(60_000);
    expect(plant.state.tipTrueC).toBeGreaterThan(-8);
    expect(plant.state.tipTrueC).toBeLessThan(0);
    runFor(180_000);
    expect(plant.state.tipTrueC).toBeGreaterThan(0);
    expect(plant.state.tipTrueC).toBeLessThan(BODY_TEMP_C);
  });

  it('keeps the tip much warmer on a 30 bar supply', () => {
    const [plant, runFor] = freezingPlant();
    plant.setConditions({ supplyOverrideBar: 30 });
    runFor(40_000);
    expect(plant.state.tipTrueC).toBeGreaterThan(-20);
    expect(plant.state.tipTrueC).toBeLessThan(-10);
  });
});

describe('tissue and ice ball', () => {
  it('reports no ice ball before the freeze and an ordered, growing one during it', () => {
    const [plant, runFor] = freezingPlant();
    expect([plant.state.r0Mm, plant.state.r20Mm, plant.state.r40Mm]).toEqual([0, 0, 0]);
    runFor(30_000);
    const at30 = plant.state;
    runFor(60_000);
    const at90 = plant.state;
    for (const s of [at30, at90]) {
      expect(s.r40Mm).toBeGreaterThan(DEFAULT_PLANT_PARAMS.probeOdMm / 2);
      expect(s.r40Mm).toBeLessThan(s.r20Mm);
      expect(s.r20Mm).toBeLessThan(s.r0Mm);
    }
    expect(at90.r0Mm).toBeGreaterThan(at30.r0Mm);
    // Under the fixed-wall bound of domain section 3 (1.27 mm probe at -70 C: 3.6 mm at 30 s).
    expect(at30.r0Mm).toBeLessThan(3.6);
  });

  it('loads the tip more in better-perfused tissue: the tip settles warmer and the ice ball is smaller', () => {
    const [nominal, runNominal] = freezingPlant();
    const perfused = new Plant({ tissue: { perfusionWPerM3K: 20_000 } });
    perfused.commandValves(true, true);
    runNominal(60_000);
    withHeartbeat(perfused)(60_000);
    expect(perfused.state.tipTrueC).toBeGreaterThan(nominal.state.tipTrueC);
    expect(perfused.state.r0Mm).toBeLessThan(nominal.state.r0Mm);
  });

  it('keeps the tip warmer on a poorer gas-side coefficient', () => {
    const [nominal, runNominal] = freezingPlant();
    const poor = new Plant({ gasSideHWPerM2K: 2_000 });
    poor.commandValves(true, true);
    runNominal(30_000);
    withHeartbeat(poor)(30_000);
    expect(poor.state.tipTrueC).toBeGreaterThan(nominal.state.tipTrueC + 10);
  });
});

describe('gas supply and return line', () => {
  it('drops the supply below 40 bar within 60 s of flowing once the liquid is gone', () => {
    const [plant, runFor] = freezingPlant();
    runFor(1_000);
    plant.drainLiquid();
    let belowAtMs: number | null = null;
    runFor(60_000, (p) => {
      if (belowAtMs === null && p.state.supplyBarAbs < 40) belowAtMs = p.state.atMs;
    });
    expect(belowAtMs).not.toBeNull();
    expect(plant.state.liquidChargeG).toBe(0);
  });

  it('holds cylinder pressure at saturation while liquid remains however much is drawn', () => {
    const plant = new Plant({ liquidChargeG: 5 });
    const runFor = withHeartbeat(plant);
    plant.commandValves(true, true);
    runFor(10_000);
    expect(plant.state.liquidChargeG).toBeGreaterThan(0);
    expect(plant.state.cylinderBar).toBeCloseTo(saturationPressureBar(20), 6);
  });

  it('raises the return line above 3 bar and warms the tip when the exhaust is blocked', () => {
    const [plant, runFor] = freezingPlant();
    runFor(30_000);
    const clearTipC = plant.state.tipTrueC;
    plant.setConditions({ returnBlocked: true });
    runFor(30_000);
    expect(plant.state.returnBarAbs).toBeGreaterThan(3);
    expect(plant.state.tipTrueC).toBeGreaterThan(clearTipC + 5);
  });

  it('lets the return line fall back to atmospheric within a second of the valves closing', () => {
    const [plant, runFor] = freezingPlant();
    runFor(5_000);
    plant.commandValves(false, false);
    runFor(1_000);
    expect(plant.state.returnBarAbs).toBeLessThan(ATMOSPHERIC_PRESSURE_BAR + 0.1);
  });
});

describe('parameters', () => {
  it('models a supercritical cylinder above the critical point up to 40 C, and rejects a hotter one naming the parameter', () => {
    expect(new Plant({ cylinderTempC: 35 }).state.cylinderBar).toBeCloseTo(fullCylinderPressureBar(35), 6);
    expect(new Plant({ cylinderTempC: 35 }).state.cylinderBar).toBeGreaterThan(saturationPressureBar(31));
    expect(() => new Plant({ cylinderTempC: 40.5 })).toThrow(PlantParamsError);
    expect(() => new Plant({ cylinderTempC: 40.5 })).toThrow(/cylinderTempC 40.5 is outside the cylinder model's range/);
  });

  it('rejects a non-positive time constant naming the parameter', () => {
    expect(() => new Plant({ coolTimeConstantMs: 0 })).toThrow(/coolTimeConstantMs/);
  });

  it('rejects an out-of-range tissue parameter naming it and its value', () => {
    expect(() => new Plant({ tissue: { kFrozenWPerMK: 9 } })).toThrow(PlantParamsError);
    expect(() => new Plant({ tissue: { kFrozenWPerMK: 9 } })).toThrow(/plant: tissue: kFrozenWPerMK: .*\(got 9\)/);
  });

  it('rejects a probe diameter or gas-side coefficient out of range naming it', () => {
    expect(() => new Plant({ probeOdMm: 0.1 })).toThrow(/probeOdMm .*got 0.1/);
    expect(() => new Plant({ gasSideHWPerM2K: 0 })).toThrow(/gasSideHWPerM2K .*got 0/);
  });

  it('refuses to advance by a negative time', () => {
    expect(() => { new Plant().advance(-1); }).toThrow(RangeError);
  });
});
