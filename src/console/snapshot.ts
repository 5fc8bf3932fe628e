// The snapshot the loop publishes to the console (issue 9): what the page shows, built from the
// loop's state, settings, last readings and outputs, its timing and the recent events. Pure: the
// runtime calls it at SNAPSHOT_PERIOD_MS, never per client.
import type { Outputs, Readings } from '../../hal/contract.js';
import type { LoopTimingSummary } from '../../kernel/loop-timing.js';
import { sampleAgeProblem, tipProblem } from '../controller/context.js';
import { alarmView } from '../controller/alarms.js';
import { CYCLES_MAX, CYCLES_MIN, FREEZE_S_MAX, FREEZE_S_MIN, PRESETS, THAW_S_MAX, THAW_S_MIN, deepFreeze, targetRadiusMm } from '../controller/settings.js';
import type { Protocol, Settings } from '../controller/settings.js';
import { NERVES } from '../controller/nerve-catalog.js';
import type { RunDefaults } from '../runtime/loop.js';
import type { ControllerState } from '../controller/state.js';
import type { IceBallEstimate } from '../controller/ice-ball.js';
import type { ControllerEvent } from '../controller/types.js';
import { withdrawalStatus } from '../controller/withdrawal.js';
import { secondsLeft, withdrawalText } from '../ui/status.js';
import type { IceBallView, LoopHealth, ProtocolLimits, Snapshot, SnapshotEvent, StartTargets, StartTargetsByNerve } from './protocol.js';

/** Events kept for the page: the last few refusals, trips and phase changes. */
export const MAX_SNAPSHOT_EVENTS = 20;

/** The controller's own protocol bounds, for the page (it keeps no copy). */
export const PROTOCOL_LIMITS: ProtocolLimits = Object.freeze({
  cycles: { min: CYCLES_MIN, max: CYCLES_MAX },
  freezeS: { min: FREEZE_S_MIN, max: FREEZE_S_MAX },
  thawS: { min: THAW_S_MIN, max: THAW_S_MAX },
  presets: PRESETS,
});

/** An ice-ball estimate older than this is not shown as now, ms. The estimate may run at a lower
 * rate than the loop (issue 11 allows a fixed lower rate: once a second or faster keeps it shown);
 * r(-20 C) grows about 0.01-0.02 mm/s after a freeze's first 30 s (domain section 3: 2.2 mm at
 * 30 s, 2.7 at 60, 3.3 at 120), so an estimate a second old is within a few hundredths of a mm of
 * now, below the 0.1 mm shown. */
export const ICE_BALL_MAX_AGE_MS = 1_000;

const NOT_RUNNING = 'no estimate running';

/** The estimate as the page may show it, or why not: none running, the tip it rests on not shown
 * (`tipProblem`, the snapshot's own tip rule), or too old. */
export function iceBallView(estimate: IceBallEstimate | null, tipProblem: string | null, targetMm: number | null, nowMs: number): IceBallView {
  if (estimate === null) return { estimate: null, unknown: NOT_RUNNING, targetMm };
  if (tipProblem !== null) return { estimate: null, unknown: `tip: ${tipProblem}`, targetMm };
  const ageMs = nowMs - estimate.atMs;
  if (!(ageMs >= 0 && ageMs <= ICE_BALL_MAX_AGE_MS)) {
    return { estimate: null, unknown: `estimate is ${Math.round(ageMs)} ms old (limit ${ICE_BALL_MAX_AGE_MS} ms)`, targetMm };
  }
  return { estimate, unknown: null, targetMm };
}

/** The target each choice of the page's start dialog would be judged against, by the controller's
 * resolver (targetRadiusMm) on the settings the loop would judge that treatment by: the protocol
 * ControlLoop.setProtocol applies (the run's own for the run's figures, its target included; other
 * figures with none) and the nerve the treatment takes when it begins (the start's, else the
 * run's). Only the protocol and the nerve change during a run, so the per-nerve and default targets
 * come from `settings` as they are. */
