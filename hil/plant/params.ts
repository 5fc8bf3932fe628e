// Parameters of the simulated plant (gas supply, valves, return line, probe tip, tissue) and the
// constants that are not meant to be tuned per run. Figures come from shared/domain.md; where the
// model lumps physics together the comment says what was lumped.

import { CO2_MAX_CYLINDER_TEMP_C, CO2_TRIPLE_POINT_TEMP_K, KELVIN_OFFSET } from '../../kernel/co2.js';

/** Fixed integration step. 5 ms resolves the 30 ms valve delay and the 250 ms watchdog finely. */
export const PLANT_SUBSTEP_MS = 5;

/** External watchdog: valve power is cut when the heartbeat has not changed level for longer. */
export const WATCHDOG_TIMEOUT_MS = 250;

/** Core tissue / arterial temperature the tip thaws toward when in the body (Pennes T_a). */
export const BODY_TEMP_C = 37;

/** Treatment-room air temperature: a disconnected probe drifts toward it. */
export const AMBIENT_TEMP_C = 22;

/** Typical small solenoid response (command to seat moved), opening and closing alike. */
export const DEFAULT_VALVE_DELAY_MS = 30;

export interface PlantParams {
  /** Cylinder temperature; sets the saturation pressure while liquid remains. */
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
  /** How much warmer than the gas the tip settles under the tissue heat load. */
  readonly tissueHeatLoadC: number;
  /** Tip time constant toward the cold target while gas flows. */
  readonly coolTimeConstantMs: number;
  /** Tip time constant toward body (or ambient) temperature while no gas flows. */
  readonly thawTimeConstantMs: number;
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
  // Settles ~5 C above the 1.8 bar sublimation point (-71.3 C): about -66 C at the tip.
  tissueHeatLoadC: 5,
  // 3 s: from 37 C the tip passes -50 C about 6 s after the valves open.
  coolTimeConstantMs: 3_000,
  // 20 s: perfused tissue rewarms a small ice ball within tens of seconds.
  thawTimeConstantMs: 20_000,
  probePresent: true,
  probeId: 'SIM-PROBE-001',
});

export class PlantParamsError extends Error {
  override name = 'PlantParamsError';
}

const MIN_CYLINDER_TEMP_C = CO2_TRIPLE_POINT_TEMP_K - KELVIN_OFFSET;

/** Merge `overrides` over the defaults and range-check the result; throws PlantParamsError. */
export function resolvePlantParams(overrides: Partial<PlantParams> = {}): PlantParams {
  const p: PlantParams = { ...DEFAULT_PLANT_PARAMS, ...overrides };
  if (!(p.cylinderTempC >= MIN_CYLINDER_TEMP_C && p.cylinderTempC <= CO2_MAX_CYLINDER_TEMP_C)) {
    throw new PlantParamsError(
      `plant: cylinderTempC ${p.cylinderTempC} is outside the CO2 liquid range ` +
        `${MIN_CYLINDER_TEMP_C.toFixed(1)} to ${CO2_MAX_CYLINDER_TEMP_C} C`,
    );
  }
  const nonNegative: (keyof PlantParams)[] = ['liquidChargeG', 'valveDelayMs', 'lineDropBarPerGPerS', 'tissueHeatLoadC'];
  const positive: (keyof PlantParams)[] = [
    'vapourAtDryOutG', 'flowGPerSPerBar', 'returnRiseBarPerGPerS', 'returnTimeConstantMs',
    'coolTimeConstantMs', 'thawTimeConstantMs',
  ];
  for (const key of nonNegative) requireNumber(key, p[key], 0, false);
  for (const key of positive) requireNumber(key, p[key], 0, true);
  requireNumber('returnBlockedFactor', p.returnBlockedFactor, 1, false);
  return Object.freeze(p);
}

function requireNumber(key: string, value: unknown, min: number, exclusive: boolean): void {
  const ok = typeof value === 'number' && Number.isFinite(value) && (exclusive ? value > min : value >= min);
  if (!ok) {
    throw new PlantParamsError(`plant: ${key} must be a finite number ${exclusive ? '>' : '>='} ${min}, got ${String(value)}`);
  }
}
