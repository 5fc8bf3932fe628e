// The pure control step: (now, settings, readings, state) -> (outputs, state, events).
// No timers, clock, console, files or network: the runtime around it does the I/O. Order within
// a tick: trackers, interlocks (a trip closes the valves in this same tick), phase logic,
// acknowledge, outputs.
import type { Outputs, Readings } from '../../hal/contract.js';
import { assert } from '../../kernel/assert.js';
import { alarmSignals, anyAlarmAudible, silenceActive, updateAlarms, updateAudioPause, updateInfo } from './alarms.js';
import { contextOver, makeContext, withState } from './context.js';
import type { ControllerReadings } from './probe-calibration.js';
import { withdrawReadingC } from './probe-calibration.js';
import type { TickContext } from './context.js';
import { INTERLOCKS, ROWS_FOR_STEP, anyActingTrip, noConditionPresent, anyTripped, debounceFor, debounceSamples, interlockById, tipDistrustingTrip } from './interlocks.js';
import type { Edges } from './phase-logic.js';
import type { IceBallPart } from './ice-ball-estimate.js';
import { updateIceBall } from './ice-ball-estimate.js';
import { assertStepInvariants } from './invariants.js';
import { advancePhase, enterPhase } from './phase-logic.js';
import { outputsOf } from './outputs.js';
import type { Settings } from './settings.js';
import { deepFreeze } from './deep-freeze.js';
import type { ControllerState, InterlockStatus, TipDistrust } from './state.js';
import { NO_CHANGES, NO_TICKS, copyState, withChanges } from './state.js';
import type { Recycling, StepWorkspace } from './workspace.js';
import { createStepWorkspace } from './workspace.js';
import { periodMs, updateTrackers } from './trackers.js';
import type { ControllerEvent, InterlockId, OperatorInput } from './types.js';
import { TREATING_PHASES } from './types.js';
import { fellRecently } from './withdrawal.js';

export interface StepResult {
  readonly outputs: Outputs;
  readonly state: ControllerState;
  readonly events: readonly ControllerEvent[];
}

const priorityOf = (id: InterlockId) => interlockById(id).priority;

/** No rising edge: the inputs are as they were (every quiet tick shares this one). */
const NO_EDGES: Edges = Object.freeze({ start: false, stop: false, acknowledge: false, audioPause: false, newSite: false });

/** The events of a quiet tick: one shared, frozen empty list. */
const NO_EVENTS: readonly ControllerEvent[] = Object.freeze([]);

/** The ids of no interlock: the trips and clears of a quiet tick. */
const NO_IDS: readonly InterlockId[] = Object.freeze([]);

const inputEvent = (atMs: number, input: OperatorInput): ControllerEvent => ({ kind: 'input', atMs, input });

function inputEvents(nowMs: number, readings: Readings, prev: ControllerState, events: ControllerEvent[]): Edges {
  const op = readings.operator;
  const was = prev.inputs;
  if (sameInputs(was, op)) return NO_EDGES;
  const edges = {
    start: op.start && !was.start,
    stop: op.stop && !was.stop,
    acknowledge: op.acknowledge && !was.acknowledge,
    audioPause: op.audioPause && !was.audioPause,
    newSite: op.newSite && !was.newSite,
  };
  if (edges.start) events.push(inputEvent(nowMs, 'start'));
  if (edges.stop) events.push(inputEvent(nowMs, 'stop'));
  if (edges.acknowledge) events.push(inputEvent(nowMs, 'acknowledge'));
  if (edges.audioPause) events.push(inputEvent(nowMs, 'audio-pause'));
  if (edges.newSite) events.push(inputEvent(nowMs, 'new-site'));
  if (op.footswitch !== was.footswitch) events.push(inputEvent(nowMs, op.footswitch ? 'footswitch-down' : 'footswitch-up'));
  if (op.estop !== was.estop) events.push(inputEvent(nowMs, op.estop ? 'estop-pressed' : 'estop-released'));
  return edges;
}

interface InterlockPass {
  /** The statuses after this tick; null when none changed (the state's own stand). */
  readonly statuses: Readonly<Record<InterlockId, InterlockStatus>> | null;
  readonly tripped: readonly InterlockId[];
  readonly autoCleared: readonly InterlockId[];
}

/**
 * The ticks that saw the condition within the judging window: k of the last 2k samples
 * (debounceSamples), counted in samples so late ticks do not thin the window out. Bad samples are
 * counted, not required in a row, so a condition that comes and goes (-150 C on 4 samples of 5,
 * -95 C on every other one) still trips.
 */
function judgeBadTicks(prev: readonly number[], raw: boolean, tick: number, k: number): readonly number[] {
  const windowStart = tick - 2 * k;
  // An empty window has nothing to expire. Not `(prev[0] ?? Infinity) <= windowStart`: that mixes a
  // double into the tick counts and costs a heap number a tick (bench/sim-alloc.ts).
  const first = prev.length === 0 ? undefined : prev[0];
  const expired = first !== undefined && first <= windowStart;
  if (!raw && !expired) return prev;
  const kept = expired ? prev.filter((t) => t > windowStart) : prev;
  if (!raw) return kept.length === 0 ? NO_TICKS : kept;
  return [...kept, tick];
}

