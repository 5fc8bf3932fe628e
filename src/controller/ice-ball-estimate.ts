// The live ice-ball estimate and the efficacy verdict of each freeze (issue 11, section 2;
// docs/ice-ball-estimate.md). The tissue model of kernel/bioheat, nominal tissue, with the
// measured (calibrated) tip temperature as its fixed wall, run from the supply opening of a freeze
// through its thaw; at the supply's closing the freeze is judged against the target radius.
//
// Pure: the state passed in is never written. The model's tissue lives in the state as a
// BioheatSnapshot (a fresh array per update, only ever read after; with a recycling workspace, one
// of two recyclable snapshots, the one the state passed in does not hold, written in place:
// src/controller/workspace.ts Recycling); each update restores it into a scratch solver this
// module owns, steps it and takes a new snapshot. The scratch holds nothing between calls that the
// result could depend on: the restore overwrites it, or skips the copy when the scratch's state
// already is that snapshot at that version (it took it on the last update and nothing stepped it
// since: BioheatSolver.restore), so the result depends on the arguments alone. Bounded memory: one
// snapshot (the grid's node count, at most MAX_NODES; two more with a recycling workspace) and at
// most protocol.cycles verdicts.
import { assert } from '../../kernel/assert.js';
import { BioheatSolver, DEEP_ISOTHERM_C, DEFAULT_SOLVER_OPTIONS, DEFAULT_TISSUE_PARAMS, LETHAL_ISOTHERM_C, MAX_WALL_C, MIN_WALL_C, gridForProbe } from '../../kernel/bioheat/index.js';
import type { BioheatSnapshot, FixedWallStep, IsothermRadii, SolverOptions } from '../../kernel/bioheat/index.js';
import type { FreezeVerdict, IceBallEstimate } from './ice-ball.js';
import type { ControllerReadings } from './probe-calibration.js';
import { probeOdMmFor } from './probe-calibration.js';
import type { Settings } from './settings.js';
import { CYCLES_MAX, targetRadiusMm } from './settings.js';
import type { ControllerState } from './state.js';
import { NO_VERDICTS } from './state.js';
import { controlTip } from './trackers.js';
import type { ControllerEvent } from './types.js';
import type { Recycling } from './workspace.js';

/** The model advances at most every this often (and on the tick a freeze begins or ends): 10 Hz,
 * a fifth of the 50 Hz loop. The tissue changes over seconds (r(-20 C) grows about 0.02 mm/s at
 * 30 s into a freeze, docs/tissue-model.md), so 100 ms moves no radius by more than a few
 * hundredths of a mm; the solver takes the interval in one step while the supply is open
 * (ESTIMATE_SOLVER_OPTIONS) and, once it has closed, in 50 ms steps while the wall moves or has just
 * moved or an isotherm may vanish (ESTIMATE_THAW_STEP_S), else in one. The wall
 * is the tip read on the updating tick, held over the interval (backward Euler takes the end value). */
export const ESTIMATE_PERIOD_MS = 100;

/**
 * While the supply is open the estimate's solver takes each update's interval in one implicit
 * step (the plant's validated 50 ms substep, DEFAULT_SOLVER_OPTIONS, would take two): it halves
 * the freeze's cost and keeps r(-20 C) and r(0 C) within 0.05 mm of a 10 ms-step reference over
 * 300 s of a -40, -60 or -78.5 C wall, as the 50 ms step does (nominal tissue, 1.27 and 2 mm
 * probes; the worst in the first seconds, after 5 s within 0.02 mm; tests/ice-ball-estimate.test.ts),
 * where the model itself is uncertain by a millimetre or more (docs/ice-ball-estimate.md: +-1 mm
 * against imaging in a published comparison, -42 % to +60 % at 120 s with the tissue at its
 * extremes). A longer interval (a late tick) is split into steps of at most this.
 */
export const ESTIMATE_SOLVER_OPTIONS: SolverOptions = Object.freeze({ ...DEFAULT_SOLVER_OPTIONS, maxStepS: ESTIMATE_PERIOD_MS / 1000 });

