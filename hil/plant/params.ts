// Parameters of the simulated plant (gas supply, valves, return line, probe tip, tissue) and the
// constants that are not meant to be tuned per run. Figures come from shared/domain.md; where the
// model lumps physics together the comment says what was lumped.

import { BioheatParamsError, GridParamsSchema, resolveTissueParams, type TissueParams } from '../../kernel/bioheat/index.js';
import { CO2_MODEL_MAX_CYLINDER_TEMP_C, CO2_TRIPLE_POINT_TEMP_K, KELVIN_OFFSET } from '../../kernel/co2.js';

/** Fixed integration step. 5 ms resolves the 30 ms valve delay and the 250 ms watchdog finely. */
export const PLANT_SUBSTEP_MS = 5;

/** External watchdog: valve power is cut when the heartbeat has not changed level for longer. */
export const WATCHDOG_TIMEOUT_MS = 250;

/** Core tissue / arterial temperature the tip thaws toward when in the body (Pennes T_a). */
export const BODY_TEMP_C = 37;

/**
 * The tissue model (kernel/bioheat) advances in steps of this length, with the gas-side heat flux
 * averaged over the plant substeps in it. 50 ms: the step the model is validated at
 * (DEFAULT_SOLVER_OPTIONS), a fifth of the thermocouple's 250 ms lag, so the stepped wall
 * temperature is smoothed out of the reading; ten plant substeps share one tissue step, which
 * keeps the tissue's cost near 40 us per simulated second (docs/tissue-model.md).
 */
export const TISSUE_STEP_MS = 50;

/** Treatment-room air temperature: a disconnected probe drifts toward it. */
export const AMBIENT_TEMP_C = 22;

/** Typical small solenoid response (command to seat moved), opening and closing alike. */
export const DEFAULT_VALVE_DELAY_MS = 30;

export interface PlantParams {
  /** Cylinder temperature; sets the saturation pressure while liquid remains (above 31 C the
   * supercritical pressure: kernel/co2.ts fullCylinderPressureBar). */
  readonly cylinderTempC: number;
  /** Liquid CO2 in the cylinder at the start of the run. */
  readonly liquidChargeG: number;
  /**
   * Vapour left in the cylinder when the last liquid boils off. Once it is being drawn, pressure
   * falls in proportion to it (isothermal ideal-gas simplification; blow-down cooling is lumped in
   * by choosing a small figure).
   */
  readonly vapourAtDryOutG: number;
  /** Command-to-seat delay of each valve. */
  readonly valveDelayMs: number;
  /** Mass flow through the probe orifice per bar across it (choked-orifice linearisation). */
  readonly flowGPerSPerBar: number;
  /** Supply pressure lost in the line and filter per unit mass flow. */
  readonly lineDropBarPerGPerS: number;
  /** Return-line pressure rise above atmospheric per unit mass flow (exhaust resistance). */
  readonly returnRiseBarPerGPerS: number;
  /** First-order time constant of the return-line pressure (line volume over resistance). */
  readonly returnTimeConstantMs: number;
  /** Factor on the exhaust resistance while the return line is blocked. */
  readonly returnBlockedFactor: number;
  /**
   * Time constant of the gas temperature inside the probe tip while gas flows: the line and the
   * probe body cool down before the expanded gas reaches its Joule-Thomson temperature.
   */
  readonly coolTimeConstantMs: number;
  /** Tip time constant toward room air while the probe is out of the body (disconnected). */
  readonly thawTimeConstantMs: number;
  /** Probe outer diameter, mm: the tissue model's wall (domain section 3: 1.27 and 2.0 mm). */
  readonly probeOdMm: number;
  /** Heat transfer coefficient from the probe wall to the expanding gas while it flows, W/m2/K:
   * the wall heat flux is h * (T_wall - T_gas); with no flow the wall is adiabatic. */
  readonly gasSideHWPerM2K: number;
  /** The tissue around the probe (kernel/bioheat, domain section 3), validated with bounds. */
  readonly tissue: TissueParams;
  /** The probe is connected at the start of the run. */
  readonly probePresent: boolean;
  /** The id the probe's ID chip reports; null for a probe without one. */
  readonly probeId: string | null;
}