/** A row with nothing to judge this tick: its condition is absent and its window empty. The last
 * two terms are redundant (a row that saw its condition last tick, or tripped unlatched, still has
 * that tick in its window): kept as a guard, and their mutants are equivalent. */
function rowQuiet(prev: InterlockStatus, raw: boolean, latch: boolean): boolean {
  return (
    !raw &&
    prev.badTicks.length === 0 &&
    // Stryker disable next-line ConditionalExpression,BooleanLiteral: equivalent: conditionNow implies a non-empty window (see above)
    !prev.conditionNow &&
    // Stryker disable next-line ConditionalExpression,BooleanLiteral,LogicalOperator: equivalent: a tripped unlatched row clears on its first quiet tick, whose window is never empty
    !(prev.tripped && !latch)
  );
}

/** The pass of a tick on which every row is quiet: nothing changes, nothing is allocated. */
const QUIET_PASS: InterlockPass = Object.freeze({ statuses: null, tripped: NO_IDS, autoCleared: NO_IDS });

function evaluateInterlocks(ctx: TickContext, events: ControllerEvent[], idle: WeakSet<object>): InterlockPass {
  return allRowsQuiet(ctx, idle) ? QUIET_PASS : judgeRows(ctx, events);
}

/**
 * Every row is quiet this tick (the common case), judged without a side effect: every status idle
 * (statusesIdle) and no row's condition present.
 */
function allRowsQuiet(ctx: TickContext, idle: WeakSet<object>): boolean {
  return statusesIdle(ctx.state.interlocks, idle) && noConditionPresent(ctx);
}

/**
 * Whether every status in the record is idle (rowQuiet with its condition absent: an empty window,
 * the condition not seen last tick, no unlatched trip standing), the record holding the table's
 * ids in table order (initialState builds it so; the step's copies keep the order); a record in
 * any other order answers false, and judgeRows then judges it by lookup. The record is shared
 * unchanged from tick to tick until a row changes (judgeRows copies it on write), so the answer is
 * kept per record: most ticks ask a record already found idle, one WeakSet lookup where walking the
 * record cost about 0.15 us a tick (bench/sim.ts). A record found idle is kept in `idle` (the step's
 * workspace's set, workspace.ts), frozen with its statuses and their windows, so that what was
 * found cannot change under the answer kept (a write throws); a record not idle is walked again
 * each tick it is asked about (a tick that judges every row).
 */
function statusesIdle(statuses: Readonly<Record<InterlockId, InterlockStatus>>, idle: WeakSet<object>): boolean {
  if (idle.has(statuses)) return true;
  const byId: Readonly<Record<string, InterlockStatus>> = statuses;
  let index = 0;
  for (const id in byId) {
    const row = ROWS_FOR_STEP[index];
    const status = byId[id];
    if (row?.id !== id || status === undefined || !rowQuiet(status, false, row.latch)) return false;
    index++;
  }
  if (index !== ROWS_FOR_STEP.length) return false;
  idle.add(deepFreeze(statuses));
  return true;
}

/** Every row judged, in table order: the debounce windows, trips and automatic clears. Runs only
 * on a tick with some row not quiet (its checks are pure, so running them again is harmless). */
function judgeRows(ctx: TickContext, events: ControllerEvent[]): InterlockPass {
  const { nowMs, state: s, settings } = ctx;
  const tickMs = periodMs(settings);
  // Copy-on-write: only the statuses that change are copied.
  let statuses: Record<InterlockId, InterlockStatus> | null = null;
  let tripped: InterlockId[] | null = null;
  let autoCleared: InterlockId[] | null = null;
  for (const { id, check, latch, row } of ROWS_FOR_STEP) {
    const prev = s.interlocks[id];
    const detail = check(ctx);
    const raw = detail !== null;
    if (rowQuiet(prev, raw, latch)) continue;
    const k = debounceSamples(debounceFor(row, settings.debounceMs), tickMs);
    const badTicks = judgeBadTicks(prev.badTicks, raw, s.tickCount, k);
    let next: InterlockStatus = { badTicks, tripped: prev.tripped, trippedAtMs: prev.trippedAtMs, conditionNow: raw, detail: detail ?? prev.detail };
    const debounced = badTicks.length >= k;
    if (!prev.tripped && detail !== null && debounced && row.armedIn.includes(s.phase)) {
      next = { ...next, tripped: true, trippedAtMs: nowMs };
      (tripped ??= []).push(id);
      events.push({ kind: 'trip', atMs: nowMs, id, priority: row.priority, latched: latch, detail, hint: row.hint });
    } else if (prev.tripped && !latch && !raw) {
      next = { ...next, tripped: false };
      (autoCleared ??= []).push(id);
      events.push({ kind: 'cleared', atMs: nowMs, id });
    }
    statuses ??= { ...s.interlocks };
    statuses[id] = next;
  }
  return { statuses, tripped: tripped ?? NO_IDS, autoCleared: autoCleared ?? NO_IDS };
}

