// The simulated back-end: a HAL over the deterministic plant model, with sensor models and fault
// injection. Time is whatever the injected clock says; the plant catches up lazily on each call.

import { SAFE_OUTPUTS, type Hal, type Outputs, type Readings } from '../../hal/contract.js';
import { FaultSchedule, type FaultFlags, type FaultKind, type FaultSpec } from '../faults.js';
import { PLANT_SUBSTEP_MS, Plant, type PlantOverrides, type PlantState } from '../plant/index.js';
import { barGaugeFromAbs } from '../../kernel/units.js';
import { seededRandom, type Random } from '../../kernel/random.js';
import type { Clock } from '../../kernel/clock.js';
import { BathImmersion } from './bath.js';
import { plantConditionsFor } from './fault-conditions.js';
import { OperatorPanel, type OperatorButton } from './operator-panel.js';
import { PressureTransducer } from './pressure-transducer.js';
import { resolveSensorParams, type SensorParams } from './sensor-params.js';
import { ThermocoupleModel } from './thermocouple.js';

export interface SimHalOptions {
  readonly clock: Clock;
  /** Seeds every noise source: same seed and call sequence, identical readings. */
  readonly seed: number;
  readonly plant?: PlantOverrides;
  /** Fault times are on `clock`'s time base. */
  readonly faults?: readonly FaultSpec[];
  readonly sensor?: Partial<SensorParams>;
}

/**
 * The bath fluctuation draws from its own stream (seed xor this), so immersing the probe never
 * shifts the sensor noise sequence that the other seeded runs replay.
 */
const BATH_SEED_SALT = 0x5eed_ba75;

/**
 * A lost pressure transducer (a cut cable, a dead ADC channel) gives no number: NaN, which every
 * comparison fails, as the Firmata board reports a transducer at a rail. The transducer is still
 * read, so its noise draw is spent and the other sensors' noise sequence is the same with the
 * fault as without it.
 */
export const PRESSURE_LOST_READING = Number.NaN;

function lostOr(lost: boolean, reading: number): number {
  return lost ? PRESSURE_LOST_READING : reading;
}

export class SimHal implements Hal {
  readonly kind = 'sim' as const;
  readonly faults: FaultSchedule;
  readonly #clock: Clock;
  readonly #plant: Plant;
  readonly #tc: ThermocoupleModel;
  readonly #supply: PressureTransducer;
  readonly #returnLine: PressureTransducer;
  readonly #panel = new OperatorPanel();
  #lastOutputs: Outputs = SAFE_OUTPUTS;
  /** What #lastOutputs was before the last write: frozen like it (write). */
  #priorOutputs: Outputs = SAFE_OUTPUTS;
  /** `cylinder-empty` is one-shot: set once its liquid has been removed. */
  #cylinderDrained = false;
  readonly #bathRandom: Random;
  /** Non-null while the probe is in a reference bath (calibration). */
  #bath: BathImmersion | null = null;
  /** What the plant's conditions were last built from (#applyFaults): the same faults, cylinder
   * pressure and emergency stop give the same conditions, so they are not built again. */
  #appliedFaults: FaultFlags | null = null;
  #appliedCylinderBar = Number.NaN;
  #appliedEstop = false;

  /** Throws PlantParamsError, SensorParamsError or FaultSpecError for bad options. */
  constructor(options: SimHalOptions) {
    this.#clock = options.clock;
    this.faults = new FaultSchedule(options.faults);
    this.#plant = new Plant(options.plant, options.clock.nowMs());
    const sensor = resolveSensorParams(options.sensor);
    const random = seededRandom(options.seed);
    this.#tc = new ThermocoupleModel(sensor, this.#plant.state.tipTrueC, random);
    this.#bathRandom = seededRandom((options.seed ^ BATH_SEED_SALT) >>> 0);
    this.#supply = new PressureTransducer(sensor.supplyNoiseSdBar, sensor.supplyResolutionBar, sensor.supplyFullScaleBar, random);
    this.#returnLine = new PressureTransducer(sensor.returnNoiseSdBar, sensor.returnResolutionBar, sensor.returnFullScaleBar, random);
  }

