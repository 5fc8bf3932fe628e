// Parameters of the simulated sensors: tip thermocouple front-end and pressure transducers.

export interface SensorParams {
  /** Thermocouple junction + sheath first-order lag. */
  readonly tcLagMs: number;
  readonly tcNoiseSdC: number;
  /** Temperature register LSB. */
  readonly tcResolutionC: number;
  /** Cold-junction (terminal block) temperature inside the console. */
  readonly coldJunctionC: number;
  readonly cjNoiseSdC: number;
  readonly cjResolutionC: number;
  /** Supply transducer: reports bar gauge, as the HAL contract says. */
  readonly supplyNoiseSdBar: number;
  readonly supplyResolutionBar: number;
  readonly supplyFullScaleBar: number;
  /** Return-line transducer: reports bar absolute. */
  readonly returnNoiseSdBar: number;
  readonly returnResolutionBar: number;
  readonly returnFullScaleBar: number;
  /**
   * Probe error, for calibration practice: the raw tip reading is
   * `probeGainError * true + probeOffsetErrorC` before noise and quantisation. The defaults
   * (1, 0) are a perfect probe.
   */
  readonly probeOffsetErrorC: number;
  readonly probeGainError: number;
}

/** 12-bit converters on the pressure transducers. */
const PRESSURE_ADC_COUNTS = 4096;
const SUPPLY_FULL_SCALE_BAR = 100;
const RETURN_FULL_SCALE_BAR = 10;

export const DEFAULT_SENSOR_PARAMS: SensorParams = Object.freeze({
  // A grounded 1 mm sheath junction in tissue responds in a few hundred ms.
  tcLagMs: 250,
  tcNoiseSdC: 0.08,
  // MAX31856 linearised thermocouple register: 2^-7 C per LSB.
  tcResolutionC: 0.0078125,
  // Electronics warm the terminal block a few C above the 22 C room.
  coldJunctionC: 25,
  cjNoiseSdC: 0.01,
  // MAX31856 cold-junction register: 2^-6 C per LSB.
  cjResolutionC: 0.015625,
  // 0-100 bar gauge transducer, ~0.05 % FS noise.
  supplyNoiseSdBar: 0.05,
  supplyResolutionBar: SUPPLY_FULL_SCALE_BAR / PRESSURE_ADC_COUNTS,
  supplyFullScaleBar: SUPPLY_FULL_SCALE_BAR,
  // 0-10 bar absolute transducer, ~0.1 % FS noise: fine enough to place the sublimation floor
  // within a fraction of a degree (about 7 C per bar near 2 bar).
  returnNoiseSdBar: 0.01,
  returnResolutionBar: RETURN_FULL_SCALE_BAR / PRESSURE_ADC_COUNTS,
  returnFullScaleBar: RETURN_FULL_SCALE_BAR,
  probeOffsetErrorC: 0,
  probeGainError: 1,
});

export class SensorParamsError extends Error {
  override name = 'SensorParamsError';
}

/** Merge `overrides` over the defaults and range-check the result; throws SensorParamsError. */
export function resolveSensorParams(overrides: Partial<SensorParams> = {}): SensorParams {
  const p: SensorParams = { ...DEFAULT_SENSOR_PARAMS, ...overrides };
  const positive: (keyof SensorParams)[] = [
    'tcLagMs', 'tcResolutionC', 'cjResolutionC', 'supplyResolutionBar', 'supplyFullScaleBar',
    'returnResolutionBar', 'returnFullScaleBar', 'probeGainError',
  ];
  const nonNegative: (keyof SensorParams)[] = ['tcNoiseSdC', 'cjNoiseSdC', 'supplyNoiseSdBar', 'returnNoiseSdBar'];
  for (const key of positive) requireAbove(key, p[key], 0, true);
  for (const key of nonNegative) requireAbove(key, p[key], 0, false);
  requireAbove('coldJunctionC', p.coldJunctionC, -Infinity, true);
  requireAbove('probeOffsetErrorC', p.probeOffsetErrorC, -Infinity, true);
  return Object.freeze(p);
}

function requireAbove(key: string, value: unknown, min: number, exclusive: boolean): void {
  const ok = typeof value === 'number' && Number.isFinite(value) && (exclusive ? value > min : value >= min);
  if (!ok) {
    throw new SensorParamsError(`sim sensor: ${key} must be a finite number ${exclusive ? '>' : '>='} ${min}, got ${String(value)}`);
  }
}

/** Round to the converter's LSB, as the register does. */
export function quantise(value: number, resolution: number): number {
  return Math.round(value / resolution) * resolution;
}