/** Acknowledge: silence what sounds now; in Fault, clear latched trips whose condition is gone. */
function acknowledge(s: ControllerState, nowMs: number, events: ControllerEvent[], cleared: InterlockId[]): ControllerState {
  const { alarms, silenced, reset } = silenceActive(s.alarms);
  events.push({ kind: 'acknowledge', atMs: nowMs, silenced });
  if (reset.length > 0) events.push({ kind: 'alarm-reset', atMs: nowMs, reset });
  let next: ControllerState = withChanges(s, { alarms });
  if (s.phase !== 'Fault') return next;
  const persisting = INTERLOCKS.filter((r) => r.advisory !== true && s.interlocks[r.id].tripped && s.interlocks[r.id].conditionNow);
  if (persisting.length > 0) {
    const reason = `condition still present: ${persisting.map((r) => `${r.id} (${s.interlocks[r.id].detail ?? ''})`).join(', ')}`;
    events.push({ kind: 'refused', atMs: nowMs, input: 'acknowledge', reason });
    return next;
  }
  const statuses = { ...s.interlocks };
  for (const row of INTERLOCKS) {
    if (statuses[row.id].tripped) {
      statuses[row.id] = { ...statuses[row.id], tripped: false };
      cleared.push(row.id);
      events.push({ kind: 'cleared', atMs: nowMs, id: row.id });
    }
  }
  // Stryker disable next-line BooleanLiteral: equivalent: startRequested is read only in Ready, and the way back to Ready is a new start (beginSelfTest sets it true)
  next = withChanges(next, { interlocks: statuses, startRequested: false });
  return enterPhase(next, nowMs, 'Idle', 'none', events, 0);
}

// Stryker disable next-line BlockStatement: equivalent: an empty body returns undefined, read as 'changed', and the inputs are copied with the same values
function sameInputs(a: ControllerState['inputs'], b: Readings['operator']): boolean {
  return (
    a.start === b.start &&
    a.stop === b.stop &&
    a.acknowledge === b.acknowledge &&
    a.audioPause === b.audioPause &&
    a.newSite === b.newSite &&
    a.footswitch === b.footswitch &&
    a.estop === b.estop
  );
}

/** The tip reading is distrusted from a tip-validity trip until the next treatment starts. */
function tipDistrustAfter(
  prev: TipDistrust | null,
  tripped: readonly InterlockId[],
  statuses: Readonly<Record<InterlockId, InterlockStatus>>,
  nowMs: number,
): TipDistrust | null {
  if (prev !== null || tripped.length === 0) return prev;
  const cause = tipDistrustingTrip(tripped);
  return cause === undefined ? null : { reason: `${cause}: ${statuses[cause].detail ?? ''}`, sinceMs: nowMs };
}

/**
 * The debounce, after gas has flowed and outside a treatment, of an unusable tip reading before
 * the tip becomes unknown: the tip-validity rows' own default debounce (100 ms; THERMOCOUPLE_FAULT
 * and PROBE_DISCONNECTED in interlocks.ts), judged as they judge it: debounceSamples of the last
 * twice as many samples unusable (6 of 12 at 50 Hz, 2 of 4 at 10 Hz; judgeBadTicks), counted in
 * samples so late ticks do not thin the window out. Without it one bad sample after Complete (a
 * fault bit, a presence glitch, a probe id read as none for a tick) made the tip unknown, and SAFE
 * TO WITHDRAW then waited out the passive thaw bound: over an hour after three minutes of gas.
 * While the window has not filled the unusable samples are not used: SAFE TO WITHDRAW is not
 * declared on a bad sample (it drops), and the dwell starts again after it (warmFromNow: the warm
 * span's range is kept, so a glitch does not leave too short a range to prove the sensor alive).
 * A fault present on half the samples or more (every other one; bursts of 5 ticks in 10) makes the
 * tip unknown, as the rows trip on it in a treatment: a window of "clean gaps shorter than 100 ms
 * do not end it", its first form, let bursts of 80 ms every 200 ms (and, at 10 Hz, a fault on
 * every other sample) never make the tip unknown. A fault on fewer samples keeps SAFE TO WITHDRAW
 * off for as long as it lasts (each bad sample restarts the dwell).
 */
export const TIP_UNUSABLE_DEBOUNCE_MS = 100;

type WarmSpan = ControllerState['warm'];

/**
 * Outside a treatment the tip-validity rows are not armed (nothing to stop), but after gas has
 * flowed the probe may still be frozen: a reading that becomes unusable then (open, stale, probe
 * off, or its calibration no longer usable) makes the tip unknown with its countdown, instead of
 * DO NOT WITHDRAW for ever, once it has been so for TIP_UNUSABLE_DEBOUNCE_MS. A calibration that
 * answers unusable after the treatment (the probe's id changed; an acknowledge reads the record
 * again only while it is already unusable: src/runtime/loop.ts) leaves the reading uncorrected, up
 * to the fit's 3 C offset from the truth: SAFE TO WITHDRAW judged on it could call a tip at -1 C
 * thawed. Null when the reading is usable, before any gas, and in a treatment (the rows judge it
 * there).
 */