export function startTargets(settings: Settings, run: RunDefaults): StartTargets {
  // Constant while the settings and the run's defaults are (the loop replaces its settings object
  // when it applies a protocol or a nerve, never mutates it), yet asked for with every snapshot
  // and telemetry frame on the loop's thread: the last answer is kept, frozen, by identity.
  const kept = lastStartTargets;
  if (kept !== null && kept.settings === settings && kept.run === run) return kept.targets;
  const targets = deepFreeze(startTargetsOf(settings, run));
  lastStartTargets = { settings, run, targets };
  return targets;
}

/** The last startTargets answer and what it was for (one entry: a run has one loop). */
let lastStartTargets: { readonly settings: Settings; readonly run: RunDefaults; readonly targets: StartTargets } | null = null;

function startTargetsOf(settings: Settings, run: RunDefaults): StartTargets {
  const { cycles, freezeS, thawS } = run.protocol;
  const byNerve = (protocol: Protocol): StartTargetsByNerve => {
    const judged: Settings = { ...settings, protocol };
    const byNerveMm: Record<string, number> = {};
    for (const n of NERVES) byNerveMm[n.id] = targetRadiusMm(judged, n.id);
    return { noNerveMm: targetRadiusMm(judged, run.nerveId), byNerveMm };
  };
  return { runFigures: { cycles, freezeS, thawS }, runProtocol: byNerve(run.protocol), otherProtocol: byNerve({ cycles, freezeS, thawS }) };
}

export interface SnapshotInput {
  readonly seq: number;
  readonly nowMs: number;
  readonly board: string;
  readonly state: ControllerState;
  readonly settings: Settings;
  /** The run's protocol and nerve (ControlLoop.runDefaults), for the start dialog's targets. */
  readonly run: RunDefaults;
  /** The last readings the step saw; null before the first tick. */
  readonly readings: Readings | null;
  readonly outputs: Outputs;
  readonly loop: LoopHealth;
  readonly events: readonly SnapshotEvent[];
}

const finiteOrNull = (x: number | undefined): number | null => (x !== undefined && Number.isFinite(x) ? x : null);

/** A sample's value when fresh at `nowMs` (the step's own staleness rule, settings tip.staleMs);
 * otherwise null, with why. Never an old value shown as live. */
function fresh(name: string, value: number | undefined, atMs: number, nowMs: number, staleMs: number): { value: number | null; stale: string | null } {
  const stale = sampleAgeProblem(name, nowMs, atMs, staleMs);
  return { value: stale === null ? finiteOrNull(value) : null, stale };
}

export function buildSnapshot(i: SnapshotInput): Snapshot {
  const { nowMs, state, settings, readings } = i;
  const staleMs = settings.tip.staleMs;
  const tip = readings?.tips[0];
  // A reading the controller distrusts (a tip-validity trip: stuck, open, out of range...) is not
  // shown as a temperature until the next treatment, even once it looks plausible again: the page
  // shows what the controller believes, and a stuck value in large digits reads as the truth.
  const problem =
    tip === undefined
      ? 'no thermocouple channel'
      : (tipProblem(tip, 0, settings) ??
        sampleAgeProblem('tip channel 0', nowMs, tip.atMs, staleMs) ??
        (state.tipDistrust === null ? null : `reading not trusted: ${state.tipDistrust.reason}`));
  const supply = readings === null ? null : fresh('supply pressure', readings.supply.barGauge, readings.supply.atMs, nowMs, staleMs);
  const ret = readings === null || readings.returnLine === null ? null : fresh('return pressure', readings.returnLine.barAbs, readings.returnLine.atMs, nowMs, staleMs);
  return {
    seq: i.seq,
    atMs: nowMs,
    board: i.board,
    phase: state.phase,
    cycle: state.cycle,
    protocol: settings.protocol,
    secondsLeft: secondsLeft(nowMs, state, settings),
    tipC: problem === null && tip !== undefined ? tip.tipC : null,
    tipFault: readings === null ? null : problem,
    supplyBarGauge: supply?.value ?? null,
    returnBarAbs: ret?.value ?? null,
    pressureFault: supply?.stale ?? ret?.stale ?? null,
    outputs: { supplyValveOpen: i.outputs.supplyValveOpen, safetyValveOpen: i.outputs.safetyValveOpen, buzzer: i.outputs.buzzer, lamps: i.outputs.lamps },
    withdrawal: { safe: withdrawalStatus(state, settings, nowMs).kind === 'safe', text: withdrawalText(nowMs, state, settings) },
    estop: readings?.operator.estop ?? false,
    footswitch: readings?.operator.footswitch ?? false,
    alarms: alarmView(state, settings, nowMs),
    loop: i.loop,
    limits: PROTOCOL_LIMITS,
    startTargets: startTargets(settings, i.run),
    // The target the next verdict is judged against (the settings' own rule), before the first too.
    iceBall: iceBallView(state.iceBall, problem, targetRadiusMm(settings, settings.iceBall.nerveId), nowMs),
    // The controller's own list, by reference: it is replaced, never mutated, when a freeze ends.
    freezeVerdicts: state.freezeVerdicts,
    events: i.events,
  };
}

