// The pure control step: (now, settings, readings, state) -> (outputs, state, events).
// No timers, clock, console, files or network: the runtime around it does the I/O. Order within
// a tick: trackers, interlocks (a trip closes the valves in this same tick), phase logic,
// acknowledge, outputs.
import type { Outputs, Readings } from '../../hal/contract.js';
import { assert } from '../../kernel/assert.js';
import { alarmSignals, anyAlarmAudible, silenceActive, updateAlarms, updateAudioPause, updateInfo } from './alarms.js';
import { makeContext } from './context.js';
import type { ControllerReadings } from './probe-calibration.js';
import type { TickContext } from './context.js';
import { INTERLOCKS, anyTripped, debounceFor, debounceSamples, interlockById, tipDistrustingTrip } from './interlocks.js';
import type { Edges } from './phase-logic.js';
import { assertStepInvariants } from './invariants.js';
import { advancePhase, enterPhase } from './phase-logic.js';
import type { Settings } from './settings.js';
import type { ControllerState, InterlockStatus, TipDistrust } from './state.js';
import { NO_TICKS } from './state.js';
import { periodMs, updateTrackers } from './trackers.js';
import type { ControllerEvent, InterlockId, OperatorInput } from './types.js';
import { TREATING_PHASES } from './types.js';

export interface StepResult {
  readonly outputs: Outputs;
  readonly state: ControllerState;
  readonly events: readonly ControllerEvent[];
}

const priorityOf = (id: InterlockId) => interlockById(id).priority;

function inputEvents(nowMs: number, readings: Readings, prev: ControllerState, events: ControllerEvent[]): Edges {
  const op = readings.operator;
  const was = prev.inputs;
  const push = (input: OperatorInput): void => void events.push({ kind: 'input', atMs: nowMs, input });
  const edges = {
    start: op.start && !was.start,
    stop: op.stop && !was.stop,
    acknowledge: op.acknowledge && !was.acknowledge,
    audioPause: op.audioPause && !was.audioPause,
    newSite: op.newSite && !was.newSite,
  };
  if (edges.start) push('start');
  if (edges.stop) push('stop');
  if (edges.acknowledge) push('acknowledge');
  if (edges.audioPause) push('audio-pause');
  if (edges.newSite) push('new-site');
  if (op.footswitch !== was.footswitch) push(op.footswitch ? 'footswitch-down' : 'footswitch-up');
  if (op.estop !== was.estop) push(op.estop ? 'estop-pressed' : 'estop-released');
  return edges;
}

interface InterlockPass {
  readonly statuses: Readonly<Record<InterlockId, InterlockStatus>>;
  readonly tripped: InterlockId[];
  readonly autoCleared: InterlockId[];
}

/**
 * The ticks that saw the condition within the judging window: k of the last 2k samples
 * (debounceSamples), counted in samples so late ticks do not thin the window out. Bad samples are
 * counted, not required in a row, so a condition that comes and goes (-150 C on 4 samples of 5,
 * -95 C on every other one) still trips.
 */
function judgeBadTicks(prev: readonly number[], raw: boolean, tick: number, k: number): readonly number[] {
  const windowStart = tick - 2 * k;
  // An empty window has nothing to expire (infinity is never at or before the window's start).
  const expired = (prev[0] ?? Number.POSITIVE_INFINITY) <= windowStart;
  if (!raw && !expired) return prev;
  const kept = expired ? prev.filter((t) => t > windowStart) : prev;
  if (!raw) return kept.length === 0 ? NO_TICKS : kept;
  return [...kept, tick];
}