function unusableAfterGas(ctx: TickContext, s: ControllerState, readings: ControllerReadings): string | null {
  if (s.gasLastFlowedMs === null || TREATING_PHASES.includes(s.phase)) return null;
  const problem = ctx.tcProblem ?? ctx.staleProblem ?? (readings.probe.present ? null : 'probe not present') ?? readings.calibration.problem;
  return problem === null ? null : `tip reading unusable after the treatment: ${problem}`;
}

/** The warm span on a tick whose reading is unusable but not yet for TIP_UNUSABLE_DEBOUNCE_MS: its
 * range kept (the movement that proves the sensor alive is not lost to a glitch), warm only from
 * now, so the dwell runs again from the first usable tick: SAFE TO WITHDRAW, dropped for the
 * glitch, comes back a whole dwell later, and a reading bad every few ticks (never often enough to
 * make the tip unknown) never declares it, nor turns it on and off with each bad sample. */
function warmFromNow(w: WarmSpan, nowMs: number): WarmSpan {
  return w === null || w.sinceMs === nowMs ? w : { ...w, sinceMs: nowMs };
}

/** What the withdrawal judgement concludes this tick, beside the warm span. */
interface WithdrawalVerdict {
  readonly safe: boolean;
  /** Why the reading is not trusted after all (it never moved through the dwell); null if it is. */
  readonly deadReading: string | null;
}

/** The verdicts without a dead reading, shared: judging them allocates nothing. */
const SAFE: WithdrawalVerdict = Object.freeze({ safe: true, deadReading: null });
const NOT_SAFE: WithdrawalVerdict = Object.freeze({ safe: false, deadReading: null });

/**
 * After gas has flowed, a warm reading that falls by more than this below its last low is still
 * falling. Once the gas has stopped the tip in tissue only warms, so a reading that keeps falling
 * lags a tip colder than it reads: a junction come loose from the tip wall, or a thick sheath, lags
 * by seconds where a sound one lags by under one (a 6-8 s lag, a freeze stopped 4 s in: SAFE TO
 * WITHDRAW from a reading still falling from body temperature, the true tip at -1 to -5 C,
 * tests/withdrawal-lagging-thermocouple.test.ts). The dwell restarts at each new low, and after
 * one SAFE TO WITHDRAW waits withdrawal.ts FALLING_QUIET_MS (30 s) from the last, so a first-order lag of L
 * seconds declares only once it falls by less than this in 30 s, that is once it reads less than
 * 0.25 C x L / 30 s above the tip (per the dwell alone, 0.25 C x L / 5 s, it passed the margin in
 * tissue lingering just below 0 C: FALLING_QUIET_MS). 0.25 C: about three standard deviations of the sim front-end's noise (0.08 C) and
 * more than a 0.2 C ripple, so a steady reading sets a new low only rarely, and more rarely the
 * longer it runs (each new low is lower). With no gas since power-up and no site freeze from the
 * records the rule does not apply: no freeze is known that could have made the tip colder than it
 * reads (a probe cooling from body heat in room air is declared as before). A console restarted
 * after a crash with its site's freeze from the records applies it: a lagging reading still
 * falling a few seconds after a short freeze otherwise declared 5 s after power-up.
 */
export const FALLING_READING_C = 0.25;


/**
 * The warm span after this tick: since when every tip channel has read fresh, usable and above
 * withdrawReadingC (0 C plus the withdrawal margin, never less than the reading's uncertainty), and the coldest channel's range since the first warm sample after the
 * last gas flow (samples from before it prove nothing now), with its last new low (FALLING_READING_C);
 * null while not warm. The span is copied only when it changes: a steady warm reading allocates
 * nothing per tick.
 */
function nextWarm(ctx: TickContext, s: ControllerState, fresh: boolean): WarmSpan {
  const coldest = ctx.coldestTip;
  const warmNow = fresh && ctx.tcProblem === null && coldest !== null && coldest.tipC > withdrawReadingC(ctx.settings.thaw.withdrawMarginC, ctx.readings.calibration);
  if (!warmNow) return null;
  const coldestC = coldest.tipC;
  const nowMs = ctx.nowMs;
  const w = s.warm;
  if (w === null || (s.gasLastFlowedMs !== null && s.gasLastFlowedMs >= w.spanFromMs)) {
    // No fall seen yet: the low's time is the span's start, which moves the dwell nowhere.
    const sinceMs = w?.sinceMs ?? nowMs;
    return { sinceMs, spanFromMs: nowMs, minC: coldestC, maxC: coldestC, lowC: coldestC, lowSinceMs: sinceMs, refC: coldestC, movedMs: nowMs };
  }
  // A freeze is known once gas has flowed, or when the records gave a console restarted after a
  // crash its site's freeze (cumulativeFreezeMs from initialState's prior site, no gas since).
  const freezeKnown = s.gasLastFlowedMs !== null || s.cumulativeFreezeMs > 0;
  const falling = freezeKnown && coldestC < w.lowC - FALLING_READING_C;
  // The reading moved from where it last moved (judgeWithdrawal's liveness, liveMoveC).
  const moved = Math.abs(coldestC - w.refC) >= liveMoveC(ctx.settings);
  if (!falling && !moved && coldestC >= w.minC && coldestC <= w.maxC) return w;
  return {
    sinceMs: w.sinceMs,
    spanFromMs: w.spanFromMs,
    minC: Math.min(w.minC, coldestC),
    maxC: Math.max(w.maxC, coldestC),
    lowC: falling ? coldestC : w.lowC,
    lowSinceMs: falling ? nowMs : w.lowSinceMs,
    refC: moved ? coldestC : w.refC,
    movedMs: moved ? nowMs : w.movedMs,
  };
}