/**
 * Once the supply has closed (the close-verify tail and the thaw) the estimate steps at the
 * validated 50 ms while the wall is moving or has just moved (ESTIMATE_STEADY_WALL_C,
 * ESTIMATE_SETTLE_MS): a wall that warms at once makes the -20 C isotherm vanish within an update,
 * and one 100 ms step showed it up to 2.8 mm from the reference for that update (a wall jumping
 * from -78.5 to 0 C after 60 s, 2 mm probe) where 50 ms steps stay within 0.14 mm (review of issue
 * 11; tests/ice-ball-estimate.test.ts). The tissue goes on moving for a second or two after the
 * wall stops, so the 50 ms steps go on for ESTIMATE_SETTLE_MS after the last move.
 */
export const ESTIMATE_THAW_STEP_S = DEFAULT_SOLVER_OPTIONS.maxStepS;

/**
 * The wall moves when it changed by more than this since the last update, C (5 C/s at 10 Hz).
 * A passive thaw's tip warms by less than 0.5 C an update on 99 % of them (0.08 C the median;
 * the standard preset, seed 1).
 */
export const ESTIMATE_STEADY_WALL_C = 0.5;

/**
 * With the supply closed, an update takes its interval in one step, as in the freeze, once the
 * wall has not moved for this long, ms. On the standard preset's thaws that is nearly every update
 * (the thaw's solver steps fall by 42 %) and the estimate stays within 0.11 mm of a 5 ms-step
 * reference in r(-20 C), as close as with 50 ms steps throughout, and within 0.04 mm in r(0 C)
 * (0.03 mm); the radii at each freeze's end, which the verdicts use, do not move. Against walls
 * jumping from -78.5 C to 37, 0, -10, -15, -19 or -40 C, or ramping at 5-200 C/s, on 1.27 and 2 mm
 * probes, it is never further from the reference than 50 ms steps throughout, allowing the
 * reference one update either way (an isotherm vanishing an update early or late; measured when
 * this was set, issue 11 section 4). A ramp under 5 C/s never counts as moving: one step per
 * update alone put it up to 0.056 mm off, twice the 50 ms steps' 0.026 (4.9 C/s, 2 mm probe);
 * with an isotherm about to vanish stepped at 50 ms whatever the wall did
 * (lethalIsothermMayVanish), 0.028 (review of this rule).
 */
export const ESTIMATE_SETTLE_MS = 2_000;

/** What the estimate carries between ticks (ControllerState.iceBallTrack). */
export interface IceBallTrack {
  /** The modelled tissue at modelMs: immutable, never written after it was taken. */
  readonly tissue: BioheatSnapshot;
  /** The probe OD the model's grid was built for, mm. */
  readonly probeOdMm: number;
  /** Loop time the model has been advanced to. */
  readonly modelMs: number;
  /** The last trusted tip temperature, C: the wall while the reading is briefly unusable (a
   * persisting fault trips within its debounce and stops the estimate). */
  readonly wallC: number;
  /** The last update whose wall moved by more than ESTIMATE_STEADY_WALL_C from the one before (the
   * track's start counts as one): the thaw's step length follows it (planStep). */
  readonly wallMovedMs: number;
  /** Since when r(-20 C) has been at or beyond the target, without a break, in this freeze's
   * supply-open time; null while it is short of it. */
  readonly atTargetSinceMs: number | null;
  /** The tip reading stopped being trusted (ControllerState.tipDistrust): the estimate stopped
   * there and the freeze's verdict is not effective. */
  readonly stopped: boolean;
}

/** The scratch solver: one at a time, for the probe OD of the last call (rebuilt on a change). */
let scratch: { readonly probeOdMm: number; readonly solver: BioheatSolver } | null = null;

/** The scratch solver for a probe of `probeOdMm` (rebuilt when it changes). */
function scratchFor(probeOdMm: number): BioheatSolver {
  if (scratch === null || scratch.probeOdMm !== probeOdMm) {
    scratch = { probeOdMm, solver: new BioheatSolver(DEFAULT_TISSUE_PARAMS, gridForProbe(probeOdMm), ESTIMATE_SOLVER_OPTIONS) };
  }
  return scratch.solver;
}

/** scratchFor `track`'s probe, on every update: the diameter is read here, not passed unless the
 * solver is rebuilt (a number passed to a call the compiler does not inline is a heap number:
 * see EstimateUpdate). */
function scratchForTrack(track: IceBallTrack): BioheatSolver {
  return scratch !== null && scratch.probeOdMm === track.probeOdMm ? scratch.solver : scratchFor(track.probeOdMm);
}

/** The tissue at body temperature before a freeze, for a probe of `probeOdMm`. */
function freshTissue(probeOdMm: number): BioheatSnapshot {
  const solver = scratchFor(probeOdMm);
  solver.reset();
  return solver.snapshot();
}

