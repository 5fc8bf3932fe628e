// Calibration of a thermocouple channel against reference baths: calibrated = gain * raw + offsetC.
// One point fixes an offset; two or more fix offset and gain by least squares. Pure: the guided
// procedure, `cryo calibration fit` and the check of a stored record share it. The product's
// limits (DEFAULT_FIT_LIMITS) are constants: a caller may tighten them, never loosen them, so
// "accepted" always means a fit this console would use.

export interface CalibrationPoint {
  readonly referenceC: number;
  readonly rawC: number;
}

export interface FitLimits {
  /** Largest |reference - calibrated| accepted at any point, C. */
  readonly maxResidualC: number;
  /** The raw readings must span at least this, C, before a gain is fitted. */
  readonly minSpanC: number;
  /** Plausible gain range; outside it the channel is broken, not calibratable. */
  readonly gainMin: number;
  readonly gainMax: number;
  /** Largest |offsetC| accepted; beyond it the probe is broken or the wrong type, not calibratable. */
  readonly maxOffsetC: number;
}

/**
 * 3 C: the offset is the correction at a raw reading of 0 C. A healthy probe reads within its
 * ASTM E230 standard tolerance there: +-1.0 C for Type T and +-2.2 C for Type K (and +-1.18 C /
 * +-2.2 C at -78.5 C, shared/domain.md section 5). The front-end's cold-junction sensor adds up
 * to +-0.7 C (MAX31856 data sheet, -20 to +85 C). 2.2 + 0.7 = 2.9 C, rounded up: a probe off by
 * more has a broken junction, a wiring or type fault, or was not in the bath, and a correction
 * would hide that. A correction of 10 C once let the console call a tip at -7.8 C safe to
 * withdraw (issue 7, M4).
 */
export const MAX_OFFSET_C = 3;

export const DEFAULT_FIT_LIMITS: FitLimits = Object.freeze({
  // 0.5 C: issue 3's default; well inside the Type T standard tolerance of +-1.18 C at -78.5 C
  // (shared/domain.md section 5), so a calibrated probe is measurably better than an uncalibrated one.
  maxResidualC: 0.5,
  // 20 C: each bath point carries ~0.1 C of uncertainty (reference, bath stability, averaging), so
  // the slope through two points 20 C apart is known to 2 x 0.1 / 20 = 1 %: under 1 C of error at
  // -78 C. Closer points let noise masquerade as gain.
  minSpanC: 20,
  // +-4 %: the Seebeck coefficient is fixed by the alloys; a channel whose gain is off by more
  // than this has an amplifier, wiring or configuration fault that a calibration must not hide.
  // A Type K probe read as Type T (30.8 vs 33.0 uV/K at -78.5 C, domain section 5) fits a gain of
  // about 0.95 over ice and dry ice: outside the band, so the mix-up is rejected.
  gainMin: 0.96,
  gainMax: 1.04,
  maxOffsetC: MAX_OFFSET_C,
});

export interface CalibrationFit {
  readonly offsetC: number;
  readonly gain: number;
  /** reference - calibrated, one per point, in input order. */
  readonly residualsC: readonly number[];
  /** Largest |residual|; NaN when no fit could be computed. */
  readonly maxResidualC: number;
  readonly accepted: boolean;
  /** Empty when accepted; otherwise one plain sentence per reason. */
  readonly rejectionReasons: readonly string[];
}

/**
 * The product's limits tightened by the given ones; throws RangeError naming a limit that is
 * nonsensical or looser than the product's (DEFAULT_FIT_LIMITS).
 */
export function resolveFitLimits(limits: Partial<FitLimits> = {}): FitLimits {
  // A caller may pass `{ maxResidualC: undefined }` (an absent flag): that means the default.
  const given = Object.fromEntries(Object.entries(limits).filter(([, v]) => typeof v === 'number')) as Partial<FitLimits>;
  const p = DEFAULT_FIT_LIMITS;
  const l: FitLimits = { ...p, ...given };
  const bad = (field: keyof FitLimits, rule: string): never => {
    throw new RangeError(`fit limits: ${field}: must be ${rule} (got ${l[field]})`);
  };
  if (!(Number.isFinite(l.maxResidualC) && l.maxResidualC > 0 && l.maxResidualC <= p.maxResidualC)) {
    bad('maxResidualC', `a positive number of C, at most the product's ${p.maxResidualC}`);
  }
  if (!(Number.isFinite(l.minSpanC) && l.minSpanC >= p.minSpanC)) bad('minSpanC', `a number of C, at least the product's ${p.minSpanC}`);
  if (!(Number.isFinite(l.gainMin) && l.gainMin >= p.gainMin)) bad('gainMin', `a number, at least the product's ${p.gainMin}`);
  if (!(Number.isFinite(l.gainMax) && l.gainMax > l.gainMin && l.gainMax <= p.gainMax)) {
    bad('gainMax', `a number above gainMin ${l.gainMin}, at most the product's ${p.gainMax}`);
  }
  if (!(Number.isFinite(l.maxOffsetC) && l.maxOffsetC > 0 && l.maxOffsetC <= p.maxOffsetC)) {
    bad('maxOffsetC', `a positive number of C, at most the product's ${p.maxOffsetC}`);
  }
  return l;
}