/**
 * The most a warm reading must move within tip.stuckWindowMs, after a freeze and until SAFE TO
 * WITHDRAW, to count as alive (judgeWithdrawal), C: tip.stuckMinSpanC, capped at its default. The
 * rule is for a register that stopped changing (a sensor stuck while it lagged the tip); a larger
 * setting (the schema takes up to 1 C) called a sound reading settled near body temperature dead,
 * the tip then unknown (1 drawn fuzz run in 700 at each of two lags, settings drawn up to 0.74 C).
 */
export const LIVE_READING_MOVE_MAX_C = 0.02;

function liveMoveC(settings: Settings): number {
  return Math.min(settings.tip.stuckMinSpanC, LIVE_READING_MOVE_MAX_C);
}

/**
 * SAFE TO WITHDRAW (M2 of the review): only outside a freeze or thaw, with the tip trusted, every
 * channel fresh, usable and above withdrawReadingC (`warm`, from nextWarm), and that for
 * thaw.withdrawDwellMs counted from the latest of the first warm sample, the last gas flow and the
 * coldest channel's last new low (a reading still falling lags a colder tip: FALLING_READING_C). One
 * cold or unusable sample restarts the dwell: a warm flicker among cold readings never declares
 * it. The reading must also be alive: a sensor stuck at a warm value before the stuck check's
 * first window ended (a freeze stopped after a second) never moves, and must not declare a tip it
 * never saw (the fuzzer found it: safe with the true tip at -7 C). A dwell with less than
 * tip.stuckMinSpanC of movement makes the tip unknown instead, and so, after a freeze and until
 * SAFE TO WITHDRAW is declared, does a reading that has not moved within the last tip.stuckWindowMs
 * (liveMoveC: one that stuck while it lagged, its earlier fall passing for movement).
 */
function judgeWithdrawal(ctx: TickContext, s: ControllerState, warm: WarmSpan, warmFellMs: number | null): WithdrawalVerdict {
  const { nowMs, settings } = ctx;
  if (warm === null) return NOT_SAFE;
  if (s.phase === 'Freezing' || s.phase === 'Thawing' || s.tipDistrust !== null) return NOT_SAFE;
  const dwellFromMs = Math.max(warm.sinceMs, s.gasLastFlowedMs ?? warm.sinceMs, warm.lowSinceMs);
  if (nowMs - dwellFromMs < settings.thaw.withdrawDwellMs) return NOT_SAFE;
  // The reading fell while warm after the last gas flow, in this span or one before it that its
  // noise ended (FALLING_QUIET_MS).
  if (fellRecently(warmFellMs, s.gasLastFlowedMs, nowMs)) return NOT_SAFE;
  // warm is non-null only with a usable coldest channel (nextWarm).
  const coldestC = ctx.coldestTip === null ? Number.NaN : ctx.coldestTip.tipC;
  if (warm.maxC - warm.minC >= settings.tip.stuckMinSpanC) {
    // After a freeze, until SAFE TO WITHDRAW is declared: the reading moved within the last stuck
    // window (tip.stuckWindowMs, by liveMoveC). The span's range alone let a reading that
    // stuck while it lagged pass, its fall from before it stuck counting as movement: SAFE TO
    // WITHDRAW with the true tip at -2.19 C (stuck at 7 C while still falling, a 30 s lag) and at
    // -7.76 C (stuck just after the gas stopped), found by the fuzzer's lag draws and their review.
    // A reading lagging a tip that warms rises, and a sound one has noise.
    const freezeKnown = s.gasLastFlowedMs !== null || s.cumulativeFreezeMs > 0;
    if (freezeKnown && !s.safeToWithdraw && nowMs - warm.movedMs >= settings.tip.stuckWindowMs) {
      const deadReading = `tip reading has not moved by ${liveMoveC(settings)} C for ${nowMs - warm.movedMs} ms (at ${coldestC.toFixed(2)} C) after a freeze: the sensor may be stuck`;
      return { safe: false, deadReading };
    }
    return SAFE;
  }
  // The span restarts when gas flows (nextWarm), so with gas seen it runs from after the last flow;
  // with none since power-up there is no flow to name.
  const since = s.gasLastFlowedMs === null ? ', with no gas flow since power-up' : ' after gas last flowed';
  const deadReading = `tip reading constant at ${coldestC.toFixed(2)} C for ${nowMs - warm.spanFromMs} ms${since}: the sensor may be stuck`;
  return { safe: false, deadReading };
}

/** The valve commands, shared: choosing them allocates nothing. */
const BOTH_CLOSED = Object.freeze({ supply: false, safety: false });
const BOTH_OPEN = Object.freeze({ supply: true, safety: true });
const SAFETY_ONLY = Object.freeze({ supply: false, safety: true });
const SUPPLY_ONLY = Object.freeze({ supply: true, safety: false });