function evaluateInterlocks(ctx: TickContext, events: ControllerEvent[]): InterlockPass {
  const { nowMs, state: s, settings } = ctx;
  const tickMs = periodMs(settings);
  // Copy-on-write: a quiet tick (no condition anywhere) allocates nothing here.
  let statuses: Record<InterlockId, InterlockStatus> | null = null;
  const tripped: InterlockId[] = [];
  // Stryker disable next-line ArrayDeclaration: equivalent: an id no alarm has, in the cleared list, ends no alarm (updateAlarms rebuilds the same list)
  const autoCleared: InterlockId[] = [];
  for (const row of INTERLOCKS) {
    const prev = s.interlocks[row.id];
    const detail = row.check(ctx);
    const raw = detail !== null;
    // A quiet row with an empty window has nothing to judge. The last two terms are redundant (a row
    // that saw its condition last tick, or tripped unlatched, still has that tick in its window): kept
    // as a guard, and their mutants are equivalent.
    if (
      !raw &&
      prev.badTicks.length === 0 &&
      // Stryker disable next-line ConditionalExpression,BooleanLiteral: equivalent: conditionNow implies a non-empty window (see above)
      !prev.conditionNow &&
      // Stryker disable next-line ConditionalExpression,BooleanLiteral,LogicalOperator: equivalent: a tripped unlatched row clears on its first quiet tick, whose window is never empty
      !(prev.tripped && !row.latch)
    )
      continue;
    const k = debounceSamples(debounceFor(row, settings.debounceMs), tickMs);
    const badTicks = judgeBadTicks(prev.badTicks, raw, s.tickCount, k);
    let next: InterlockStatus = { ...prev, badTicks, conditionNow: raw, detail: detail ?? prev.detail };
    const debounced = badTicks.length >= k;
    if (!prev.tripped && detail !== null && debounced && row.armedIn.includes(s.phase)) {
      next = { ...next, tripped: true, trippedAtMs: nowMs };
      tripped.push(row.id);
      events.push({ kind: 'trip', atMs: nowMs, id: row.id, priority: row.priority, latched: row.latch, detail, hint: row.hint });
    } else if (prev.tripped && !row.latch && !raw) {
      next = { ...next, tripped: false };
      autoCleared.push(row.id);
      events.push({ kind: 'cleared', atMs: nowMs, id: row.id });
    }
    statuses ??= { ...s.interlocks };
    statuses[row.id] = next;
  }
  return { statuses: statuses ?? s.interlocks, tripped, autoCleared };
}