/**
 * One update's numbers and what it gives, carried between its helpers in one object: a recycling
 * workspace's (src/controller/workspace.ts Recycling), else new for the update. A fractional
 * number passed to or returned from a call the compiler does not inline is a heap number (16
 * bytes; a dozen an update, ten updates a second, when they went as arguments: bench/sim-alloc.ts);
 * written into these fields it is not. Nothing in it outlives the update but `track` and
 * `estimate`, which the step takes.
 */
export class EstimateUpdate implements FixedWallStep, IsothermRadii {
  /** The update's wall: the tip read on its tick, clamped to the model's range, C. */
  wallC = Number.NaN;
  /** The interval the model advances over, s. */
  dtS = Number.NaN;
  /** The longest solver step the interval may take, s (planStep). */
  maxStepS = Number.NaN;
  /** Each of the interval's equal solver steps, s (stepWall). */
  stepS = Number.NaN;
  /** The target radius r(-20 C) is held against, mm. */
  targetMm = Number.NaN;
  /** The radii after the update, mm (before it, while lethalIsothermMayVanish reads them). */
  r0Mm = Number.NaN;
  r20Mm = Number.NaN;
  r40Mm = Number.NaN;
  /** The track after the update. */
  track: IceBallTrack | null = null;
  /** The radii after the update, as the state keeps them. */
  estimate: IceBallEstimate | null = null;
}

/** `update.dtS` seconds of the wall at `update.wallC` in equal steps of at most `update.maxStepS`
 * (the solver's own maximum, ESTIMATE_SOLVER_OPTIONS, is the longer one). */
function stepWall(solver: BioheatSolver, update: EstimateUpdate): void {
  const steps = Math.ceil(update.dtS / update.maxStepS - STEP_COUNT_SLACK);
  update.stepS = update.dtS / steps;
  for (let i = 0; i < steps; i++) solver.advanceFixedWallBy(update);
}

/** The longest step of the update at `nowMs`, into `update.maxStepS`, s: the interval in one step
 * while the supply is open or the wall has been steady for ESTIMATE_SETTLE_MS (`wallMovedMs`: the
 * last update it moved at, this one included), else ESTIMATE_THAW_STEP_S. */
export function planStep(update: Pick<EstimateUpdate, 'maxStepS'>, supplyWasOpen: boolean, nowMs: number, wallMovedMs: number): void {
  update.maxStepS = supplyWasOpen || nowMs - wallMovedMs >= ESTIMATE_SETTLE_MS ? WHOLE_INTERVAL_STEP_S : ESTIMATE_THAW_STEP_S;
}

/** ESTIMATE_SOLVER_OPTIONS.maxStepS, as a constant: planStep's choice between it, read from the
 * options, and ESTIMATE_THAW_STEP_S made a heap number on every update (the two came in different
 * representations). */
const WHOLE_INTERVAL_STEP_S = ESTIMATE_SOLVER_OPTIONS.maxStepS;

/** The last update the wall moved at, after the update at `nowMs` to `update.wallC` from the
 * track's wall. */
export function wallMovedAfter(track: Pick<IceBallTrack, 'wallMovedMs' | 'wallC'>, nowMs: number, update: Pick<EstimateUpdate, 'wallC'>): number {
  return Math.abs(update.wallC - track.wallC) > ESTIMATE_STEADY_WALL_C ? nowMs : track.wallMovedMs;
}

/**
 * With the supply closed, the thaw also steps at 50 ms while the wall is warmer than this below
 * r(-20 C)'s or r(-40 C)'s isotherm and tissue still lies at or below it, C (lethalIsothermMayVanish).
 */
export const ESTIMATE_VANISH_MARGIN_C = 10;