/**
 * Fit offset (one point) or offset and gain (two or more, least squares) and judge the result.
 * Rejected when: there are no points or a value is not finite (then no fit is computed: the
 * identity, no residuals, maxResidualC NaN); the raw readings span less than minSpanC (then the
 * offset-only fit is returned, since no gain can be trusted, and its residuals are judged too);
 * the gain is implausible; the offset exceeds maxOffsetC; or a residual exceeds maxResidualC. With exactly two points the
 * least-squares line passes through both, so the residuals are zero and only the span and gain
 * checks can reject.
 */
export function fitCalibration(points: readonly CalibrationPoint[], limits?: Partial<FitLimits>): CalibrationFit {
  const l = resolveFitLimits(limits);
  if (points.length === 0) return unusable('no points: at least one reference point is needed');
  const badIndex = points.findIndex((p) => !Number.isFinite(p.referenceC) || !Number.isFinite(p.rawC));
  const bad = points[badIndex];
  if (bad !== undefined) {
    return unusable(`point ${badIndex + 1}: reference ${bad.referenceC} C, raw ${bad.rawC} C: every value must be a finite number`);
  }

  const reasons: string[] = [];
  const raws = points.map((p) => p.rawC);
  const spanC = Math.max(...raws) - Math.min(...raws);
  let line = offsetOnly(points);
  if (points.length >= 2 && spanC < l.minSpanC) {
    reasons.push(
      `points too close to fix a gain: the raw readings span ${round(spanC)} C, at least ${l.minSpanC} C is needed ` +
        '(use baths further apart, e.g. the ice point and dry ice in ethanol)',
    );
  } else if (points.length >= 2) {
    line = leastSquares(points);
    if (!(line.gain >= l.gainMin && line.gain <= l.gainMax)) {
      reasons.push(`gain ${round(line.gain)} is outside the plausible ${l.gainMin} to ${l.gainMax}: check the probe, its wiring and its thermocouple type`);
    }
  }

  if (!(Math.abs(line.offsetC) <= l.maxOffsetC)) {
    reasons.push(
      `offset ${round(line.offsetC)} C is outside +-${l.maxOffsetC} C, more than a healthy Type T or K probe is off by: ` +
        'check the probe, its wiring, its thermocouple type and that it was in the bath',
    );
  }
  const residualsC = points.map((p) => p.referenceC - (line.gain * p.rawC + line.offsetC));
  const absolute = residualsC.map(Math.abs);
  const maxResidualC = Math.max(...absolute);
  if (maxResidualC > l.maxResidualC) {
    const worst = absolute.indexOf(maxResidualC);
    const p = points[worst];
    reasons.push(
      `point ${worst + 1} (reference ${p?.referenceC} C, raw ${p?.rawC} C): residual ${round(residualsC[worst] ?? NaN)} C ` +
        `exceeds the limit of +-${l.maxResidualC} C: check that bath's stability and reference, then repeat it`,
    );
  }
  return { ...line, residualsC, maxResidualC, accepted: reasons.length === 0, rejectionReasons: reasons };
}

/** Apply a fit to a raw reading: calibrated = gain * raw + offsetC. */
export function applyCalibration(fit: { readonly offsetC: number; readonly gain: number }, rawC: number): number {
  return fit.gain * rawC + fit.offsetC;
}

interface Line {
  offsetC: number;
  gain: number;
}

function offsetOnly(points: readonly CalibrationPoint[]): Line {
  return { offsetC: mean(points.map((p) => p.referenceC - p.rawC)), gain: 1 };
}

/** Ordinary least squares of reference on raw, with centred sums for numerical stability. */
function leastSquares(points: readonly CalibrationPoint[]): Line {
  const rawMeanC = mean(points.map((p) => p.rawC));
  const refMeanC = mean(points.map((p) => p.referenceC));
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.rawC - rawMeanC) ** 2;
    sxy += (p.rawC - rawMeanC) * (p.referenceC - refMeanC);
  }
  const gain = sxy / sxx;
  return { offsetC: refMeanC - gain * rawMeanC, gain };
}

function unusable(reason: string): CalibrationFit {
  return { offsetC: 0, gain: 1, residualsC: [], maxResidualC: NaN, accepted: false, rejectionReasons: [reason] };
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const round = (x: number): number => Number(x.toPrecision(6));