function valveCommands(s: ControllerState, untripped: WeakSet<object>): { readonly supply: boolean; readonly safety: boolean } {
  if (anyTripped(s, untripped)) return BOTH_CLOSED;
  switch (s.sub) {
    case 'freeze-open':
      return BOTH_OPEN;
    case 'freeze-verify-closed':
    case 'selftest-safety-only':
      return SAFETY_ONLY;
    case 'selftest-supply-only':
      return SUPPLY_ONLY;
    case 'none':
    case 'selftest-settle':
    case 'selftest-pause':
      return BOTH_CLOSED;
  }
}

/**
 * The control step: the tick's work, then its invariants asserted (a violation throws). `work` is
 * the caller's scratch (workspace.ts), reused from tick to tick so that the step builds none of
 * its own: the ControlLoop keeps one. Without it the step makes a fresh one, with the same result.
 */
export function step(nowMs: number, settings: Settings, readings: ControllerReadings, prev: ControllerState, work?: StepWorkspace): StepResult {
  const lastBefore = work?.recycle?.lastState ?? null;
  const result = stepWithoutInvariantCheck(nowMs, settings, readings, prev, work);
  try {
    assertStepInvariants(settings, readings, prev, result.state, result.outputs, work?.untrippedStatuses);
  } catch (err) {
    // The caller never receives this state: the last state it did is still the one to step from.
    if (work?.recycle) work.recycle.lastState = lastBefore;
    throw err;
  }
  return result;
}

/**
 * The step without its end-of-step invariant check. For the simulation benchmark only, which
 * measures the check's cost by running both (bench/sim.ts through the loop's test seam); the
 * console, the simulator and the board sessions always run `step`.
 */
export function stepWithoutInvariantCheck(nowMs: number, settings: Settings, readings: ControllerReadings, prev: ControllerState, work?: StepWorkspace): StepResult {
  return stepOn(work ?? createStepWorkspace(), nowMs, settings, readings, prev, true);
}

/**
 * The step without its end-of-step invariant check and without the live ice-ball estimate (the
 * state's estimate is carried unchanged). For the benchmark only, which measures the estimate's
 * cost per tick against `stepWithoutInvariantCheck` on the same recorded inputs (bench/sim.ts).
 */
export function stepWithoutIceBallEstimate(nowMs: number, settings: Settings, readings: ControllerReadings, prev: ControllerState, work?: StepWorkspace): StepResult {
  return stepOn(work ?? createStepWorkspace(), nowMs, settings, readings, prev, false);
}

/** `prev` is the state a recycling workspace's last step returned, or holds none of its objects
 * that the last state does not (its memory record, ice-ball track and radii: the workspace's
 * objects a copy of an older state would carry). */
function fromLastOrOwn(recycle: Recycling, prev: ControllerState): boolean {
  const last = recycle.lastState;
  if (prev === last) return true;
  if (recycle.states.owns(prev)) return false;
  return (
    (!recycle.memory.owns(prev.memory) || prev.memory === last?.memory) &&
    (!recycle.iceBallTrack.owns(prev.iceBallTrack) || prev.iceBallTrack === last?.iceBallTrack) &&
    (!recycle.iceBall.owns(prev.iceBall) || prev.iceBall === last?.iceBall)
  );
}

/** The step on a workspace no other step is using (one caller, one step at a time: a step that
 * began on a workspace in use would overwrite the other's scratch). */
function stepOn(work: StepWorkspace, nowMs: number, settings: Settings, readings: ControllerReadings, prev: ControllerState, estimate: boolean): StepResult {
  assert(!work.busy, 'control step: its workspace is already in use by another step');
  const recycle = work.recycle;
  // A recycling workspace's older state has been overwritten by a later step (workspace.ts Recycling),
  // and so has what it held: a copy of it still holds its memory record, track and radii.
  if (recycle !== null && !fromLastOrOwn(recycle, prev)) {
    assert(false, 'control step: the state passed in is, or holds the objects of, an older state of a recycling workspace, since overwritten');
  }
  work.busy = true;
  try {
    return stepInner(work, nowMs, settings, readings, prev, estimate);
  } finally {
    work.busy = false;
  }
}