/**
 * r(-20 C) or r(-40 C) may vanish soon: the wall is within ESTIMATE_VANISH_MARGIN_C below the
 * isotherm, or above it, while tissue still lies at or below it (`solver` holds the tissue before
 * the update). Once the wall is warmer than the isotherm the tissue's coldest point is off the wall,
 * and the isotherm goes to 0 mm when that point warms past it, on a profile nearly flat there: the
 * instant follows the error the steps built in the seconds before. One 100 ms step per update moved
 * it by an update, r(-20 C) up to 3.2 mm from a 5 ms-step reference for that update and 0.39 mm off
 * it even allowing the reference one update either way, where 50 ms steps stay within 0.1 mm (a
 * tip that warms fast as the supply closes, then nears and crosses -20 C at 0.5-4.5 C/s after its
 * 2 s of settling); stepping at 50 ms only once the wall was above the isotherm still left it
 * 1.7-2 mm off for an update; from 10 C below, no such wall was more than 0.03 mm further from the
 * reference than 50 ms steps throughout (probes of 1.27 and 2 mm, freezes of 30-180 s;
 * tests/ice-ball-estimate.test.ts). On the sim plant's thaws the tip passes through that band
 * within a few updates, mostly while it moves: 0-20 more solver steps a treatment of about 10,000.
 * r(0 C) is left out: its vanishing, as the last ice melts on a profile flat at 0 C, is up to
 * 2.8 mm off for an update with 50 ms steps too.
 */
function lethalIsothermMayVanish(solver: BioheatSolver, update: EstimateUpdate): boolean {
  solver.radiiInto(update);
  return (
    (update.wallC > LETHAL_ISOTHERM_C - ESTIMATE_VANISH_MARGIN_C && update.r20Mm > 0) ||
    (update.wallC > DEEP_ISOTHERM_C - ESTIMATE_VANISH_MARGIN_C && update.r40Mm > 0)
  );
}

/** Rounding slack in the step count: an interval a hair over a whole number of steps (0.1 s as
 * 0.1000000001) takes no extra sliver of a step (the solver's own split uses the same). */
const STEP_COUNT_SLACK = 1e-9;

/**
 * The track advanced to `nowMs` with the wall at `update.wallC`, and the radii it gives, written
 * into `update` (its track and estimate). Its atTargetSinceMs follows r(-20 C) against
 * `update.targetMm` while `holdCounts` (the supply open over the interval). `held`: the state
 * passed in, whose track and radii a recycling workspace's objects written here are not
 * (src/controller/workspace.ts Recycling; `recycle` null: new objects).
 */
function advance(
  update: EstimateUpdate,
  track: IceBallTrack,
  nowMs: number,
  supplyWasOpen: boolean,
  holdCounts: boolean,
  held: ControllerState,
  recycle: Recycling | null,
): void {
  const solver = scratchForTrack(track);
  solver.restore(track.tissue);
  update.dtS = (nowMs - track.modelMs) / 1000;
  const wallMovedMs = wallMovedAfter(track, nowMs, update);
  planStep(update, supplyWasOpen, nowMs, wallMovedMs);
  // The radii before the update are read only when the rule would take it in one step after the close.
  if (!supplyWasOpen && update.maxStepS > ESTIMATE_THAW_STEP_S && lethalIsothermMayVanish(solver, update)) update.maxStepS = ESTIMATE_THAW_STEP_S;
  if (update.dtS > 0) stepWall(solver, update);
  solver.radiiInto(update);
  // The message is built only on failure (formatting three doubles on every update cost about
  // 0.6 us, a micro-benchmark on Node 20).
  if (!(update.r40Mm >= 0 && update.r40Mm <= update.r20Mm && update.r20Mm <= update.r0Mm && Number.isFinite(update.r0Mm))) {
    assert(false, `ice-ball estimate out of order: r(0) ${update.r0Mm}, r(-20) ${update.r20Mm}, r(-40) ${update.r40Mm} mm`);
  }
  // The hold counts only the supply-open time (the freeze itself, up to the tick it closes).
  const atTargetSinceMs = holdCounts && update.r20Mm >= update.targetMm ? (track.atTargetSinceMs ?? nowMs) : null;
  const tissue = tissueOf(solver, recycle, held.iceBallTrack?.tissue ?? null);
  update.track = trackOf(recycle, held.iceBallTrack, tissue, track, Math.max(track.modelMs, nowMs), update, wallMovedMs, atTargetSinceMs);
  update.estimate = estimateOf(recycle, held.iceBall, update, nowMs);
}

/** The solver's state as a snapshot: new, or written into a recycling workspace's that `held` is not. */
function tissueOf(solver: BioheatSolver, recycle: Recycling | null, held: BioheatSnapshot | null): BioheatSnapshot {
  if (recycle === null) return solver.snapshot();
  const into = recycle.tissue.spare(held);
  if (into === null) return recycle.tissue.keep(held, solver.recyclableSnapshot());
  // A snapshot of another probe's grid (the probe changed between treatments): a new one in its place.
  return solver.fits(into) ? solver.snapshotInto(into) : recycle.tissue.replace(into, solver.recyclableSnapshot());
}

