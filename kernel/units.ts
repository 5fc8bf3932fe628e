// Units that are easy to mix up, kept apart by name. A pressure in this project is either gauge
// (relative to the atmosphere: what the supply transducer reports) or absolute (what the return
// line and the CO2 curves use); every field and variable says which (`supplyBarGauge`,
// `returnBarAbs`), and converting goes through `barGaugeFromAbs`.

/** Standard atmosphere, bar absolute: the return-line pressure assumed when it is not measured. */
export const ATMOSPHERIC_PRESSURE_BAR = 1.01325;

/** Absolute to gauge, at standard atmosphere. */
export function barGaugeFromAbs(barAbs: number): number {
  return barAbs - ATMOSPHERIC_PRESSURE_BAR;
}