  read(): Readings {
    this.#catchUp();
    const nowMs = this.#clock.nowMs();
    const active = this.faults.activeFlags(nowMs);
    const plant = this.#plant;
    return {
      tips: [this.#tc.sample(nowMs, active)],
      // The contract's supply transducer reads gauge; the plant works in absolute pressure.
      supply: { barGauge: lostOr(active['supply-pressure-lost'], this.#supply.read(barGaugeFromAbs(plant.supplyBarAbs))), atMs: nowMs },
      returnLine: { barAbs: lostOr(active['return-pressure-lost'], this.#returnLine.read(plant.returnBarAbs)), atMs: nowMs },
      probe: { present: plant.probePresent, id: plant.probeId, atMs: nowMs },
      operator: this.#panel.sample(nowMs, active.estop),
      halFault: null,
    };
  }

  write(outputs: Outputs): void {
    this.#catchUp();
    this.#plant.commandValves(outputs.supplyValveOpen, outputs.safetyValveOpen);
    this.#plant.heartbeat(outputs.heartbeat);
    // The controller's outputs are shared frozen values (src/controller/outputs.ts): kept as they
    // are; anything else is copied and frozen, so a caller's later change cannot reach it. The last
    // two kept are frozen for good, so the same object again (the heartbeat alternates between
    // two) needs no new look: Object.isFrozen goes through every field, the slowest line of a
    // simulated tick's HAL in a CPU profile (bench/sim.ts).
    const known = outputs === this.#lastOutputs || outputs === this.#priorOutputs;
    const frozen = known || (Object.isFrozen(outputs) && Object.isFrozen(outputs.lamps));
    this.#priorOutputs = this.#lastOutputs;
    this.#lastOutputs = frozen ? outputs : Object.freeze({ ...outputs, lamps: Object.freeze({ ...outputs.lamps }) });
  }

  toSafeState(): void {
    try {
      this.write(SAFE_OUTPUTS);
    } catch {
      // Catching up failed (a model bug): still de-energise the valves, which needs no time step.
      this.#plant.commandValves(false, false);
      this.#priorOutputs = this.#lastOutputs;
      this.#lastOutputs = SAFE_OUTPUTS;
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** A momentary press: reads true on the next `read()` only. */
  press(button: OperatorButton): void {
    this.#panel.press(button);
  }

  setFootswitch(down: boolean): void {
    this.#panel.setFootswitch(down);
  }

  /** The latching emergency stop; it also breaks valve power in the plant. */
  setEstop(pressed: boolean): void {
    this.#panel.setEstop(pressed);
  }

  get lastOutputs(): Outputs {
    return this.#lastOutputs;
  }

  /** The true physical state, brought up to the clock first. */
  get plantState(): PlantState {
    this.#catchUp();
    return this.#plant.state;
  }

  /**
   * Put the probe in a reference bath at `bathC` (calibration), move it to another, or take it
   * out with null. In a bath the true tip follows the bath with a few seconds' lag; out of it
   * the tip is back on the plant model (tissue, or room air without a probe). Throws RangeError
   * for a temperature no bath can have.
   */
  immerseInBath(bathC: number | null): void {
    this.#catchUp();
    if (bathC === null) this.#bath = null;
    else if (this.#bath !== null) this.#bath.setBathC(bathC);
    else this.#bath = new BathImmersion(bathC, this.#plant.state.tipTrueC, this.#bathRandom);
  }

  /** The bath the probe is in, C; null when it is not in one. */
  get bathC(): number | null {
    return this.#bath?.bathC ?? null;
  }

  /** The true temperature at the junction now: the bath's model while immersed, else the plant's. */
  get tipTrueC(): number {
    this.#catchUp();
    return this.#bath?.tipTrueC ?? this.#plant.state.tipTrueC;
  }

  faultsActive(nowMs: number): ReadonlySet<FaultKind> {
    return this.faults.active(nowMs);
  }

  /** Step the plant in whole substeps up to the clock (never backwards), applying faults. */
  #catchUp(): void {
    const targetMs = this.#clock.nowMs();
    while (this.#plant.nowMs + PLANT_SUBSTEP_MS <= targetMs) {
      const active = this.faults.activeFlags(this.#plant.nowMs);
      this.#applyFaults(active);
      this.#plant.advance(PLANT_SUBSTEP_MS);
      const trueTipC = this.#bath === null ? this.#plant.tipTrueC : this.#bath.step(PLANT_SUBSTEP_MS);
      this.#tc.track(trueTipC, PLANT_SUBSTEP_MS, active['tc-stuck']);
    }
    // Inputs sampled now see the faults active now, so the thermocouple and probe presence agree.
    this.#applyFaults(this.faults.activeFlags(targetMs));
  }

  #applyFaults(active: FaultFlags): void {
    if (active['cylinder-empty'] && !this.#cylinderDrained) {
      this.#plant.drainLiquid();
      this.#cylinderDrained = true;
    }
    const barNow = this.#plant.cylinderBar;
    const estop = this.#panel.estopPressed;
    if (active === this.#appliedFaults && barNow === this.#appliedCylinderBar && estop === this.#appliedEstop) return;
    const fitted = this.#plant.params.probePresent;
    this.#plant.setConditions(plantConditionsFor(active, barNow, estop, fitted));
    this.#appliedFaults = active;
    this.#appliedCylinderBar = barNow;
    this.#appliedEstop = estop;
  }
}