/**
 * A track of these fields. Every new track is built here, in one literal, so that all share one
 * hidden class: a copy by spread had another, and reading a temperature from tracks of two shapes
 * made a heap number of it on every update (bench/sim-alloc.ts).
 */
function newTrack(
  tissue: BioheatSnapshot,
  probeOdMm: number,
  modelMs: number,
  wallC: number,
  wallMovedMs: number,
  atTargetSinceMs: number | null,
  stopped: boolean,
): IceBallTrack {
  return { tissue, probeOdMm, modelMs, wallC, wallMovedMs, atTargetSinceMs, stopped };
}

/** A running track (not stopped) of these fields, its probe's OD `from`'s and its wall `update`'s:
 * new, or written into a recycling workspace's that `held` is not. */
function trackOf(
  recycle: Recycling | null,
  held: IceBallTrack | null,
  tissue: BioheatSnapshot,
  from: IceBallTrack,
  modelMs: number,
  update: EstimateUpdate,
  wallMovedMs: number,
  atTargetSinceMs: number | null,
): IceBallTrack {
  const into = recycle?.iceBallTrack.spare(held) ?? null;
  if (into === null) {
    const track = newTrack(tissue, from.probeOdMm, modelMs, update.wallC, wallMovedMs, atTargetSinceMs, false);
    recycle?.iceBallTrack.keep(held, track);
    return track;
  }
  into.tissue = tissue;
  into.probeOdMm = from.probeOdMm;
  into.modelMs = modelMs;
  into.wallC = update.wallC;
  into.wallMovedMs = wallMovedMs;
  into.atTargetSinceMs = atTargetSinceMs;
  into.stopped = false;
  return into;
}

/** The `radii` at `atMs`: new, or written into a recycling workspace's that `held` is not. */
function estimateOf(recycle: Recycling | null, held: IceBallEstimate | null, radii: IsothermRadii, atMs: number): IceBallEstimate {
  const into = recycle?.iceBall.spare(held) ?? null;
  if (into === null) {
    const estimate: IceBallEstimate = { r0Mm: radii.r0Mm, r20Mm: radii.r20Mm, r40Mm: radii.r40Mm, atMs };
    recycle?.iceBall.keep(held, estimate);
    return estimate;
  }
  into.r0Mm = radii.r0Mm;
  into.r20Mm = radii.r20Mm;
  into.r40Mm = radii.r40Mm;
  into.atMs = atMs;
  return into;
}

/** The freeze just ended (its supply closed): its verdict. */
function verdictOf(cycle: number, track: IceBallTrack | null, estimate: IceBallEstimate | null, nowMs: number, settings: Settings): FreezeVerdict {
  const targetMm = targetRadiusMm(settings, settings.iceBall.nerveId);
  const r20MmAtEnd = track === null || track.stopped || estimate === null ? null : estimate.r20Mm;
  const since = r20MmAtEnd === null ? null : (track?.atTargetSinceMs ?? null);
  const atTargetMs = since === null ? 0 : nowMs - since;
  const effective = r20MmAtEnd !== null && r20MmAtEnd >= targetMm && atTargetMs >= settings.iceBall.holdS * 1000;
  return { cycle, r20MmAtEnd, targetMm, atTargetMs, effective };
}

/** The estimate's part of the state, after this tick. */
export interface IceBallPart {
  readonly iceBall: IceBallEstimate | null;
  readonly iceBallTrack: IceBallTrack | null;
  readonly freezeVerdicts: readonly FreezeVerdict[];
}

/**
 * The estimate and the verdicts after this tick, from the state before it (`prev`) and the state
 * this tick's phase logic produced (`s`, whose supply opening or closing this tick is seen in
 * freezeOpenedMs). Returns `s` itself (which carries the three fields) when nothing changed: most
 * ticks, between updates; the step copies the fields into the state it builds, so an update
 * costs no copy of the whole state. Pushes a freeze-verdict event when a freeze ends.
 */
export function updateIceBall(
  prev: ControllerState,
  s: ControllerState,
  nowMs: number,
  settings: Settings,
  readings: ControllerReadings,
  events: ControllerEvent[],
  recycle: Recycling | null = null,
): IceBallPart {
  return nextPart(prev, s, nowMs, settings, readings, events, recycle);
}

