// Per-tick trackers: loop timing, freeze time and the last gas flow, then every stateful
// interlock row's memory (each row owns its own: src/controller/interlock-memory/). Pure:
// previous state in (never written), updated state out, in the caller's workspace (workspace.ts).
import type { Readings, TipSample } from '../../hal/contract.js';
import { periodMs, tipProblem } from './context.js';
import type { TickContext } from './context.js';
import { updateInterlockMemory } from './interlocks.js';
import type { ControllerReadings } from './probe-calibration.js';
import { thawEndReadingC } from './probe-calibration.js';
import type { Settings } from './settings.js';
import type { ControllerState } from './state.js';
import { NO_CHANGES, copyState, withChanges } from './state.js';
import type { Writable } from './workspace.js';
import type { MemoryInput } from './interlock-memory/row-memory.js';
import type { StepWorkspace } from './workspace.js';

export { periodMs };

/** The control channel's sample when it is usable (its `tipC` is the control tip); null otherwise.
 * The sample, not its temperature: a temperature that may be null is a heap number at each call. */
export function controlTip(readings: Readings, settings: Settings): TipSample | null {
  const control = readings.tips[0];
  return control !== undefined && tipProblem(control, 0, settings) === null ? control : null;
}

/**
 * The state after this tick's trackers, written into the workspace's scratch state (built on the
 * workspace's first tick as a copy of `prev`, then rewritten field by field: a fresh object of
 * this many fields every tick was the step's largest allocation, bench/sim-alloc.ts). The result
 * is valid until the workspace's next step; the step copies what it keeps into the state it
 * returns. `facts` are this tick's control tip and flow, from the tick's context (makeContext):
 * worked out once a tick, for the trackers and the checks alike.
 */
export function updateTrackers(
  nowMs: number,
  settings: Settings,
  readings: ControllerReadings,
  prev: ControllerState,
  work: StepWorkspace,
  facts: Pick<TickContext, 'tip' | 'flowDetected'>,
): ControllerState {
  // Stryker disable next-line ConditionalExpression: equivalent — a first-step gap of nowMs instead of 0 reaches only LOOP_OVERRUN, which is not armed in Idle (the power-up phase) and judges afresh next tick
  const gapMs = prev.lastStepMs === null ? 0 : nowMs - prev.lastStepMs;
  // Freeze time counts while the gas path was commanded open (both valves) since the last step.
  const gasPathOpen = prev.outputs.supplyValveOpen && prev.outputs.safetyValveOpen;
  const openMs = gasPathOpen ? Math.max(0, gapMs) : 0;
  const flow = facts.flowDetected;
  const memory = updateInterlockMemory(memoryInput(work, nowMs, settings, readings, prev, gapMs, facts.tip, flow));
  const t = (work.tracked ??= writableCopy(prev));
  copyState(t, prev);
  t.cycleFreezeMs = prev.cycleFreezeMs + openMs;
  t.cumulativeFreezeMs = prev.cumulativeFreezeMs + openMs;
  t.gasLastFlowedMs = gasPathOpen || flow ? nowMs : prev.gasLastFlowedMs;
  t.tickCount = prev.tickCount + 1;
  t.lastStepMs = nowMs;
  t.lastGapMs = gapMs;
  t.memory = memory;
  return t;
}

/** The workspace's scratch state: a copy of `prev` built as every state is (withChanges), so that it
 * shares the states' hidden class and the step's reads of it stay monomorphic. */
function writableCopy(prev: ControllerState): Writable<ControllerState> {
  return withChanges(prev, NO_CHANGES);
}

/** The memory update's input, in the workspace's scratch (the rows read it and keep nothing of it). */
function memoryInput(
  work: StepWorkspace,
  nowMs: number,
  settings: Settings,
  readings: ControllerReadings,
  prev: ControllerState,
  gapMs: number,
  tip: TipSample | null,
  flow: boolean,
): MemoryInput {
  const thawEndC = thawEndReadingC(settings.thaw.endTipC, readings.calibration);
  const rl = readings.returnLine;
  const finiteReturnLine = rl !== null && Number.isFinite(rl.barAbs) ? rl : null;
  const m = work.memoryInput;
  if (m === null) return (work.memoryInput = { nowMs, settings, readings, prev, gapMs, tip, finiteReturnLine, flow, thawEndC, recycle: work.recycle });
  m.nowMs = nowMs;
  m.settings = settings;
  m.readings = readings;
  m.prev = prev;
  m.gapMs = gapMs;
  m.tip = tip;
  m.finiteReturnLine = finiteReturnLine;
  m.flow = flow;
  m.thawEndC = thawEndC;
  return m;
}