function stepInner(work: StepWorkspace, nowMs: number, settings: Settings, readings: ControllerReadings, prev: ControllerState, estimate: boolean): StepResult {
  // Time is the one input no interlock can judge: a non-finite time would make every duration
  // NaN (a freeze that never ends). It is a bug upstream; throwing sends the runtime to its safe state.
  if (!Number.isFinite(nowMs)) throw new RangeError(`control step: time ${nowMs} ms is not a finite number`);
  // The workspace's list: emptied here, so a step that threw leaves nothing for the next one.
  const events = work.events;
  // Emptied only when it holds something: setting an array's length is a call into the runtime,
  // about 0.3 us a tick (bench/sim.ts), and most ticks have no events to clear.
  if (events.length !== 0) events.length = 0;
  // The context's facts are the readings' (the tip, the flow): the trackers take them from it,
  // then the context is put over the tracked state before anything reads its state.
  const facts = makeContext(nowMs, settings, readings, prev, work);
  const tracked = updateTrackers(nowMs, settings, readings, prev, work, facts);
  const ctx = contextOver(work, tracked);
  const edges = inputEvents(nowMs, readings, prev, events);
  const pass = evaluateInterlocks(ctx, events, work.idleStatuses);

  const statuses = pass.statuses ?? tracked.interlocks;
  let s: ControllerState = statuses === tracked.interlocks ? tracked : withChanges(tracked, { interlocks: statuses });
  const distrust = tipDistrustAfter(s.tipDistrust, pass.tripped, statuses, nowMs);
  if (distrust !== s.tipDistrust) s = withChanges(s, { tipDistrust: distrust });
  if (anyActingTrip(pass.tripped)) {
    // Any trip closes the valves in this same tick (valveCommands sees the tripped status) and
    // ends the treatment: latched trips go to Fault, the others (stop, footswitch) to Stopped.
    // An advisory's trip (INEFFECTIVE_FREEZE) acts on nothing here: it only raises its alarm.
    const latched = pass.tripped.some((id) => interlockById(id).latch);
    const target = latched || s.phase === 'Fault' ? 'Fault' : 'Stopped';
    // Stryker disable next-line BooleanLiteral: equivalent: startRequested is read only in Ready, and the way back to Ready is a new start (beginSelfTest sets it true)
    s = withChanges(enterPhase(s, nowMs, target, 'none', events), { startRequested: false, freezeOpenedMs: null });
  } else {
    s = advancePhase(s === ctx.state ? ctx : withState(ctx, s), edges, events);
  }
  if (s.phase === 'Fault' && edges.start) {
    events.push({ kind: 'refused', atMs: nowMs, input: 'start', reason: 'acknowledge the fault first' });
  }
  if (s.phase === 'Fault' && edges.newSite) {
    events.push({ kind: 'refused', atMs: nowMs, input: 'new-site', reason: 'acknowledge the fault first' });
  }

  let cleared = pass.autoCleared;
  if (edges.acknowledge) {
    const clearedNow = [...pass.autoCleared];
    s = acknowledge(s, nowMs, events, clearedNow);
    cleared = clearedNow;
  }
  // The options are built only when a condition starts or ends (quiet ticks allocate nothing here).
  const changes = pass.tripped.length > 0 || cleared.length > 0;
  const update = changes ? { latching: settings.alarms.latching, detailOf: (id: InterlockId) => statuses[id].detail ?? '' } : undefined;
  const alarms = updateAlarms(nowMs, s.alarms, pass.tripped, cleared, priorityOf, update);
  if (alarms !== s.alarms) s = withChanges(s, { alarms });
  if (edges.audioPause || s.audioPause !== null) {
    s = updateAudioPause(s, { nowMs, settings, pressed: edges.audioPause, newHigh: pass.tripped.some((id) => priorityOf(id) === 'high') }, events);
  }

  const valves = valveCommands(s, work.untrippedStatuses);
  const fresh = ctx.staleProblem === null && readings.halFault === null;

  const unusable = unusableAfterGas(ctx, s, readings);
  const unusableK = debounceSamples(TIP_UNUSABLE_DEBOUNCE_MS, periodMs(settings));
  // The unusable samples' window (ControllerState.tipUnusable), as the rows keep theirs.
  const tipUnusable = judgeBadTicks(s.tipUnusable, unusable !== null, s.tickCount, unusableK);
  if (unusable !== null && tipUnusable.length >= unusableK && s.tipDistrust === null) {
    s = withChanges(s, { tipDistrust: { reason: unusable, sinceMs: nowMs } });
  }
  // An unusable reading is not used while its debounce runs: nothing is declared safe from it, and
  // the warm span keeps its range but is warm only from here (the dwell starts again). Once the tip
  // is unknown the span ends, as it did before the debounce: an outage is no glitch, and a span
  // kept across it let the range from before it count, after the next start cleared the distrust,
  // for a reading back from it stuck (SAFE TO WITHDRAW in the self-test,
  // tests/controller-step-withdrawal.test.ts).
  const warm = unusable === null ? nextWarm(ctx, s, fresh) : s.tipDistrust === null ? warmFromNow(s.warm, nowMs) : null;
  // A new low this tick after the span's first sample: the warm reading fell (FALLING_QUIET_MS).
  const warmFellMs = warm !== null && warm.lowSinceMs === nowMs && warm.lowSinceMs > warm.spanFromMs ? nowMs : s.warmFellMs;
  const withdrawal = unusable === null ? judgeWithdrawal(ctx, s, warm, warmFellMs) : NOT_SAFE;
  if (withdrawal.deadReading !== null && s.tipDistrust === null) s = withChanges(s, { tipDistrust: { reason: withdrawal.deadReading, sinceMs: nowMs } });
  if (s.tipDistrust !== prev.tipDistrust && s.tipDistrust !== null) events.push({ kind: 'tip-unknown', atMs: nowMs, reason: s.tipDistrust.reason });
  const safeToWithdraw = withdrawal.safe;
  // Stryker disable next-line StringLiteral: equivalent: the message of an assertion that holds on every tick (judgeWithdrawal never declares safe from a distrusted tip)
  assert(!safeToWithdraw || s.tipDistrust === null, 'safe to withdraw declared from a distrusted tip reading');
  if (safeToWithdraw !== prev.safeToWithdraw) events.push({ kind: 'safe-to-withdraw', atMs: nowMs, safe: safeToWithdraw });

  const paused = s.audioPause !== null;
  // The info tone is for a treatment that ran to its end: after a stop or a fault the buzzer has
  // just been an alarm, and a tone then could be taken for part of it (the page still shows SAFE
  // TO WITHDRAW).
  const completed = s.phase === 'Complete';
  const began =
    completed && safeToWithdraw && !prev.safeToWithdraw ? 'safe-to-withdraw' : completed && prev.phase !== 'Complete' ? 'treatment-complete' : null;
  const info = updateInfo(s.info, nowMs, began, anyAlarmAudible(nowMs, s.alarms, priorityOf, paused));
  if (info !== s.info) s = withChanges(s, { info });
  const signals = alarmSignals(nowMs, s.alarms, priorityOf, s);
  // The watchdog is fed only after a step that ran on fresh sensor data (Marlin's rule).
  const heartbeat = fresh ? !prev.outputs.heartbeat : prev.outputs.heartbeat;
  const outputs = outputsOf(valves.supply, valves.safety, heartbeat, signals);

  // The live ice-ball estimate and, when a freeze's supply closed this tick, its verdict.
  const ice: IceBallPart = estimate ? updateIceBall(prev, s, nowMs, settings, readings, events, work.recycle) : s;

  const op = readings.operator;
  const inputs = sameInputs(prev.inputs, op)
    ? prev.inputs
    : {
        start: op.start,
        stop: op.stop,
        acknowledge: op.acknowledge,
        audioPause: op.audioPause,
        newSite: op.newSite,
        footswitch: op.footswitch,
        estop: op.estop,
      };
  const supplyClosedSinceMs = outputs.supplyValveOpen ? null : (s.supplyClosedSinceMs ?? nowMs);
  const safetyClosedSinceMs = outputs.safetyValveOpen ? null : (s.safetyClosedSinceMs ?? nowMs);
  const eventsOut = events.length === 0 ? NO_EVENTS : events.splice(0);
  const recycle = work.recycle;
  if (recycle !== null) {
    // A recycling workspace (workspace.ts Recycling): the same fields written into the state the
    // one passed in is not.
    const t = recycle.states.spare(prev) ?? recycle.states.keep(prev, withChanges(s, NO_CHANGES));
    copyState(t, s);
    t.inputs = inputs;
    t.outputs = outputs;
    t.supplyClosedSinceMs = supplyClosedSinceMs;
    t.safetyClosedSinceMs = safetyClosedSinceMs;
    t.warm = warm;
    t.warmFellMs = warmFellMs;
    t.tipUnusable = tipUnusable;
    t.safeToWithdraw = safeToWithdraw;
    t.iceBall = ice.iceBall;
    t.iceBallTrack = ice.iceBallTrack;
    t.freezeVerdicts = ice.freezeVerdicts;
    recycle.lastState = t;
    const r = recycle.results.spare(prev) ?? recycle.results.keep(prev, { outputs, state: t, events: eventsOut });
    r.outputs = outputs;
    r.state = t;
    r.events = eventsOut;
    return r;
  }
  // Every field named, in initialState's order: a literal is built in one go, where a spread of
  // this many fields cost about a microsecond a tick (bench/sim.ts). `s` is this step's own.
  s = {
    phase: s.phase,
    sub: s.sub,
    cycle: s.cycle,
    cyclesBegun: s.cyclesBegun,
    phaseSinceMs: s.phaseSinceMs,
    subSinceMs: s.subSinceMs,
    subSinceTick: s.subSinceTick,
    startRequested: s.startRequested,
    inputs,
    interlocks: s.interlocks,
    alarms: s.alarms,
    audioPause: s.audioPause,
    audioResumedMs: s.audioResumedMs,
    info: s.info,
    outputs,
    supplyClosedSinceMs,
    safetyClosedSinceMs,
    freezeOpenedMs: s.freezeOpenedMs,
    cycleFreezeMs: s.cycleFreezeMs,
    cumulativeFreezeMs: s.cumulativeFreezeMs,
    gasLastFlowedMs: s.gasLastFlowedMs,
    warm,
    warmFellMs,
    tipDistrust: s.tipDistrust,
    tipUnusable,
    tipAtSubStartC: s.tipAtSubStartC,
    tickCount: s.tickCount,
    lastStepMs: s.lastStepMs,
    lastGapMs: s.lastGapMs,
    memory: s.memory,
    safeToWithdraw,
    iceBall: ice.iceBall,
    iceBallTrack: ice.iceBallTrack,
    freezeVerdicts: ice.freezeVerdicts,
  };
  // The events leave as a copy (splice empties the workspace's list): nothing returned is scratch.
  return { outputs, state: s, events: eventsOut };
}