function nextPart(prev: ControllerState, s: ControllerState, nowMs: number, settings: Settings, readings: ControllerReadings, events: ControllerEvent[], recycle: Recycling | null): IceBallPart {
  const started = prev.freezeOpenedMs === null && s.freezeOpenedMs !== null;
  const ended = prev.freezeOpenedMs !== null && s.freezeOpenedMs === null;
  const running = s.phase === 'Freezing' || s.phase === 'Thawing';
  if (!started && !ended && !running) {
    // Not treating (or the treatment ended): no estimate.
    return s.iceBallTrack === null && s.iceBall === null ? s : { iceBall: null, iceBallTrack: null, freezeVerdicts: s.freezeVerdicts };
  }
  let verdicts = s.freezeVerdicts;
  let track = s.iceBallTrack;
  if (started) {
    // The attached probe's diameter from its calibration record, else the setting (probeOdMmFor).
    // Read only here, where a track starts: a diameter from a call is a heap number a tick.
    const probeOdMm = probeOdMmFor(readings.calibration, settings.iceBall.probeOdMm);
    // A site's first freeze begins a new treatment's verdicts; the tissue is the thaw's, if the
    // estimate ran through it, else body temperature.
    if (s.cycle === 1) verdicts = NO_VERDICTS;
    const continues = track !== null && !track.stopped && prev.phase === 'Thawing' && track.probeOdMm === probeOdMm;
    if (track === null || !continues) {
      track = newTrack(freshTissue(probeOdMm), probeOdMm, nowMs, DEFAULT_TISSUE_PARAMS.arterialC, nowMs, null, false);
    } else {
      track = newTrack(track.tissue, track.probeOdMm, track.modelMs, track.wallC, track.wallMovedMs, null, track.stopped);
    }
  }
  let estimate = s.iceBall;
  if (track !== null && (s.tipDistrust !== null || track.stopped)) {
    // The tip reading is not trusted: the estimate stops here (a model fed an untrusted wall would
    // be a guess presented as an estimate).
    if (!track.stopped) track = newTrack(track.tissue, track.probeOdMm, track.modelMs, track.wallC, track.wallMovedMs, track.atTargetSinceMs, true);
    estimate = null;
  } else if (track !== null && (started || ended || nowMs - track.modelMs >= ESTIMATE_PERIOD_MS)) {
    // A valid reading may lie outside the model's wall range (tip.maxValidC is up to 400 C): it is
    // clamped to it (-200..100 C), which changes no ice ball (anything above 100 C melts it all
    // the same; below -200 C the physical-floor interlocks trip and stop the estimate).
    const update = recycle?.update ?? new EstimateUpdate();
    const tip = controlTip(readings, settings);
    update.wallC = tip === null ? track.wallC : Math.min(MAX_WALL_C, Math.max(MIN_WALL_C, tip.tipC));
    update.targetMm = targetRadiusMm(settings, settings.iceBall.nerveId);
    // The step follows the supply over the interval since the last update: open on the tick it
    // closes, closed on the tick a refreeze opens it (that interval is the thaw's end). The hold
    // counts only the supply-open time (the freeze itself, up to the tick it closes).
    advance(update, track, nowMs, prev.freezeOpenedMs !== null, prev.freezeOpenedMs !== null || started, prev, recycle);
    track = update.track;
    estimate = update.estimate;
  }
  if (ended) {
    const verdict = verdictOf(prev.cycle, track, estimate, nowMs, settings);
    verdicts = [...verdicts, verdict];
    assert(verdicts.length <= CYCLES_MAX, `freeze verdicts: ${verdicts.length} in one treatment, more than ${CYCLES_MAX} cycles`);
    events.push({ kind: 'freeze-verdict', atMs: nowMs, verdict });
  }
  if (!running) return { iceBall: null, iceBallTrack: null, freezeVerdicts: verdicts };
  // Between updates nothing moved: `s` carries the three fields (no object built on those ticks).
  if (estimate === s.iceBall && track === s.iceBallTrack && verdicts === s.freezeVerdicts) return s;
  const part = recycle?.iceBallPart;
  if (part === undefined) return { iceBall: estimate, iceBallTrack: track, freezeVerdicts: verdicts };
  part.iceBall = estimate;
  part.iceBallTrack = track;
  part.freezeVerdicts = verdicts;
  return part;
}
