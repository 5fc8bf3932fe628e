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
  type FluxWall,
  type SolverOptions,
  type WallCondition,
} from './solver.js';
export {
  ARTERIAL_TEMP_C,
  BioheatParamsError,
  DEFAULT_GRID,
  DEFAULT_TISSUE_PARAMS,
  GridParamsSchema,
  TissueParamsSchema,
  gridForProbe,
  parseGridParams,
  parseTissueParams,
  resolveTissueParams,
  type GridParams,
  type TissueParams,
} from './params.js';
export { MAX_NODES } from './grid.js';