export function loopHealth(summary: LoopTimingSummary, rateHz: number, lateThresholdMs: number): LoopHealth {
  return { rateHz, lateThresholdMs, sinceStart: summary.sinceStart, lastMinute: summary.lastMinute, missed: summary.missed };
}

/** One line for the page per controller event. */
export function eventText(e: ControllerEvent): string {
  switch (e.kind) {
    case 'phase':
      return `phase ${e.from} -> ${e.to}`;
    case 'trip':
      return `${e.id}: ${e.detail}`;
    case 'cleared':
      return `${e.id} cleared`;
    case 'acknowledge':
      return e.silenced.length === 0 ? 'acknowledged' : `acknowledged: ${e.silenced.join(', ')}`;
    case 'input':
      return `operator: ${e.input}`;
    case 'refused':
      return `${e.input} refused: ${e.reason}`;
    case 'tip-unknown':
      return `tip temperature unknown (${e.reason})`;
    case 'safe-to-withdraw':
      return e.safe ? 'safe to withdraw' : 'do not withdraw';
    case 'alarm-reset':
      return `alarm signals reset: ${e.reset.join(', ')}`;
    case 'audio-pause':
      return e.action === 'start' ? `audio paused for ${Math.round((e.untilMs - e.atMs) / 1000)} s` : `audio pause ended (${e.reason})`;
    case 'freeze-verdict': {
      const v = e.verdict;
      const reach = v.r20MmAtEnd === null ? 'r(-20 C) unknown' : `r(-20 C) ${v.r20MmAtEnd.toFixed(1)} mm`;
      return `freeze ${v.cycle} ${v.effective ? 'effective' : 'NOT effective'}: ${reach} against ${v.targetMm.toFixed(1)} mm`;
    }
  }
}

/** The last MAX_SNAPSHOT_EVENTS events, oldest dropped first. */
export class EventRing {
  readonly #items: (SnapshotEvent | undefined)[] = new Array<SnapshotEvent | undefined>(MAX_SNAPSHOT_EVENTS);
  #next = 0;
  #count = 0;

  push(e: ControllerEvent): void {
    this.#items[this.#next] = { atMs: e.atMs, text: eventText(e), kind: e.kind };
    this.#next = (this.#next + 1) % MAX_SNAPSHOT_EVENTS;
    this.#count = Math.min(this.#count + 1, MAX_SNAPSHOT_EVENTS);
  }

  /** Newest last. */
  list(): SnapshotEvent[] {
    const out: SnapshotEvent[] = [];
    for (let k = this.#count; k > 0; k--) {
      const e = this.#items[(this.#next - k + MAX_SNAPSHOT_EVENTS) % MAX_SNAPSHOT_EVENTS];
      if (e !== undefined) out.push(e);
    }
    return out;
  }
}
