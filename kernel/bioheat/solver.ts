// Pennes bioheat equation with an enthalpy method, on a 1-D radial (cylindrical) grid around the
// probe (shared/domain.md section 3):
//   dH/dt = (1/r) d/dr (k r dT/dr) + phi * (w_b rho_b c_b (T_a - T) + q_met),   T = T(H)
// with phi the unfrozen fraction (perfusion and metabolism off in frozen tissue).
//
// Finite volumes, backward Euler (unconditionally stable), the enthalpy linearised about the last
// iterate and corrected (Swaminathan & Voller's source update): each iteration is one tridiagonal
// solve, and the energy ledger balances exactly whatever the iteration count. Pure TypeScript, no
// Node, no clock, deterministic; every array is allocated in the constructor, so a step allocates
// nothing.
//
// Ownership: a solver is mutable state owned by one caller. A pure caller (the control step, whose
// state passed in is never mutated) keeps its own scratch solver and `copyFrom`s the previous
// state into it before stepping; `clone()` allocates a copy for callers off the hot path.
import { assert } from '../assert.js';
import { enthalpyCurve, enthalpyJPerM3, slopeJPerM3K, tempCFromEnthalpy, unfrozenFraction, type EnthalpyCurve } from './enthalpy.js';
import { gridRadiiM } from './grid.js';
import type { GridParams, TissueParams } from './params.js';

/** The wall held at a temperature (the fixed-wall validation cases of domain section 3). */
export interface FixedWall {
  readonly kind: 'temperature';
  readonly wallC: number;
}

/** Heat drawn through the wall by the gas: q = h * (T_wall - T_gas), W/m2 (h = 0: no gas, adiabatic). */
export interface FluxWall {
  readonly kind: 'flux';
  readonly gasC: number;
  readonly hWPerM2K: number;
}

export type WallCondition = FixedWall | FluxWall;

/** One fixed-wall advance's numbers, in an object its caller keeps and rewrites
 * (BioheatSolver.advanceFixedWallBy). */
export interface FixedWallStep {
  /** The advance's length, s. */
  readonly stepS: number;
  /** The wall temperature, C. */
  readonly wallC: number;
}

/** The three radii of interest, mm from the axis, as BioheatSolver.radiiInto writes them. */
export interface IsothermRadii {
  r0Mm: number;
  r20Mm: number;
  r40Mm: number;
}

export interface SolverOptions {
  /** Longest implicit step, s; `step` splits a longer interval evenly. */
  readonly maxStepS: number;
  /** Iterations stop when no node moves more than this between the linear solve and T(H), C. */
  readonly toleranceC: number;
  /** Iteration cap per step (a bound on the cost; the ledger balances whatever the count). */
  readonly maxIterations: number;
}

/** 50 ms: backward Euler error at the radii stays well under 1 % of domain section 3's figures
 * (tests/bioheat-validation.test.ts), and a 50 Hz controller takes one step per tick. */
export const DEFAULT_SOLVER_OPTIONS: SolverOptions = Object.freeze({ maxStepS: 0.05, toleranceC: 1e-3, maxIterations: 12 });

/** Isotherms of interest (domain section 3): the ice edge, the lethal -20 C and the deep -40 C. */
export const ICE_EDGE_C = 0;
export const LETHAL_ISOTHERM_C = -20;
export const DEEP_ISOTHERM_C = -40;

/** Wall temperatures the solver accepts, C: colder than liquid nitrogen or hotter than boiling is a bug. */
/** The wall (and gas) temperatures a step accepts, C: a caller feeding a measured value clamps to them. */
export const MIN_WALL_C = -200;
export const MAX_WALL_C = 100;
/** Gas-side heat transfer coefficients the solver accepts, W/m2/K (0 = adiabatic). */
const MAX_H_W_PER_M2K = 1e6;
const TWO_PI = 2 * Math.PI;
/** Slots of #sums: time stepped, s; heat drawn through the wall, by perfusion and metabolism, and
 * across the outer edge, J per metre of probe. */
const TIME_S = 0;
const WALL_J_PER_M = 1;
const PERFUSION_J_PER_M = 2;
const OUTER_J_PER_M = 3;
/** The step under way (handed to the private methods here, not as arguments: a double passed to a
 * call V8 does not inline is boxed): substep length, s; wall or gas temperature, C; h, W/m2/K. */
const SUB_S = 4;
const WALL_OR_GAS_C = 5;
const H_W_PER_M2K = 6;
const SUM_COUNT = 7;
/** BioheatSolver's results (#outs): the last iteration's largest move, C, and the last advance's
 * mean wall flux, W/m2. */