export const DEFAULT_PLANT_PARAMS: PlantParams = Object.freeze({
  // 20 C gives 57.3 bar (domain section 2), inside the 40-70 bar operating window.
  cylinderTempC: 20,
  // A small medical cylinder: at ~0.3 g/s this lasts about 28 minutes of freezing.
  liquidChargeG: 500,
  // About 0.15 L of headspace at the saturated-vapour density at 20 C (~194 g/L): supply pressure
  // then falls below 40 bar roughly 35 s after the liquid is gone at full flow.
  vapourAtDryOutG: 30,
  valveDelayMs: DEFAULT_VALVE_DELAY_MS,
  // 0.0054 g/s/bar x (57.3 - 1.8) bar ~= 0.30 g/s: the middle of the 0.2-0.4 g/s a CO2 probe draws.
  flowGPerSPerBar: 0.0054,
  // ~0.3 bar at full flow: a faint, visible drop on the supply transducer.
  lineDropBarPerGPerS: 1.0,
  // 2.7 bar/(g/s) x 0.30 g/s ~= 0.81 bar: 1.82 bar abs, inside the textbook 1.7-2.0 bar abs.
  returnRiseBarPerGPerS: 2.7,
  returnTimeConstantMs: 300,
  // x4 resistance: about 4.1 bar abs at full flow, well above the 3 bar blocked threshold.
  returnBlockedFactor: 4,
  // 3 s: from 37 C the tip passes -50 C about 6 s after the valves open.
  coolTimeConstantMs: 3_000,
  // 20 s: a thin needle in room air.
  thawTimeConstantMs: 20_000,
  // 1.27 mm (18 G): the smaller probe of domain section 3.
  probeOdMm: 1.27,
  // 20,000 W/m2/K: a two-phase jet impinging on the tip's inner wall (boiling and impinging-jet
  // coefficients run 1e4-1e5). With gas at the 1.8 bar sublimation point (-71.3 C) the tip settles
  // near -66 C under the ice ball's load, 5 C warmer than the gas, as the lumped model had it.
  gasSideHWPerM2K: 20_000,
  tissue: resolveTissueParams(),
  probePresent: true,
  probeId: 'SIM-PROBE-001',
});

/** Overrides of the defaults: any top-level field, and any tissue field on its own. */
export type PlantOverrides = Partial<Omit<PlantParams, 'tissue'>> & { readonly tissue?: Partial<TissueParams> };

/** Gas-side coefficients the plant accepts, W/m2/K: below 100 the probe barely freezes, above
 * 200,000 (twice a boiling jet's best) the wall is simply the gas temperature. */
const MIN_GAS_SIDE_H_W_PER_M2K = 100;
const MAX_GAS_SIDE_H_W_PER_M2K = 200_000;

export class PlantParamsError extends Error {
  override name = 'PlantParamsError';
}

const MIN_CYLINDER_TEMP_C = CO2_TRIPLE_POINT_TEMP_K - KELVIN_OFFSET;

/** Merge `overrides` over the defaults and range-check the result; throws PlantParamsError. */
export function resolvePlantParams(overrides: PlantOverrides = {}): PlantParams {
  const p: PlantParams = { ...DEFAULT_PLANT_PARAMS, ...overrides, tissue: resolveTissue(overrides.tissue) };
  if (!(p.cylinderTempC >= MIN_CYLINDER_TEMP_C && p.cylinderTempC <= CO2_MODEL_MAX_CYLINDER_TEMP_C)) {
    throw new PlantParamsError(
      `plant: cylinderTempC ${p.cylinderTempC} is outside the cylinder model's range ` +
        `${MIN_CYLINDER_TEMP_C.toFixed(1)} to ${CO2_MODEL_MAX_CYLINDER_TEMP_C} C (liquid to the critical point at 31.0 C, supercritical above)`,
    );
  }
  const nonNegative: (keyof PlantParams)[] = ['liquidChargeG', 'valveDelayMs', 'lineDropBarPerGPerS'];
  const positive: (keyof PlantParams)[] = [
    'vapourAtDryOutG', 'flowGPerSPerBar', 'returnRiseBarPerGPerS', 'returnTimeConstantMs',
    'coolTimeConstantMs', 'thawTimeConstantMs',
  ];
  for (const key of nonNegative) requireNumber(key, p[key], 0, false);
  for (const key of positive) requireNumber(key, p[key], 0, true);
  requireNumber('returnBlockedFactor', p.returnBlockedFactor, 1, false);
  requireInRange('gasSideHWPerM2K', p.gasSideHWPerM2K, MIN_GAS_SIDE_H_W_PER_M2K, MAX_GAS_SIDE_H_W_PER_M2K);
  const radius = GridParamsSchema.shape.probeRadiusMm;
  requireInRange('probeOdMm', p.probeOdMm, 2 * (radius.minValue ?? 0), 2 * (radius.maxValue ?? 0));
  return Object.freeze(p);
}

function resolveTissue(overrides: Partial<TissueParams> | undefined): TissueParams {
  try {
    return resolveTissueParams(overrides ?? {}, 'plant: tissue');
  } catch (err) {
    if (err instanceof BioheatParamsError) throw new PlantParamsError(err.message);
    throw err;
  }
}

function requireInRange(key: string, value: unknown, min: number, max: number): void {
  if (typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max) return;
  throw new PlantParamsError(`plant: ${key} must be a finite number from ${min} to ${max}, got ${String(value)}`);
}

function requireNumber(key: string, value: unknown, min: number, exclusive: boolean): void {
  const ok = typeof value === 'number' && Number.isFinite(value) && (exclusive ? value > min : value >= min);
  if (!ok) {
    throw new PlantParamsError(`plant: ${key} must be a finite number ${exclusive ? '>' : '>='} ${min}, got ${String(value)}`);
  }
}
