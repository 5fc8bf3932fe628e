// How injected faults act on the physical plant (sensor faults act in thermocouple.ts).

import type { FaultFlags } from '../faults.js';
import type { PlantConditions } from '../plant/index.js';

/** A failing regulator: 30 bar feed reaches only about -20 C at the orifice (domain section 2). */
export const SUPPLY_LOW_FAULT_BAR = 30;
/**
 * Over-pressure: a warm cylinder or the wrong regulator, above the 70 bar window top. It is
 * imposed whatever the cylinder holds: the fault models a source, not the cylinder physics.
 */
export const SUPPLY_HIGH_FAULT_BAR = 80;

/**
 * Plant conditions for the faults `active` now. `supply-low` cannot raise a cylinder that is
 * already below it; if both supply faults are active the high one wins (the worse hazard).
 */
export function plantConditionsFor(
  active: FaultFlags,
  cylinderBar: number,
  estopByOperator: boolean,
  probeFitted: boolean,
): PlantConditions {
  let supplyOverrideBar: number | null = null;
  if (active['supply-high']) supplyOverrideBar = SUPPLY_HIGH_FAULT_BAR;
  else if (active['supply-low']) supplyOverrideBar = Math.min(SUPPLY_LOW_FAULT_BAR, cylinderBar);
  return {
    supplyOverrideBar,
    returnBlocked: active['return-blocked'],
    supplyValveStuckOpen: active['valve-stuck-open'],
    estopPressed: estopByOperator || active.estop,
    probePresent: probeFitted && !active['probe-disconnect'],
  };
}
