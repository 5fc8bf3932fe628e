// Tissue and grid parameters of the bioheat model, validated once at the boundary (zod, bounds,
// units in the names). Figures: shared/domain.md section 3 (Pennes bioheat equation, typical soft
// tissue). The bounds are the plausible range for soft tissue around a peripheral nerve, wide
// enough for a scenario to probe the extremes, narrow enough that the model stays meaningful.
import { z } from 'zod';
import { describeIssues } from '../config-error.js';

/** Pennes arterial (core) temperature, C: the tissue starts there and the far boundary stays there. */
export const ARTERIAL_TEMP_C = 37;

export interface TissueParams {
  /** Thermal conductivity of unfrozen tissue, W/m/K (domain section 3: 0.5). */
  readonly kUnfrozenWPerMK: number;
  /** Thermal conductivity of frozen tissue, W/m/K (domain section 3: 2.0). */
  readonly kFrozenWPerMK: number;
  /** Volumetric heat capacity of unfrozen tissue, MJ/m3/K (domain section 3: 3.6). */
  readonly heatCapUnfrozenMJPerM3K: number;
  /** Volumetric heat capacity of frozen tissue, MJ/m3/K (domain section 3: 1.8). */
  readonly heatCapFrozenMJPerM3K: number;
  /** Latent heat of the tissue water, MJ/m3, released evenly across the freezing band (250). */
  readonly latentHeatMJPerM3: number;
  /** Bottom of the freezing band, C: below it the tissue is wholly frozen (-8). */
  readonly freezeBandLowC: number;
  /** Top of the freezing band, C: above it the tissue is wholly unfrozen (-1). */
  readonly freezeBandHighC: number;
  /** Perfusion w_b * rho_b * c_b, W/m3/K (1800); off in frozen tissue. */
  readonly perfusionWPerM3K: number;
  /** Metabolic heat q_met, W/m3 (420); off in frozen tissue. */
  readonly metabolicWPerM3: number;
  /** Arterial blood temperature T_a, C (37): perfusion pulls tissue toward it. */
  readonly arterialC: number;
}

export const DEFAULT_TISSUE_PARAMS: TissueParams = Object.freeze({
  kUnfrozenWPerMK: 0.5,
  kFrozenWPerMK: 2.0,
  heatCapUnfrozenMJPerM3K: 3.6,
  heatCapFrozenMJPerM3K: 1.8,
  latentHeatMJPerM3: 250,
  freezeBandLowC: -8,
  freezeBandHighC: -1,
  perfusionWPerM3K: 1800,
  metabolicWPerM3: 420,
  arterialC: ARTERIAL_TEMP_C,
});

/** Narrowest freezing band, C: a sharper one makes the enthalpy slope (latent / width) huge. */
export const MIN_BAND_WIDTH_C = 1;

/** zod 4 numbers refuse NaN and the infinities by default. */
const finite = (min: number, max: number): z.ZodNumber => z.number().min(min).max(max);

/**
 * Bounds: conductivity 0.2-1.0 unfrozen (fat to muscle) and 1.0-3.0 frozen; heat capacity
 * 2.0-4.5 and 1.0-3.0 MJ/m3/K; latent heat 100-350 MJ/m3 (tissue is 40-100 % water, ice 334);
 * the band inside -20..0 C and at least 1 C wide (the enthalpy curve needs a finite slope there);
 * perfusion 0 (none) to 20000 W/m3/K (ten times resting muscle); q_met 0-10000 W/m3; T_a 30-42 C.
 */
export const TissueParamsSchema = z
  .object({
    kUnfrozenWPerMK: finite(0.2, 1.0),
    kFrozenWPerMK: finite(1.0, 3.0),
    heatCapUnfrozenMJPerM3K: finite(2.0, 4.5),
    heatCapFrozenMJPerM3K: finite(1.0, 3.0),
    latentHeatMJPerM3: finite(100, 350),
    freezeBandLowC: finite(-20, -1),
    freezeBandHighC: finite(-19, 0),
    perfusionWPerM3K: finite(0, 20_000),
    metabolicWPerM3: finite(0, 10_000),
    arterialC: finite(30, 42),
  })
  .strict()
  .refine((p) => p.freezeBandHighC - p.freezeBandLowC >= MIN_BAND_WIDTH_C, {
    message: `the freezing band must be at least ${MIN_BAND_WIDTH_C} C wide (freezeBandHighC - freezeBandLowC)`,
    path: ['freezeBandHighC'],
  });

export interface GridParams {
  /** Probe outer radius, mm: the tissue starts at the probe wall (half the probe OD). */
  readonly probeRadiusMm: number;
  /** Outer edge of the grid, mm from the axis, held at T_a. 25 mm: the perfusion length
   * sqrt(k / (w_b rho_b c_b)) is 17 mm and the largest ice ball of domain section 3 is 8 mm. */
  readonly outerRadiusMm: number;
  /** Width of the first cell at the wall, mm; cells grow geometrically outward. */
  readonly wallCellMm: number;
  /** Ratio of each cell's width to the one inside it (1 = uniform). */
  readonly growth: number;
  /** Each base cell is split into this many equal parts (2 halves every spacing: the convergence test). */
  readonly subdivisions: number;
}

export const DEFAULT_GRID = Object.freeze({
  outerRadiusMm: 25,
  wallCellMm: 0.05,
  growth: 1.06,
  subdivisions: 1,
}) satisfies Omit<GridParams, 'probeRadiusMm'>;

/** Bounds: a probe of 0.3-5 mm OD (30 G needle to a 15 G tumour probe); outer edge 10-60 mm;
 * wall cell 0.005-0.5 mm; growth 1-1.3; up to 8 subdivisions (the grid stays under MAX_NODES). */
export const GridParamsSchema = z
  .object({
    probeRadiusMm: finite(0.15, 2.5),
    outerRadiusMm: finite(10, 60),
    wallCellMm: finite(0.005, 0.5),
    growth: finite(1, 1.3),
    subdivisions: z.number().int().min(1).max(8),
  })
  .strict();

export class BioheatParamsError extends Error {
  override name = 'BioheatParamsError';
}

/** Validate tissue parameters (unknown input); the error names each bad field and its value. */
export function parseTissueParams(input: unknown, source = 'tissue'): TissueParams {
  const result = TissueParamsSchema.safeParse(input);
  if (!result.success) throw new BioheatParamsError(describeIssues(source, result.error, input));
  return Object.freeze(result.data);
}

/** Defaults merged with `overrides`, validated. */
export function resolveTissueParams(overrides: Partial<TissueParams> = {}, source = 'tissue'): TissueParams {
  return parseTissueParams({ ...DEFAULT_TISSUE_PARAMS, ...overrides }, source);
}

/** Validate grid parameters; the error names each bad field and its value. */
export function parseGridParams(input: unknown, source = 'grid'): GridParams {
  const result = GridParamsSchema.safeParse(input);
  if (!result.success) throw new BioheatParamsError(describeIssues(source, result.error, input));
  return Object.freeze(result.data);
}

/** The default grid around a probe of outer diameter `probeOdMm`, with `overrides`, validated. */
export function gridForProbe(probeOdMm: number, overrides: Partial<Omit<GridParams, 'probeRadiusMm'>> = {}): GridParams {
  return parseGridParams({ ...DEFAULT_GRID, ...overrides, probeRadiusMm: probeOdMm / 2 });
}
