// The simulated plant: cylinder -> supply valve -> safety valve -> probe tip -> return line, with
// the external watchdog and the emergency stop in the valve power path. Deterministic: state moves
// only in fixed PLANT_SUBSTEP_MS steps driven by `advance`.

import { Cylinder } from './cylinder.js';
import { AMBIENT_TEMP_C, PLANT_SUBSTEP_MS, resolvePlantParams, type PlantOverrides, type PlantParams } from './params.js';
import { jtOutletTempC, sublimationFloorC, thawStepC } from './probe-thermal.js';
import { ProbeTissue } from './probe-tissue.js';
import { ReturnLine } from './return-line.js';
import { DelayedValve } from './valves.js';
import { ExternalWatchdog } from './watchdog.js';

/** The true physical state (what the sensors try to measure). Pressures are bar absolute. */
export interface PlantState {
  readonly atMs: number;
  readonly cylinderBar: number;
  /** At the supply transducer, after the line drop. */
  readonly supplyBarAbs: number;
  readonly returnBarAbs: number;
  readonly tipTrueC: number;
  /** Physical seat positions, not commands. */
  readonly supplyValveOpen: boolean;
  readonly safetyValveOpen: boolean;
  readonly flowing: boolean;
  readonly massFlowGPerS: number;
  readonly liquidChargeG: number;
  /** Watchdog and e-stop both let valve power through. */
  readonly valvePowerOn: boolean;
  readonly probePresent: boolean;
  readonly probeId: string | null;
  /** True ice-ball radii from the probe axis, mm, at 0, -20 and -40 C (0: no tissue that cold). */
  readonly r0Mm: number;
  readonly r20Mm: number;
  readonly r40Mm: number;
}

/** Physical conditions imposed from outside the model (operator, fault injection). */
export interface PlantConditions {
  /** The regulator delivers this (bar absolute) instead of the cylinder pressure; null = healthy. */
  readonly supplyOverrideBar: number | null;
  readonly returnBlocked: boolean;
  /** The supply valve's seat is jammed open whatever its coil does. */
  readonly supplyValveStuckOpen: boolean;
  /** The emergency stop is pressed in: it breaks valve power. */
  readonly estopPressed: boolean;
  readonly probePresent: boolean;
}

export class Plant {
  readonly params: PlantParams;
  readonly #cylinder: Cylinder;
  readonly #supplyValve: DelayedValve;
  readonly #safetyValve: DelayedValve;
  readonly #watchdog = new ExternalWatchdog();
  readonly #returnLine: ReturnLine;
  readonly #tissue: ProbeTissue;
  #conditions: PlantConditions;
  // The numbers below are initialised with a number, then set by the constructor: a field declared
  // without an initializer starts undefined, and V8 then boxes every number stored in it afresh
  // (16 bytes a store, a few hundred bytes a tick here: bench/sim-alloc.ts).
  #nowMs = 0;
  /** Time passed to `advance` that does not yet fill a whole substep. */
  #carryMs = 0;
  #supplyCommanded = false;
  #safetyCommanded = false;
  #tipC = Number.NaN;
  #massFlowGPerS = 0;
  #supplyBarAbs = Number.NaN;
  #valvePowerOn = false;
  /** The sublimation floor (sublimationFloorC) last solved, and the return pressure it is for. */
  #floorAtBar = Number.NaN;
  #floorC = Number.NaN;

