// Public surface of the simulated plant.

export { Plant, type PlantConditions, type PlantState } from './plant.js';
export {
  AMBIENT_TEMP_C,
  BODY_TEMP_C,
  DEFAULT_PLANT_PARAMS,
  DEFAULT_VALVE_DELAY_MS,
  PLANT_SUBSTEP_MS,
  PlantParamsError,
  TISSUE_STEP_MS,
  WATCHDOG_TIMEOUT_MS,
  resolvePlantParams,
  type PlantOverrides,
  type PlantParams,
} from './params.js';
export { gasTempC, jtOutletTempC, sublimationFloorC } from './probe-thermal.js';
export { FirstOrderLag, firstOrderStep } from './first-order.js';
export { MAX_REWARM_BOUND_MS, tissueRewarmBoundMs } from './rewarm.js';