/** Acknowledge: silence what sounds now; in Fault, clear latched trips whose condition is gone. */
function acknowledge(s: ControllerState, nowMs: number, events: ControllerEvent[], cleared: InterlockId[]): ControllerState {
  const { alarms, silenced, reset } = silenceActive(s.alarms);
  events.push({ kind: 'acknowledge', atMs: nowMs, silenced });
  if (reset.length > 0) events.push({ kind: 'alarm-reset', atMs: nowMs, reset });
  let next: ControllerState = { ...s, alarms };
  if (s.phase !== 'Fault') return next;
  const persisting = INTERLOCKS.filter((r) => s.interlocks[r.id].tripped && s.interlocks[r.id].conditionNow);
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
  next = { ...next, interlocks: statuses, startRequested: false };
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
function tipDistrustAfter(prev: TipDistrust | null, tripped: readonly InterlockId[], pass: InterlockPass, nowMs: number): TipDistrust | null {
  if (prev !== null) return prev;
  const cause = tipDistrustingTrip(tripped);
  return cause === undefined ? null : { reason: `${cause}: ${pass.statuses[cause].detail ?? ''}`, sinceMs: nowMs };
}

/**
 * Outside a treatment the tip-validity rows are not armed (nothing to stop), but after gas has
 * flowed the probe may still be frozen: a reading that becomes unusable then (open, stale, probe
 * off) makes the tip unknown with its countdown, instead of DO NOT WITHDRAW for ever.
 */
function unusableAfterGas(ctx: TickContext, s: ControllerState, readings: ControllerReadings): string | null {
  if (s.gasLastFlowedMs === null || TREATING_PHASES.includes(s.phase)) return null;
  const problem = ctx.tcProblem ?? ctx.staleProblem ?? (readings.probe.present ? null : 'probe not present');
  return problem === null ? null : `tip reading unusable after the treatment: ${problem}`;
}

interface WithdrawalJudgement {
  readonly warm: ControllerState['warm'];
  readonly safe: boolean;
  /** Why the reading is not trusted after all (it never moved through the dwell); null if it is. */
  readonly deadReading: string | null;
}

/**
 * SAFE TO WITHDRAW (M2 of the review): only outside a freeze or thaw, with the tip trusted, every
 * channel fresh, usable and above 0 C plus the margin, and that for thaw.withdrawDwellMs counted
 * from the later of the first warm sample and the last gas flow. One cold or unusable sample
 * restarts the dwell: a warm flicker among cold readings never declares it. The reading must also
 * be alive: a sensor stuck at a warm value before the stuck check's first window ended (a freeze
 * stopped after a second) never moves, and must not declare a tip it never saw (the fuzzer found
 * it: safe with the true tip at -7 C). A dwell with less than tip.stuckMinSpanC of movement makes
 * the tip unknown instead.
 */
function judgeWithdrawal(ctx: TickContext, s: ControllerState, fresh: boolean): WithdrawalJudgement {
  const { nowMs, settings } = ctx;
  const coldestC = ctx.coldestTipC;
  const warmNow = fresh && ctx.tcProblem === null && coldestC !== null && coldestC > settings.thaw.withdrawMarginC;
  if (!warmNow) return { warm: null, safe: false, deadReading: null };
  const w = s.warm;
  // The movement is judged since the last gas flow: samples from before it prove nothing now, so
  // the span starts again at the first warm sample after it. Otherwise the range is copied only
  // when it grows: a steady warm reading allocates nothing per tick.
  const warm =
    w === null || (s.gasLastFlowedMs !== null && s.gasLastFlowedMs >= w.spanFromMs)
      ? { sinceMs: w?.sinceMs ?? nowMs, spanFromMs: nowMs, minC: coldestC, maxC: coldestC }
      : coldestC >= w.minC && coldestC <= w.maxC
        ? w
        : { sinceMs: w.sinceMs, spanFromMs: w.spanFromMs, minC: Math.min(w.minC, coldestC), maxC: Math.max(w.maxC, coldestC) };
  if (s.phase === 'Freezing' || s.phase === 'Thawing' || s.tipDistrust !== null) return { warm, safe: false, deadReading: null };
  const dwellFromMs = Math.max(warm.sinceMs, s.gasLastFlowedMs ?? warm.sinceMs);
  if (nowMs - dwellFromMs < settings.thaw.withdrawDwellMs) return { warm, safe: false, deadReading: null };
  if (warm.maxC - warm.minC >= settings.tip.stuckMinSpanC) return { warm, safe: true, deadReading: null };
  const deadReading = `tip reading constant at ${coldestC.toFixed(2)} C for ${nowMs - warm.spanFromMs} ms after gas last flowed: the sensor may be stuck`;
  return { warm, safe: false, deadReading };
}

function valveCommands(s: ControllerState): { supply: boolean; safety: boolean } {
  if (anyTripped(s)) return { supply: false, safety: false };
  switch (s.sub) {
    case 'freeze-open':
      return { supply: true, safety: true };
    case 'freeze-verify-closed':
    case 'selftest-safety-only':
      return { supply: false, safety: true };
    case 'selftest-supply-only':
      return { supply: true, safety: false };
    case 'none':
    case 'selftest-settle':
    case 'selftest-pause':
      return { supply: false, safety: false };
  }
}

/** The control step: the tick's work, then its invariants asserted (a violation throws). */
export function step(nowMs: number, settings: Settings, readings: ControllerReadings, prev: ControllerState): StepResult {
  const result = stepWithoutInvariantCheck(nowMs, settings, readings, prev);
  assertStepInvariants(settings, readings, prev, result.state, result.outputs);
  return result;
}

/**
 * The step without its end-of-step invariant check. For the simulation benchmark only, which
 * measures the check's cost by running both (bench/sim.ts through the loop's test seam); the
 * console, the simulator and the board sessions always run `step`.
 */
export function stepWithoutInvariantCheck(nowMs: number, settings: Settings, readings: ControllerReadings, prev: ControllerState): StepResult {
  // Time is the one input no interlock can judge: a non-finite time would make every duration
  // NaN (a freeze that never ends). It is a bug upstream; throwing sends the runtime to its safe state.
  if (!Number.isFinite(nowMs)) throw new RangeError(`control step: time ${nowMs} ms is not a finite number`);
  const events: ControllerEvent[] = [];
  const tracked = updateTrackers(nowMs, settings, readings, prev);
  const ctx = makeContext(nowMs, settings, readings, tracked);
  const edges = inputEvents(nowMs, readings, prev, events);
  const pass = evaluateInterlocks(ctx, events);

  let s: ControllerState = pass.statuses === tracked.interlocks ? tracked : { ...tracked, interlocks: pass.statuses };
  const distrust = tipDistrustAfter(s.tipDistrust, pass.tripped, pass, nowMs);
  if (distrust !== s.tipDistrust) s = { ...s, tipDistrust: distrust };
  if (pass.tripped.length > 0) {
    // Any trip closes the valves in this same tick (valveCommands sees the tripped status) and
    // ends the treatment: latched trips go to Fault, the others (stop, footswitch) to Stopped.
    const latched = pass.tripped.some((id) => interlockById(id).latch);
    const target = latched || s.phase === 'Fault' ? 'Fault' : 'Stopped';
    // Stryker disable next-line BooleanLiteral: equivalent: startRequested is read only in Ready, and the way back to Ready is a new start (beginSelfTest sets it true)
    s = { ...enterPhase(s, nowMs, target, 'none', events), startRequested: false, freezeOpenedMs: null };
  } else {
    s = advancePhase({ ...ctx, state: s }, edges, events);
  }
  if (s.phase === 'Fault' && edges.start) {
    events.push({ kind: 'refused', atMs: nowMs, input: 'start', reason: 'acknowledge the fault first' });
  }
  if (s.phase === 'Fault' && edges.newSite) {
    events.push({ kind: 'refused', atMs: nowMs, input: 'new-site', reason: 'acknowledge the fault first' });
  }

  const cleared = [...pass.autoCleared];
  if (edges.acknowledge) s = acknowledge(s, nowMs, events, cleared);
  // The options are built only when a condition starts or ends (quiet ticks allocate nothing here).
  const changes = pass.tripped.length > 0 || cleared.length > 0;
  const update = changes ? { latching: settings.alarms.latching, detailOf: (id: InterlockId) => pass.statuses[id].detail ?? '' } : undefined;
  const alarms = updateAlarms(nowMs, s.alarms, pass.tripped, cleared, priorityOf, update);
  if (alarms !== s.alarms) s = { ...s, alarms };
  if (edges.audioPause || s.audioPause !== null) {
    s = updateAudioPause(s, { nowMs, settings, pressed: edges.audioPause, newHigh: pass.tripped.some((id) => priorityOf(id) === 'high') }, events);
  }

  const valves = valveCommands(s);
  const fresh = ctx.staleProblem === null && readings.halFault === null;

  const unusable = unusableAfterGas(ctx, s, readings);
  if (unusable !== null && s.tipDistrust === null) s = { ...s, tipDistrust: { reason: unusable, sinceMs: nowMs } };
  const withdrawal = judgeWithdrawal(ctx, s, fresh);
  if (withdrawal.deadReading !== null && s.tipDistrust === null) s = { ...s, tipDistrust: { reason: withdrawal.deadReading, sinceMs: nowMs } };
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
  if (info !== s.info) s = { ...s, info };
  const signals = alarmSignals(nowMs, s.alarms, priorityOf, s);
  const outputs: Outputs = {
    supplyValveOpen: valves.supply,
    safetyValveOpen: valves.safety,
    // The watchdog is fed only after a step that ran on fresh sensor data (Marlin's rule).
    heartbeat: fresh ? !prev.outputs.heartbeat : prev.outputs.heartbeat,
    lamps: signals.lamps,
    buzzer: signals.buzzer,
  };

  const op = readings.operator;
  s = {
    ...s,
    outputs,
    inputs: sameInputs(prev.inputs, op)
      ? prev.inputs
      : {
          start: op.start,
          stop: op.stop,
          acknowledge: op.acknowledge,
          audioPause: op.audioPause,
          newSite: op.newSite,
          footswitch: op.footswitch,
          estop: op.estop,
        },
    warm: withdrawal.warm,
    supplyClosedSinceMs: outputs.supplyValveOpen ? null : (s.supplyClosedSinceMs ?? nowMs),
    safetyClosedSinceMs: outputs.safetyValveOpen ? null : (s.safetyClosedSinceMs ?? nowMs),
    safeToWithdraw,
  };
  return { outputs, state: s, events };
}