  /** Throws PlantParamsError for out-of-range parameters. `startMs` is the plant's clock origin. */
  constructor(overrides: PlantOverrides = {}, startMs = 0) {
    this.params = resolvePlantParams(overrides);
    const p = this.params;
    this.#cylinder = new Cylinder(p.cylinderTempC, p.liquidChargeG, p.vapourAtDryOutG);
    this.#supplyValve = new DelayedValve(p.valveDelayMs);
    this.#safetyValve = new DelayedValve(p.valveDelayMs);
    this.#returnLine = new ReturnLine(p.returnRiseBarPerGPerS, p.returnTimeConstantMs);
    this.#tissue = new ProbeTissue(p);
    this.#tipC = this.#tissue.wallC;
    this.#conditions = {
      supplyOverrideBar: null,
      returnBlocked: false,
      supplyValveStuckOpen: false,
      estopPressed: false,
      probePresent: p.probePresent,
    };
    this.#nowMs = startMs;
    this.#supplyBarAbs = this.#cylinder.pressureBarAbs;
  }

  /** Plant time: the end of the last whole substep. */
  get nowMs(): number {
    return this.#nowMs;
  }

  get conditions(): PlantConditions {
    return this.#conditions;
  }

  /** The true tip temperature (PlantState.tipTrueC) without building the whole state: the sim
   * HAL reads it every substep (bench/sim.ts). */
  get tipTrueC(): number {
    return this.#tipC;
  }

  /** What the sim HAL's sensors read each tick (PlantState's fields of the same names), likewise:
   * building the whole state allocated about 300 bytes a tick (bench/sim-alloc.ts). */
  get supplyBarAbs(): number {
    return this.#supplyBarAbs;
  }

  get returnBarAbs(): number {
    return this.#returnLine.pressureBarAbs;
  }

  get probePresent(): boolean {
    return this.#conditions.probePresent;
  }

  get probeId(): string | null {
    return this.#conditions.probePresent ? this.params.probeId : null;
  }

  /** The cylinder pressure, bar absolute (PlantState.cylinderBar), likewise. */
  get cylinderBar(): number {
    return this.#cylinder.pressureBarAbs;
  }

  get state(): PlantState {
    const flowing = this.#massFlowGPerS > 0;
    return {
      atMs: this.#nowMs,
      cylinderBar: this.#cylinder.pressureBarAbs,
      supplyBarAbs: this.#supplyBarAbs,
      returnBarAbs: this.#returnLine.pressureBarAbs,
      tipTrueC: this.#tipC,
      supplyValveOpen: this.#supplyPhysicallyOpen(),
      safetyValveOpen: this.#safetyValve.isOpen,
      flowing,
      massFlowGPerS: this.#massFlowGPerS,
      liquidChargeG: this.#cylinder.liquidG,
      valvePowerOn: this.#valvePowerOn,
      probePresent: this.#conditions.probePresent,
      probeId: this.#conditions.probePresent ? this.params.probeId : null,
      r0Mm: this.#tissue.r0Mm,
      r20Mm: this.#tissue.r20Mm,
      r40Mm: this.#tissue.r40Mm,
    };
  }

  /** Valve coil commands; the seats follow after the valve delay if valve power is present. */
  commandValves(supplyOpen: boolean, safetyOpen: boolean): void {
    this.#supplyCommanded = supplyOpen;
    this.#safetyCommanded = safetyOpen;
  }

  /** The heartbeat output level as wired to the external watchdog. */
  heartbeat(level: boolean): void {
    this.#watchdog.heartbeat(level, this.#nowMs);
  }

  setConditions(changes: Partial<PlantConditions>): void {
    this.#conditions = { ...this.#conditions, ...changes };
  }

  /** The cylinder's liquid is gone from now on; its pressure falls as the vapour is drawn. */
  drainLiquid(): void {
    this.#cylinder.drainLiquid();
  }

  /** Move time forward by `dtMs` in whole substeps; a remainder is carried to the next call. */
  advance(dtMs: number): void {
    if (!(dtMs >= 0) || !Number.isFinite(dtMs)) {
      throw new RangeError(`plant: cannot advance by ${dtMs} ms (must be finite and >= 0)`);
    }
    this.#carryMs += dtMs;
    while (this.#carryMs >= PLANT_SUBSTEP_MS) {
      this.#carryMs -= PLANT_SUBSTEP_MS;
      this.#substep(PLANT_SUBSTEP_MS);
    }
  }

  #supplyPhysicallyOpen(): boolean {
    return this.#conditions.supplyValveStuckOpen || this.#supplyValve.isOpen;
  }

  #substep(dtMs: number): void {
    const c = this.#conditions;
    const p = this.params;
    const now = this.#nowMs;
    this.#valvePowerOn = this.#watchdog.powerOk(now) && !c.estopPressed;
    this.#supplyValve.update(this.#supplyCommanded && this.#valvePowerOn, now);
    this.#safetyValve.update(this.#safetyCommanded && this.#valvePowerOn, now);

    const cylinderBar = this.#cylinder.pressureBarAbs;
    const sourceBar = c.supplyOverrideBar ?? cylinderBar;
    const returnBar = this.#returnLine.pressureBarAbs;
    // The probe coupling is self-sealing: with no probe fitted nothing flows.
    const open = this.#supplyPhysicallyOpen() && this.#safetyValve.isOpen && c.probePresent;
    // Choked orifice, linearised: flow in proportion to the pressure across the probe.
    this.#massFlowGPerS = open ? Math.max(0, p.flowGPerSPerBar * (sourceBar - returnBar)) : 0;
    this.#supplyBarAbs = sourceBar - p.lineDropBarPerGPerS * this.#massFlowGPerS;
    this.#cylinder.draw((this.#massFlowGPerS * dtMs) / 1000);
    this.#returnLine.step(this.#massFlowGPerS, c.returnBlocked ? p.returnBlockedFactor : 1, dtMs);
    this.#stepTip(dtMs);
    this.#nowMs = now + dtMs;
  }

  /** The gas in the tip, the tissue and the tip over one substep. Stores the tip rather than
   * returning it: a number returned from a call the compiler does not inline is boxed. */
  #stepTip(dtMs: number): void {
    const returnBar = this.#returnLine.pressureBarAbs;
    const present = this.#conditions.probePresent;
    // Gas flows only through a fitted probe (the coupling is self-sealing), so only into tissue.
    const flowing = this.#massFlowGPerS > 0 && present;
    // Solid CO2 cannot exist below its sublimation point at the probe's exhaust pressure: it floors
    // both the gas (as gasTempC does) and the tip. Solved again only when the return pressure has
    // moved (a logarithm and a root; the pressure sits still whenever no gas flows).
    if (returnBar !== this.#floorAtBar) {
      this.#floorAtBar = returnBar;
      this.#floorC = sublimationFloorC(returnBar);
    }
    const floorC = this.#floorC;
    // The gas temperature is read only while gas flows (ProbeTissue.substep): not looked up otherwise.
    const jtGasC = flowing ? Math.max(jtOutletTempC(this.#supplyBarAbs - returnBar), floorC) : Number.NaN;
    this.#tissue.substep(dtMs, flowing, jtGasC);
    // A connected probe reads the tissue at its wall; a disconnected one hangs in room air.
    const tipC = present ? this.#tissue.wallC : thawStepC(this.#tipC, AMBIENT_TEMP_C, this.params.thawTimeConstantMs, dtMs);
    this.#tipC = Math.max(tipC, floorC);
  }
}