const OUT_MOVED_C = 0;
const OUT_WALL_FLUX_W_PER_M2 = 1;
const OUT_COUNT = 2;
/** BioheatSolver's advance asked for (#next): its length, s; the wall or gas temperature, C; h,
 * W/m2/K (0 for a fixed wall). */
const NEXT_S = 0;
const NEXT_WALL_OR_GAS_C = 1;
const NEXT_H_W_PER_M2K = 2;
const NEXT_COUNT = 3;
const MM_PER_M = 1000;

/** Whether `value` is finite and within lo..hi. The step's checks test it first and build their
 * message only on failure: a template string formatting a double costs about 0.2 us (a
 * micro-benchmark, Node 20), a sixth of a whole 50 ms step. */
function inRange(value: number, lo: number, hi: number): boolean {
  return Number.isFinite(value) && value >= lo && value <= hi;
}

/** Refuses (throws) an advance whose length, wall or gas temperature (`side`) or h is not a number
 * in its range. The public advances call it on a value that is not a number at all before it can
 * enter the typed array (#next), which would turn null into 0 and '0.1' into 0.1: an untyped
 * caller's mistake taken for a wall at 0 C (every non-number fails one of its checks); #advance
 * calls it on every advance before anything is written. Only the failure builds a message. */
function checkAdvance(dtS: number, wallOrGasC: number, hWPerM2K: number, side: 'wall' | 'gas'): void {
  if (!inRange(wallOrGasC, MIN_WALL_C, MAX_WALL_C)) assert(false, `bioheat: ${side} temperature ${String(wallOrGasC)} C is out of range`);
  if (!inRange(hWPerM2K, 0, MAX_H_W_PER_M2K)) assert(false, `bioheat: h ${String(hWPerM2K)} W/m2/K is out of range`);
  if (!(Number.isFinite(dtS) && dtS > 0)) assert(false, `bioheat: cannot step by ${String(dtS)} s`);
}

export class BioheatSolver {
  readonly tissue: TissueParams;
  readonly grid: GridParams;
  readonly options: SolverOptions;
  readonly #curve: EnthalpyCurve;
  /** Node radii, m. */
  readonly #r: Float64Array;
  /** Control volume of each node per radian per metre of probe, m2 (r dr). */
  readonly #vol: Float64Array;
  /** Geometric conductance of the face between node i and i+1: 1 / ln(r[i+1] / r[i]) (exact in a cylinder). */
  readonly #geo: Float64Array;
  /** State: volumetric enthalpy, J/m3, and the temperature it implies, C. */
  readonly #h: Float64Array;
  readonly #t: Float64Array;
  // Scratch, reused every step.
  readonly #hOld: Float64Array;
  readonly #tSol: Float64Array;
  readonly #cap: Float64Array;
  readonly #phi: Float64Array;
  readonly #kFace: Float64Array;
  readonly #c: Float64Array;
  readonly #d: Float64Array;
  /** Scalars kept in a typed array, so that updating them stores in place (a double in an object
   * field may be boxed afresh on each store). */
  readonly #sums = new Float64Array(SUM_COUNT);
  #lastIterations = 0;
  /** The snapshot this solver's state equals (the last one it took or restored), or null once
   * anything has moved the state since: restoring it again copies nothing. Every method that
   * writes the state clears it first. */
  #held: BioheatSnapshot | null = null;
  /** The held snapshot's version when this solver took or restored it (a recyclable snapshot is
   * written again: BioheatSnapshot.version). */
  #heldVersion = 0;
  /** r(0 C), r(-20 C) and r(-40 C) of the current state, mm (r0Mm, r20Mm, r40Mm), found together
   * on the first ask; stale once anything writes the state (#stateMoved, or a restore that copies). */
  readonly #radiiMm = new Float64Array(3);
  #radiiStale = true;
  /** Grid and tissue as text: two solvers may copy state only when these match. */
  readonly #shape: string;

