// The live ice-ball estimate and the efficacy verdict of each freeze (issue 11, section 2): the
// types the controller state carries and the console, the records, telemetry and the simulations
// read. The estimate is a model (the tissue model of kernel/bioheat with the measured tip as its
// wall and nominal tissue), not a measurement: docs/tissue-model.md gives its assumptions and
// uncertainty.

/** Distances from the probe axis, in mm, at which the modelled tissue is at 0, -20 and -40 C
 * (0 when the tissue is nowhere that cold). Ordered: r40Mm <= r20Mm <= r0Mm. */
export interface IceBallRadii {
  readonly r0Mm: number;
  readonly r20Mm: number;
  readonly r40Mm: number;
}

/** The estimate now: its radii and the loop time they were computed for. */
export interface IceBallEstimate extends IceBallRadii {
  readonly atMs: number;
}

/** Whether one freeze reached far enough: r(-20 C) at the freeze's end against the target radius,
 * and how long r(-20 C) stayed at or beyond it during the freeze. */
export interface FreezeVerdict {
  /** 1-based cycle of the treatment. */
  readonly cycle: number;
  /** Estimated r(-20 C) when the supply closed, mm; null when the estimate was not running
   * (the tip reading was not trusted), in which case the verdict is not effective. */
  readonly r20MmAtEnd: number | null;
  /** The target radius the verdict was judged against, mm. */
  readonly targetMm: number;
  /** Time r(-20 C) was at or beyond the target during this freeze, ms. */
  readonly atTargetMs: number;
  readonly effective: boolean;
}
