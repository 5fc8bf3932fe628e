// Public surface of the simulated back-end.

export { SimHal, type SimHalOptions } from './sim-hal.js';
export { DEFAULT_SENSOR_PARAMS, SensorParamsError, resolveSensorParams, type SensorParams } from './sensor-params.js';
export { TC_OPEN_READING_C, TC_SHORT_READING_C, TIP_READS_COLD_C } from './thermocouple.js';
export { SUPPLY_HIGH_FAULT_BAR, SUPPLY_LOW_FAULT_BAR } from './fault-conditions.js';
export type { OperatorButton } from './operator-panel.js';
