// What a scenario run did over time, for the report's plots: the tip (true and read), the
// pressures, valve commands and seats, the phase, the alarms and the ice-ball radii, the plant's
// true ones (where it models them) and the controller's estimate. Sampled every TRACE_PERIOD_MS and on every tick a discrete signal changes, so
// steps (a valve, a phase) sit at their true times while a 10-minute run stays a few thousand rows.
import type { ControllerReadings } from '../../controller/probe-calibration.js';
import type { ControllerState } from '../../controller/state.js';
import { interlockById } from '../../controller/interlocks.js';
import type { AlarmPriority, InterlockId, Phase } from '../../controller/types.js';
import type { IceBallRadii, TickObservation } from '../fuzz/invariants.js';
import { iceBallOf } from '../fuzz/invariants.js';

/** 5 samples a second: the 3 s cooling time constant is drawn smoothly, a plot stays small. */
export const TRACE_PERIOD_MS = 200;
/** Beyond this many rows (a day-long run) only discrete changes are kept. */
const MAX_TRACE_ROWS = 50_000;

export interface TraceRow {
  readonly tMs: number;
  readonly tipTrueC: number;
  /** The control channel's reading; null while it reports a fault or no reading was taken. */
  readonly tipReadC: number | null;
  readonly supplyTrueBarAbs: number;
  readonly supplyReadBarGauge: number | null;
  readonly returnTrueBarAbs: number;
  readonly returnReadBarAbs: number | null;
  readonly supplyCommanded: boolean;
  readonly safetyCommanded: boolean;
  readonly supplySeatOpen: boolean;
  readonly safetySeatOpen: boolean;
  readonly phase: Phase;
  /** The highest priority among the alarm conditions active now; null for none. */
  readonly alarm: AlarmPriority | null;
  /** The plant's true radii (its tissue model); null where the plant carries none. */
  readonly iceBall: IceBallRadii | null;
  /** The controller's live estimate (ControllerState.iceBall, the state's own immutable object: no
   * copy per row); null outside Freezing and Thawing or while the tip reading is not trusted. */
  readonly iceBallEstimate: IceBallRadii | null;
}

/** One alarm condition's span (the console's alarm list). */
export interface AlarmSpan {
  readonly id: InterlockId;
  readonly priority: AlarmPriority;
  readonly startMs: number;
  readonly endMs: number | null;
  readonly detail: string;
}

const PRIORITY_RANK: Record<AlarmPriority, number> = { high: 3, medium: 2, low: 1 };

function highestActive(state: ControllerState): AlarmPriority | null {
  let best: AlarmPriority | null = null;
  for (const a of state.alarms) {
    if (a.endMs !== null) continue;
    const p = interlockById(a.id).priority;
    if (best === null || PRIORITY_RANK[p] > PRIORITY_RANK[best]) best = p;
  }
  return best;
}

export class TraceRecorder {
  readonly rows: TraceRow[] = [];
  readonly #alarms = new Map<string, AlarmSpan>();
  #lastRow: TraceRow | null = null;

  observe(o: TickObservation, readings: ControllerReadings | null): void {
    const tip = readings?.tips[0];
    const row: TraceRow = {
      tMs: o.nowMs,
      tipTrueC: o.plant.tipTrueC,
      tipReadC: tip !== undefined && tip.fault === null && Number.isFinite(tip.tipC) ? tip.tipC : null,
      supplyTrueBarAbs: o.plant.supplyBarAbs,
      supplyReadBarGauge: readings === null ? null : readings.supply.barGauge,
      returnTrueBarAbs: o.plant.returnBarAbs,
      returnReadBarAbs: readings?.returnLine?.barAbs ?? null,
      supplyCommanded: o.written.supplyValveOpen,
      safetyCommanded: o.written.safetyValveOpen,
      supplySeatOpen: o.plant.supplyValveOpen,
      safetySeatOpen: o.plant.safetyValveOpen,
      phase: o.after.phase,
      alarm: highestActive(o.after),
      iceBall: iceBallOf(o.plant),
      iceBallEstimate: o.after.iceBall,
    };
    for (const a of o.after.alarms) {
      const key = `${a.id}@${a.startMs}`;
      this.#alarms.set(key, { id: a.id, priority: interlockById(a.id).priority, startMs: a.startMs, endMs: a.endMs, detail: a.detail });
    }
    if (this.#keep(row)) {
      this.rows.push(row);
      this.#lastRow = row;
    }
  }

  /** Every alarm condition raised during the run, in order of onset. */
  get alarms(): AlarmSpan[] {
    return [...this.#alarms.values()].sort((a, b) => a.startMs - b.startMs);
  }

  #keep(row: TraceRow): boolean {
    const last = this.#lastRow;
    if (last === null) return true;
    const changed =
      row.phase !== last.phase || row.alarm !== last.alarm || row.supplyCommanded !== last.supplyCommanded || row.safetyCommanded !== last.safetyCommanded ||
      row.supplySeatOpen !== last.supplySeatOpen || row.safetySeatOpen !== last.safetySeatOpen || (row.tipReadC === null) !== (last.tipReadC === null);
    if (changed) return true;
    return this.rows.length < MAX_TRACE_ROWS && row.tMs - last.tMs >= TRACE_PERIOD_MS;
  }
}