  /** `tissue` and `grid` must already be validated (parseTissueParams / parseGridParams). */
  constructor(tissue: TissueParams, grid: GridParams, options: SolverOptions = DEFAULT_SOLVER_OPTIONS) {
    assert(options.maxStepS > 0 && options.toleranceC > 0 && options.maxIterations >= 1, 'bioheat: solver options out of range');
    this.tissue = tissue;
    this.grid = grid;
    this.options = options;
    this.#curve = enthalpyCurve(tissue);
    this.#shape = JSON.stringify([grid, tissue]);
    this.#r = gridRadiiM(grid);
    const n = this.#r.length;
    this.#vol = new Float64Array(n);
    this.#geo = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const r = this.#r[i] ?? 0;
      const inner = i === 0 ? r : (r + (this.#r[i - 1] ?? 0)) / 2;
      const outer = i === n - 1 ? r : (r + (this.#r[i + 1] ?? 0)) / 2;
      this.#vol[i] = (outer * outer - inner * inner) / 2;
      if (i < n - 1) this.#geo[i] = 1 / Math.log((this.#r[i + 1] ?? 0) / r);
    }
    this.#h = new Float64Array(n);
    this.#t = new Float64Array(n);
    this.#hOld = new Float64Array(n);
    this.#tSol = new Float64Array(n);
    this.#cap = new Float64Array(n);
    this.#phi = new Float64Array(n);
    this.#kFace = new Float64Array(n);
    this.#c = new Float64Array(n);
    this.#d = new Float64Array(n);
    this.reset();
  }

  /** Back to tissue at T_a everywhere, time and ledgers at zero. */
  reset(): void {
    this.#stateMoved();
    const h = enthalpyJPerM3(this.#curve, this.tissue.arterialC);
    this.#h.fill(h);
    this.#t.fill(this.tissue.arterialC);
    this.#sums.fill(0);
    // As constructed: a snapshot of a reset solver does not depend on what it solved before.
    this.#lastIterations = 0;
  }

  get nodeCount(): number {
    return this.#r.length;
  }

  /** Time stepped since construction or reset, s. */
  get timeS(): number {
    return this.#sums[TIME_S] ?? 0;
  }

  /** Temperature of the tissue at the probe wall, C (what a thermocouple on the wall reads). */
  get wallC(): number {
    return this.#t[0] ?? Number.NaN;
  }

  /** Heat drawn out of the tissue through the wall since reset, J per metre of probe. */
  get wallDrawnJPerM(): number {
    return this.#sums[WALL_J_PER_M] ?? 0;
  }

  /** Heat brought in by perfusion and metabolism since reset, J per metre of probe. */
  get perfusionJPerM(): number {
    return this.#sums[PERFUSION_J_PER_M] ?? 0;
  }

  /** Heat conducted in across the outer edge since reset, J per metre of probe. */
  get outerJPerM(): number {
    return this.#sums[OUTER_J_PER_M] ?? 0;
  }

  /** Iterations the last implicit step took (a cost figure for the bench). */
  get lastIterations(): number {
    return this.#lastIterations;
  }

  nodeRadiusMm(i: number): number {
    return (this.#r[i] ?? Number.NaN) * MM_PER_M;
  }

  nodeTempC(i: number): number {
    return this.#t[i] ?? Number.NaN;
  }

  /** Enthalpy of the tissue on the grid relative to the bottom of the freezing band, J per metre. */
  enthalpyJPerM(): number {
    let sum = 0;
    for (let i = 0; i < this.#r.length - 1; i++) sum += (this.#vol[i] ?? 0) * (this.#h[i] ?? 0);
    return sum * TWO_PI;
  }

  /**
   * Advance `dtS` seconds under `wall`; returns the mean heat flux drawn out of the tissue through
   * the probe wall, W/m2 (positive while freezing).
   */
  step(dtS: number, wall: WallCondition): number {
    return wall.kind === 'temperature' ? this.stepFixedWall(dtS, wall.wallC) : this.stepFluxWall(dtS, wall.gasC, wall.hWPerM2K);
  }

  /** Advance `dtS` seconds with the wall held at `wallC`; returns the mean wall heat flux drawn, W/m2. */
  stepFixedWall(dtS: number, wallC: number): number {
    this.advanceFixedWall(dtS, wallC);
    return this.#outs[OUT_WALL_FLUX_W_PER_M2] ?? 0;
  }

  /** Advance `dtS` seconds with q = h * (T_wall - T_gas) drawn through the wall; returns its mean, W/m2. */
  stepFluxWall(dtS: number, gasC: number, hWPerM2K: number): number {
    this.advanceFluxWall(dtS, gasC, hWPerM2K);
    return this.#outs[OUT_WALL_FLUX_W_PER_M2] ?? 0;
  }

  /** stepFixedWall without its result (wallFluxWPerM2 has it): a double returned from a call the
   * compiler does not inline is boxed, 16 bytes a call (the live estimate's quiet tick allocates nothing). */
  advanceFixedWall(dtS: number, wallC: number): void {
    if (typeof (dtS as unknown) !== 'number' || typeof (wallC as unknown) !== 'number') checkAdvance(dtS, wallC, 0, 'wall');
    const next = this.#next;
    next[NEXT_S] = dtS;
    next[NEXT_WALL_OR_GAS_C] = wallC;
    next[NEXT_H_W_PER_M2K] = 0;
    this.#advance(true);
  }

  /** advanceFixedWall by `step.stepS` seconds with the wall at `step.wallC`: the numbers in an object
   * the caller keeps, not passed as arguments, which are boxed, 16 bytes each, when the call is not
   * inlined (the live estimate advances ten times a second, src/controller/ice-ball-estimate.ts). */
  advanceFixedWallBy(step: FixedWallStep): void {
    const { stepS, wallC } = step;
    if (typeof (stepS as unknown) !== 'number' || typeof (wallC as unknown) !== 'number') checkAdvance(stepS, wallC, 0, 'wall');
    const next = this.#next;
    next[NEXT_S] = stepS;
    next[NEXT_WALL_OR_GAS_C] = wallC;
    next[NEXT_H_W_PER_M2K] = 0;
    this.#advance(true);
  }

  /** stepFluxWall without its result (wallFluxWPerM2 has it), as advanceFixedWall. */
  advanceFluxWall(dtS: number, gasC: number, hWPerM2K: number): void {
    if (typeof (dtS as unknown) !== 'number' || typeof (gasC as unknown) !== 'number' || typeof (hWPerM2K as unknown) !== 'number') checkAdvance(dtS, gasC, hWPerM2K, 'gas');
    const next = this.#next;
    next[NEXT_S] = dtS;
    next[NEXT_WALL_OR_GAS_C] = gasC;
    next[NEXT_H_W_PER_M2K] = hWPerM2K;
    this.#advance(false);
  }

  /** The mean heat flux drawn out of the tissue through the probe wall over the last advance, W/m2
   * (positive while freezing); 0 before any. */
  get wallFluxWPerM2(): number {
    return this.#outs[OUT_WALL_FLUX_W_PER_M2] ?? 0;
  }

  /** Results kept in a typed array, not returned: OUT_MOVED_C (the last iteration's largest move)
   * and OUT_WALL_FLUX_W_PER_M2 (the last advance's mean wall flux). */
  readonly #outs = new Float64Array(OUT_COUNT);

  /** The advance asked for (NEXT_ slots), handed to #advance here rather than as arguments (a
   * double passed to a call V8 does not inline is boxed). Not state: no snapshot holds it. */
  readonly #next = new Float64Array(NEXT_COUNT);

  /** Advance by the #next slots, checked first (checkAdvance), so that a refused advance writes
   * nothing. The public advances let only numbers into the slots, which hold them exactly. */
  #advance(fixed: boolean): void {
    const next = this.#next;
    const dtS = next[NEXT_S] ?? Number.NaN;
    const wallOrGasC = next[NEXT_WALL_OR_GAS_C] ?? Number.NaN;
    const hWPerM2K = next[NEXT_H_W_PER_M2K] ?? Number.NaN;
    checkAdvance(dtS, wallOrGasC, hWPerM2K, fixed ? 'wall' : 'gas');
    this.#stateMoved();
    const steps = Math.ceil(dtS / this.options.maxStepS - 1e-9);
    const subS = dtS / steps;
    const sums = this.#sums;
    const before = sums[WALL_J_PER_M] ?? 0;
    sums[SUB_S] = subS;
    sums[WALL_OR_GAS_C] = wallOrGasC;
    sums[H_W_PER_M2K] = hWPerM2K;
    for (let s = 0; s < steps; s++) this.#implicitStep(fixed);
    sums[TIME_S] = (sums[TIME_S] ?? 0) + dtS;
    const wallAreaM2PerM = TWO_PI * (this.#r[0] ?? 0);
    this.#outs[OUT_WALL_FLUX_W_PER_M2] = ((sums[WALL_J_PER_M] ?? 0) - before) / dtS / wallAreaM2PerM;
  }

  #implicitStep(fixed: boolean): void {
    this.#hOld.set(this.#h);
    if (fixed) this.#pinWall();
    let iterations = 0;
    let moved = Number.POSITIVE_INFINITY;
    while (iterations < this.options.maxIterations && moved > this.options.toleranceC) {
      this.#solveLinearised(fixed);
      moved = this.#outs[OUT_MOVED_C] ?? 0;
      iterations += 1;
    }
    this.#lastIterations = iterations;
    this.#book(fixed);
  }

  /** A fixed wall: node 0 takes the wall temperature (its half cell is tissue touching the probe). */
  #pinWall(): void {
    const wallC = this.#sums[WALL_OR_GAS_C] ?? 0;
    this.#t[0] = wallC;
    this.#h[0] = enthalpyJPerM3(this.#curve, wallC);
    this.#tSol[0] = wallC;
  }

  /**
   * One iteration: a linear solve of the backward-Euler system linearised about the current
   * iterate, into #tSol, then the enthalpy of each unknown node corrected by it and its
   * temperature T(H); the largest move between the solve and T(H), C, goes to #outs. The matrix is
   * tridiagonal and diagonally dominant: one forward pass forms each node's unfrozen fraction,
   * heat capacity and conductivity, the face conductances and the rows of the Thomas algorithm's
   * forward sweep; the back substitution updates each node as it solves it (the nodes are
   * independent given the solve).
   */
  #solveLinearised(fixed: boolean): void {
    const n = this.#r.length;
    const sums = this.#sums;
    const dtS = sums[SUB_S] ?? 0;
    const wallOrGasC = sums[WALL_OR_GAS_C] ?? 0;
    const hWPerM2K = sums[H_W_PER_M2K] ?? 0;
    const p = this.tissue;
    const curve = this.#curve;
    const t = this.#t;
    const h = this.#h;
    const hOld = this.#hOld;
    const vol = this.#vol;
    const geo = this.#geo;
    const cap = this.#cap;
    const phiOf = this.#phi;
    const g = this.#kFace;
    const cPrime = this.#c;
    const dPrime = this.#d;
    const kF = p.kFrozenWPerMK;
    const kU = p.kUnfrozenWPerMK;
    const perfusion = p.perfusionWPerM3K;
    const arterialC = p.arterialC;
    const source = perfusion * arterialC + p.metabolicWPerM3;
    const first = fixed ? 1 : 0;
    const last = n - 2;
    // Node 0's properties; each pass of the loop forms node i + 1's, then face i (harmonic mean of
    // the two nodes' conductivities, series resistances, times geometry), then row i.
    const t0 = t[0] ?? 0;
    let phi = unfrozenFraction(curve, t0);
    phiOf[0] = phi;
    let capI = slopeJPerM3K(curve, t0);
    cap[0] = capI;
    let k0 = kF + phi * (kU - kF);
    let gIn = 0;
    let cPrev = 0;
    let dPrev = 0;
    for (let i = 0; i <= last; i++) {
      const tNext = t[i + 1] ?? 0;
      const phiNext = unfrozenFraction(curve, tNext);
      phiOf[i + 1] = phiNext;
      const capNext = slopeJPerM3K(curve, tNext);
      cap[i + 1] = capNext;
      const k1 = kF + phiNext * (kU - kF);
      const gOut = ((2 * k0 * k1) / (k0 + k1)) * (geo[i] ?? 0);
      g[i] = gOut;
      if (i >= first) {
        const v = vol[i] ?? 0;
        const vPhi = v * phi;
        const storage = (v * capI) / dtS;
        let diag = storage + gIn + gOut + vPhi * perfusion;
        let rhs = storage * (t[i] ?? 0) - (v * ((h[i] ?? 0) - (hOld[i] ?? 0))) / dtS + vPhi * source;
        if (i === 0) {
          const hr = hWPerM2K * (this.#r[0] ?? 0);
          diag += hr;
          rhs += hr * wallOrGasC;
        }
        // Known neighbours move to the right-hand side: a fixed wall inside, T_a outside.
        if (i === first && fixed) rhs += gIn * wallOrGasC;
        if (i === last) rhs += gOut * arterialC;
        const sub = i === first ? 0 : -gIn;
        const denom = diag - sub * cPrev;
        cPrev = i === last ? 0 : -gOut / denom;
        dPrev = (rhs - sub * dPrev) / denom;
        cPrime[i] = cPrev;
        dPrime[i] = dPrev;
      }
      phi = phiNext;
      capI = capNext;
      k0 = k1;
      gIn = gOut;
    }
    const x = this.#tSol;
    let moved = 0;
    let sol = dPrime[last] ?? 0;
    for (let i = last; i >= first; i--) {
      if (i < last) sol = (dPrime[i] ?? 0) - (cPrime[i] ?? 0) * sol;
      x[i] = sol;
      const hi = (h[i] ?? 0) + (cap[i] ?? 0) * (sol - (t[i] ?? 0));
      h[i] = hi;
      const ti = tempCFromEnthalpy(curve, hi);
      t[i] = ti;
      moved = Math.max(moved, Math.abs(ti - sol));
    }
    x[n - 1] = arterialC;
    this.#outs[OUT_MOVED_C] = moved;
  }

  /**
   * The ledger from the last linear solve (the fluxes the enthalpy update used), so that
   * sum(V * dH) = wall + perfusion + outer holds exactly. A fixed wall's half cell belongs to the
   * tissue: what its enthalpy lost (less what perfusion gave it) went into the probe.
   */
  #book(fixed: boolean): void {
    const n = this.#r.length;
    const sums = this.#sums;
    const dtS = sums[SUB_S] ?? 0;
    const wallOrGasC = sums[WALL_OR_GAS_C] ?? 0;
    const hWPerM2K = sums[H_W_PER_M2K] ?? 0;
    const p = this.tissue;
    const perfusionWPerM3K = p.perfusionWPerM3K;
    const arterialC = p.arterialC;
    const metabolicWPerM3 = p.metabolicWPerM3;
    const x = this.#tSol;
    const vol = this.#vol;
    const phiOf = this.#phi;
    let perfusion = 0;
    for (let i = 0; i < n - 1; i++) perfusion += (vol[i] ?? 0) * (phiOf[i] ?? 0) * (perfusionWPerM3K * (arterialC - (x[i] ?? 0)) + metabolicWPerM3);
    let wallW: number;
    if (fixed) {
      const vol0 = vol[0] ?? 0;
      const conducted = (this.#kFace[0] ?? 0) * ((x[1] ?? 0) - wallOrGasC);
      const halfCellLostW = (vol0 * ((this.#hOld[0] ?? 0) - (this.#h[0] ?? 0))) / dtS;
      wallW = conducted + halfCellLostW + vol0 * (phiOf[0] ?? 0) * (perfusionWPerM3K * (arterialC - wallOrGasC) + metabolicWPerM3);
    } else {
      wallW = hWPerM2K * (this.#r[0] ?? 0) * ((x[0] ?? 0) - wallOrGasC);
    }
    const outerW = (this.#kFace[n - 2] ?? 0) * (arterialC - (x[n - 2] ?? 0));
    sums[WALL_J_PER_M] = (sums[WALL_J_PER_M] ?? 0) + wallW * dtS * TWO_PI;
    sums[PERFUSION_J_PER_M] = (sums[PERFUSION_J_PER_M] ?? 0) + perfusion * dtS * TWO_PI;
    sums[OUTER_J_PER_M] = (sums[OUTER_J_PER_M] ?? 0) + outerW * dtS * TWO_PI;
  }

  /**
   * Radius of the `isoC` isotherm from the probe axis, mm: the outer edge of the tissue at or below
   * `isoC`, interpolated linearly between nodes; 0 when no tissue is that cold.
   */
  radiusAtMm(isoC: number): number {
    const scratch = this.#radiusScratchMm;
    this.#radiusFromNode(scratch, 0, isoC, this.#outermostAtOrBelow(isoC, this.#r.length - 1));
    return scratch[0] ?? 0;
  }

  /** radiusAtMm's answer before it is returned (#radiusFromNode writes into an array). */
  readonly #radiusScratchMm = new Float64Array(1);

  /** The outermost node at or below `isoC` (a NaN counts, as not above), searching inward from
   * node `from`; -1 when none. */
  #outermostAtOrBelow(isoC: number, from: number): number {
    const t = this.#t;
    for (let i = from; i >= 0; i--) if (!((t[i] ?? 0) > isoC)) return i;
    return -1;
  }

  /** radiusAtMm once its outermost node `i` is known (-1: none), mm, written into
   * `into[slot]`: not returned, as a double returned from a call the compiler does not inline is
   * boxed (16 bytes, three times an update of the live estimate). */
  #radiusFromNode(into: Float64Array, slot: number, isoC: number, i: number): void {
    const t = this.#t;
    const r = this.#r;
    if (i < 0) {
      into[slot] = 0;
      return;
    }
    if (i === r.length - 1) {
      into[slot] = (r[i] ?? 0) * MM_PER_M;
      return;
    }
    const ti = t[i] ?? 0;
    const tNext = t[i + 1] ?? 0;
    const ri = r[i] ?? 0;
    const fraction = (isoC - ti) / (tNext - ti);
    into[slot] = (ri + fraction * ((r[i + 1] ?? 0) - ri)) * MM_PER_M;
  }

  /** The three radii of interest in one inward scan: the isotherms are nested (tissue at or below
   * -40 C is at or below -20 C and 0 C), so each search starts at the warmer one's node. The same
   * values as radiusAtMm, with a third of its node reads or less (the plant and the estimate ask
   * for all three after every step). */
  #findRadii(): void {
    const i0 = this.#outermostAtOrBelow(ICE_EDGE_C, this.#r.length - 1);
    const i20 = this.#outermostAtOrBelow(LETHAL_ISOTHERM_C, i0);
    const i40 = this.#outermostAtOrBelow(DEEP_ISOTHERM_C, i20);
    const radii = this.#radiiMm;
    this.#radiusFromNode(radii, 0, ICE_EDGE_C, i0);
    this.#radiusFromNode(radii, 1, LETHAL_ISOTHERM_C, i20);
    this.#radiusFromNode(radii, 2, DEEP_ISOTHERM_C, i40);
    this.#radiiStale = false;
  }

  /** Anything is about to write the state: the snapshot it equalled and the radii found go. */
  #stateMoved(): void {
    this.#held = null;
    this.#radiiStale = true;
  }

  /** r(0 C): the visible ice edge, mm from the axis. */
  r0Mm(): number {
    if (this.#radiiStale) this.#findRadii();
    return this.#radiiMm[0] ?? 0;
  }

  /** r(-20 C): the lethal isotherm, mm from the axis. */
  r20Mm(): number {
    if (this.#radiiStale) this.#findRadii();
    return this.#radiiMm[1] ?? 0;
  }

  /** r(-40 C), mm from the axis. */
  r40Mm(): number {
    if (this.#radiiStale) this.#findRadii();
    return this.#radiiMm[2] ?? 0;
  }

  /** The three radii (r0Mm, r20Mm, r40Mm) written into `into`: not returned, as a double returned
   * from a call the compiler does not inline is boxed (the live estimate reads them ten times a
   * second). */
  radiiInto(into: IsothermRadii): void {
    if (this.#radiiStale) this.#findRadii();
    const radii = this.#radiiMm;
    into.r0Mm = radii[0] ?? 0;
    into.r20Mm = radii[1] ?? 0;
    into.r40Mm = radii[2] ?? 0;
  }

  /** Copy `other`'s state (temperatures, time, ledgers) into this solver; allocates nothing. Both
   * must share the grid and the tissue (the same objects or equal values). */
  copyFrom(other: BioheatSolver): void {
    assert(this.#shape === other.#shape, 'bioheat: copyFrom needs the same grid and tissue');
    this.#stateMoved();
    this.#h.set(other.#h);
    this.#t.set(other.#t);
    this.#sums.set(other.#sums);
    this.#lastIterations = other.#lastIterations;
  }

  /** The state (enthalpies, temperatures, time, ledgers) as a new immutable snapshot: one fresh
   * array that nothing writes after this call. For a pure caller that keeps the model state in an
   * immutable value (the controller's live estimate): allocates one array of 2 * nodeCount + 7
   * doubles. A plain array, not a Float64Array: a typed array of this size keeps its elements
   * outside the JavaScript heap, and allocating one cost about 0.9 us against 0.2 us for a plain
   * array filled in a loop (a micro-benchmark, Node 20); the doubles are the same bits. */
  snapshot(): BioheatSnapshot {
    const snap = new BioheatSnapshot(this.#shape, this.#stateArray(), this.#r.length, this.#lastIterations, false);
    this.#held = snap;
    this.#heldVersion = snap.version;
    return snap;
  }

  /** The state as a new snapshot that snapshotInto may write again (a recycling caller's, which
   * keeps two and writes the one nothing it still reads holds: src/controller/workspace.ts). */
  recyclableSnapshot(): BioheatSnapshot {
    const snap = new BioheatSnapshot(this.#shape, this.#stateArray(), this.#r.length, this.#lastIterations, true);
    this.#held = snap;
    this.#heldVersion = snap.version;
    return snap;
  }

  /** Whether `snap` was taken from a solver of this grid and tissue (restore and snapshotInto take
   * only those). */
  fits(snap: BioheatSnapshot): boolean {
    return snap.shape === this.#shape;
  }

  /** The state written into `target`, a recyclable snapshot of this grid and tissue
   * (recyclableSnapshot), in place of what it held; allocates nothing. Its caller owns `target`:
   * whatever still held it reads the new state. */
  snapshotInto(target: BioheatSnapshot): BioheatSnapshot {
    assert(this.#shape === target.shape, 'bioheat: snapshotInto needs a snapshot of the same grid and tissue');
    BioheatSnapshot.rewrite(target, this.#h, this.#t, this.#sums, this.#lastIterations);
    this.#held = target;
    this.#heldVersion = target.version;
    return target;
  }

  #stateArray(): number[] {
    const n = this.#r.length;
    const h = this.#h;
    const t = this.#t;
    const sums = this.#sums;
    const state = new Array<number>(2 * n + SUM_COUNT);
    for (let i = 0; i < n; i++) {
      state[i] = h[i] ?? 0;
      state[n + i] = t[i] ?? 0;
    }
    for (let i = 0; i < SUM_COUNT; i++) state[2 * n + i] = sums[i] ?? 0;
    return state;
  }

  /** Load a snapshot taken from a solver of the same grid and tissue (it is only read); allocates
   * nothing, and copies nothing when this solver's state already is that snapshot (it took or
   * restored it last, it has not been written since, and nothing has stepped this solver since:
   * the live estimate's usual case). */
  restore(snap: BioheatSnapshot): void {
    assert(this.#shape === snap.shape, 'bioheat: restore needs a snapshot of the same grid and tissue');
    if (snap === this.#held && snap.version === this.#heldVersion) return;
    snap.copyInto(this.#h, this.#t, this.#sums);
    this.#lastIterations = snap.lastIterations;
    this.#held = snap;
    this.#heldVersion = snap.version;
    this.#radiiStale = true;
  }

  /** A new, independent solver in the same state (allocates: not for the hot path). */
  clone(): BioheatSolver {
    const copy = new BioheatSolver(this.tissue, this.grid, this.options);
    copy.copyFrom(this);
    return copy;
  }
}

/** A solver's state frozen in time (BioheatSolver.snapshot): its array is private and only ever
 * read, so the snapshot can live in an immutable value (the array is not frozen: V8 would box
 * every double of a frozen array; here no one holds a reference that could write it). A recyclable
 * one (BioheatSolver.recyclableSnapshot) is written again by BioheatSolver.snapshotInto, each time
 * with a new version. */
export class BioheatSnapshot {
  /** Enthalpies (nodes 0..n-1), temperatures (n..2n-1), then the solver's sums. */
  readonly #state: number[];
  readonly #nodeCount: number;
  readonly #recyclable: boolean;
  #lastIterations: number;
  #version = 0;

  /** Only BioheatSolver builds one (the array must be a fresh copy). */
  constructor(
    readonly shape: string,
    state: number[],
    nodeCount: number,
    lastIterations: number,
    recyclable: boolean,
  ) {
    assert(state.length === 2 * nodeCount + SUM_COUNT, 'bioheat: snapshot array does not match its node count');
    this.#state = state;
    this.#nodeCount = nodeCount;
    this.#lastIterations = lastIterations;
    this.#recyclable = recyclable;
    Object.freeze(this);
  }

  /** The solver's last iteration count when the snapshot was taken. */
  get lastIterations(): number {
    return this.#lastIterations;
  }

  /** How many times the snapshot has been written again (0 for one never written after it was taken). */
  get version(): number {
    return this.#version;
  }

  /** BioheatSolver.snapshotInto's write: a recyclable snapshot's state replaced, its version moved on. */
  static rewrite(target: BioheatSnapshot, h: Float64Array, t: Float64Array, sums: Float64Array, lastIterations: number): void {
    assert(target.#recyclable, 'bioheat: only a recyclable snapshot is written again');
    const n = target.#nodeCount;
    const state = target.#state;
    for (let i = 0; i < n; i++) {
      state[i] = h[i] ?? 0;
      state[n + i] = t[i] ?? 0;
    }
    for (let i = 0; i < SUM_COUNT; i++) state[2 * n + i] = sums[i] ?? 0;
    target.#lastIterations = lastIterations;
    target.#version++;
  }

  /** Copy the state into a solver's arrays (BioheatSolver.restore); allocates nothing. */
  copyInto(h: Float64Array, t: Float64Array, sums: Float64Array): void {
    const n = this.#nodeCount;
    const state = this.#state;
    // Every index is within the array (the constructor checks its length), so no read is a hole.
    // Read as a number, not with `?? 0`: on this holey array (built with new Array(length)) the
    // fallback made V8 box every double read, about 1.9 kB a restore (a micro-benchmark, Node 20).
    for (let i = 0; i < n; i++) {
      h[i] = state[i] as number;
      t[i] = state[n + i] as number;
    }
    for (let i = 0; i < SUM_COUNT; i++) sums[i] = state[2 * n + i] as number;
  }

  /** Temperature of node i, C (node 0 on the probe wall). */
  nodeTempC(i: number): number {
    return i >= 0 && i < this.#nodeCount ? (this.#state[this.#nodeCount + i] ?? Number.NaN) : Number.NaN;
  }

  get nodeCount(): number {
    return this.#nodeCount;
  }
}
