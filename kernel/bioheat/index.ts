// Public surface of the bioheat model (shared by the plant in hil/ and the live estimate in
// src/controller): pure, deterministic, allocation-free per step. docs/tissue-model.md.
export {
  BioheatSnapshot,
  BioheatSolver,
  DEEP_ISOTHERM_C,
  DEFAULT_SOLVER_OPTIONS,
  ICE_EDGE_C,
  LETHAL_ISOTHERM_C,
  MAX_WALL_C,
  MIN_WALL_C,
  type FixedWall,
  type FixedWallStep,
  type FluxWall,
  type IsothermRadii,
  type SolverOptions,
  type WallCondition,
} from './solver.js';
export {
  ARTERIAL_TEMP_C,
  BioheatParamsError,
  DEFAULT_GRID,
  DEFAULT_TISSUE_PARAMS,
  GridParamsSchema,
  MIN_BAND_WIDTH_C,
  TissueParamsSchema,
  gridForProbe,
  parseGridParams,
  parseTissueParams,
  resolveTissueParams,
  type GridParams,
  type TissueParams,
} from './params.js';
export { MAX_NODES } from './grid.js';
export {
  ACCURATE_THAW_OPTIONS,
  CO2_COLDEST_WALL_C,
  COARSE_THAW_OPTIONS,
  THAWED_WALL_C,
  passiveThawS,
  passiveThawsS,
  tissueFieldRange,
  tissueSchemaCorners,
  type PassiveThawOptions,
} from './thaw-bound.js';
