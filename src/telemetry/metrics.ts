// The telemetry's metrics (issue 10 section 2): every metric the console reports over MQTT, with
// its Sparkplug B datatype and unit, as one table (docs/telemetry.md lists the same). A Sparkplug
// host learns the full set from NBIRTH, so a metric not in this table is never published. Pure:
// the frames the loop's side builds are turned into metric lists here, with their quality.

/** Sparkplug B datatypes used here (Tahu's names). Counters are UInt32: a JavaScript number
 * decodes without a 64-bit Long; bdSeq is UInt64 as the specification names it. */
export type MetricType = 'Boolean' | 'Int32' | 'UInt32' | 'UInt64' | 'Double' | 'String';

/** Sparkplug quality codes, carried as the metric property `Quality` (Int32). */
export const QUALITY_GOOD = 192;
export const QUALITY_BAD = 0;
export const QUALITY_STALE = 500;
export type Quality = typeof QUALITY_GOOD | typeof QUALITY_BAD | typeof QUALITY_STALE;

export interface MetricDef {
  readonly name: string;
  readonly type: MetricType;
  /** Null: no unit (a state, a flag, JSON text). */
  readonly unit: string | null;
  readonly description: string;
}

export type MetricId =
  | 'bdSeq'
  | 'rebirth'
  | 'commandStop'
  | 'commandAcknowledge'
  | 'consoleId'
  | 'softwareVersion'
  | 'board'
  | 'phase'
  | 'cycle'
  | 'alarms'
  | 'alarmPriority'
  | 'safeToWithdraw'
  | 'tipC'
  | 'supplyBarGauge'
  | 'returnBarAbs'
  | 'supplyValveOpen'
  | 'safetyValveOpen'
  | 'loopP99Ms'
  | 'loopLateTicks'
  | 'loopMissedTicks'
  | 'telemetryDropped'
  | 'outboxDropped'
  | 'iceBallR0Mm'
  | 'iceBallR20Mm'
  | 'iceBallR40Mm'
  | 'event'
  | 'summary';

export const METRICS = {
  bdSeq: { name: 'bdSeq', type: 'UInt64', unit: null, description: 'birth/death sequence: the boot counter of this connection (0-255), the same in NBIRTH and in the NDEATH will' },
  rebirth: { name: 'Node Control/Rebirth', type: 'Boolean', unit: null, description: 'write true in NCMD to ask for a new NBIRTH' },
  commandStop: { name: 'Command/Stop', type: 'Boolean', unit: null, description: 'write true in NCMD: the stop key, pressed at the next control tick' },
  commandAcknowledge: { name: 'Command/Acknowledge', type: 'Boolean', unit: null, description: 'write true in NCMD: the acknowledge key, pressed at the next control tick' },
  consoleId: { name: 'Properties/Console Id', type: 'String', unit: null, description: "the records database's console id (a UUID made once per data dir)" },
  softwareVersion: { name: 'Properties/Software Version', type: 'String', unit: null, description: 'the console software version' },
  board: { name: 'Properties/Board', type: 'String', unit: null, description: "the board file's name" },
  phase: { name: 'State/Phase', type: 'String', unit: null, description: 'controller phase: Idle, SelfTest, Ready, Freezing, Thawing, Complete, Stopped, Fault' },
  cycle: { name: 'State/Cycle', type: 'Int32', unit: null, description: 'current freeze/thaw cycle, 0 before the first' },
  alarms: { name: 'State/Alarms', type: 'String', unit: null, description: 'JSON array of the alarm conditions present: {id, priority, acknowledged}' },
  alarmPriority: { name: 'State/Alarm Priority', type: 'String', unit: null, description: 'highest priority present: high, medium, low or none' },
  safeToWithdraw: { name: 'State/Safe To Withdraw', type: 'Boolean', unit: null, description: 'the SAFE TO WITHDRAW indication' },
  tipC: { name: 'Tip/Temperature', type: 'Double', unit: '°C', description: 'control thermocouple, calibrated; null with quality 0 when not trusted' },
  supplyBarGauge: { name: 'Pressure/Supply', type: 'Double', unit: 'bar (gauge)', description: 'CO2 supply pressure' },
  returnBarAbs: { name: 'Pressure/Return', type: 'Double', unit: 'bar (absolute)', description: 'return line pressure; null on boards without the sensor' },
  supplyValveOpen: { name: 'Valves/Supply Open', type: 'Boolean', unit: null, description: 'supply valve command' },
  safetyValveOpen: { name: 'Valves/Safety Open', type: 'Boolean', unit: null, description: 'safety (vent) valve command' },
  loopP99Ms: { name: 'Loop/Tick Error p99', type: 'Double', unit: 'ms', description: "the control loop's tick-start error, 99th percentile over the last minute" },
  loopLateTicks: { name: 'Loop/Late Ticks', type: 'UInt32', unit: 'ticks', description: 'late ticks over the last minute' },
  loopMissedTicks: { name: 'Loop/Missed Ticks', type: 'UInt32', unit: 'ticks', description: 'whole periods skipped since start' },
  telemetryDropped: { name: 'Telemetry/Dropped', type: 'UInt32', unit: 'frames', description: "telemetry frames the loop's side dropped because this worker was behind, since start" },
  outboxDropped: { name: 'Outbox/Dropped', type: 'UInt32', unit: 'messages', description: 'events and summaries dropped past the outbox bound, since start' },
  iceBallR0Mm: { name: 'Ice Ball/Radius 0C', type: 'Double', unit: 'mm', description: "estimated distance from the probe axis to the 0 C isotherm (the ice edge): the controller's tissue model driven by the measured tip, a model, not a measurement; null with quality 0 when no estimate runs or the tip is not trusted, 500 when the estimate is too old" },
  iceBallR20Mm: { name: 'Ice Ball/Radius -20C', type: 'Double', unit: 'mm', description: 'estimated distance to the -20 C isotherm (the lethal one the efficacy verdict judges); a model estimate, quality as for Radius 0C' },
  iceBallR40Mm: { name: 'Ice Ball/Radius -40C', type: 'Double', unit: 'mm', description: 'estimated distance to the -40 C isotherm; a model estimate, quality as for Radius 0C' },
  event: { name: 'Event', type: 'String', unit: null, description: 'one controller event or remote command outcome, JSON (QoS 1; historical when replayed)' },
  summary: { name: 'Treatment/Summary', type: 'String', unit: null, description: 'one treatment summary when a treatment ends, JSON (QoS 1; historical when replayed)' },
} as const satisfies Record<MetricId, MetricDef>;

/** The console's identity, reported in NBIRTH. */
export interface NodeProperties {
  readonly consoleId: string;
  readonly softwareVersion: string;
  readonly board: string;
}

/** Phase, cycle, alarms and withdrawal: published at once when any changes. */
export interface StateFrame {
  readonly phase: string;
  readonly cycle: number;
  readonly alarms: readonly { readonly id: string; readonly priority: string; readonly acknowledged: boolean }[];
  readonly alarmPriority: 'high' | 'medium' | 'low' | 'none';
  readonly safeToWithdraw: boolean;
}

/** The telemetry at the configured rate. Null: no trusted value; the `*Quality` says why. */
export interface TelemetryFrame {
  readonly atEpochMs: number;
  readonly tipC: number | null;
  readonly tipQuality: Quality;
  readonly supplyBarGauge: number | null;
  readonly returnBarAbs: number | null;
  readonly pressureQuality: Quality;
  readonly supplyValveOpen: boolean;
  readonly safetyValveOpen: boolean;
  readonly loopP99Ms: number;
  readonly loopLateTicks: number;
  readonly loopMissedTicks: number;
  readonly telemetryDropped: number;
  /** The live ice-ball estimate's radii, mm, rounded by publishedRadiusMm; null when no
   * estimate is shown (`iceBallQuality` says why: bad, none running or the tip not trusted; stale,
   * too old). */
  readonly r0Mm: number | null;
  readonly r20Mm: number | null;
  readonly r40Mm: number | null;
  readonly iceBallQuality: Quality;
}

/** The radii are published to a hundredth of a mm (100 steps per mm): finer than the tissue model
 * resolves (its grid is tenths of a mm, docs/tissue-model.md), coarse enough that a steady ice
 * ball publishes nothing (NDATA carries changed metrics only). */
export const ICE_BALL_TELEMETRY_STEPS_PER_MM = 100;

/** A radius as published: to the nearest 1/ICE_BALL_TELEMETRY_STEPS_PER_MM mm. */
export function publishedRadiusMm(radiusMm: number): number {
  return Math.round(radiusMm * ICE_BALL_TELEMETRY_STEPS_PER_MM) / ICE_BALL_TELEMETRY_STEPS_PER_MM;
}

/** A metric ready for the encoder: Tahu's shape, without Long values. */
export interface OutMetric {
  readonly name: string;
  readonly type: MetricType;
  readonly value: boolean | number | string | null;
  readonly timestamp: number;
  readonly isHistorical?: boolean;
  readonly quality?: Quality;
}

const metric = (id: MetricId, value: OutMetric['value'], timestamp: number, quality?: Quality): OutMetric => {
  const def = METRICS[id];
  return quality === undefined ? { name: def.name, type: def.type, value, timestamp } : { name: def.name, type: def.type, value, timestamp, quality };
};

export function stateMetrics(s: StateFrame, atEpochMs: number): OutMetric[] {
  return [
    metric('phase', s.phase, atEpochMs),
    metric('cycle', s.cycle, atEpochMs),
    metric('alarms', JSON.stringify(s.alarms), atEpochMs),
    metric('alarmPriority', s.alarmPriority, atEpochMs),
    metric('safeToWithdraw', s.safeToWithdraw, atEpochMs),
  ];
}

export function telemetryMetrics(t: TelemetryFrame, outboxDropped: number): OutMetric[] {
  const at = t.atEpochMs;
  // A pressure that is null while its frame is good was not measured (no return sensor): bad, not stale.
  const pressureQuality = (v: number | null): Quality => (v === null && t.pressureQuality === QUALITY_GOOD ? QUALITY_BAD : t.pressureQuality);
  return [
    metric('tipC', t.tipC, at, t.tipQuality),
    metric('supplyBarGauge', t.supplyBarGauge, at, pressureQuality(t.supplyBarGauge)),
    metric('returnBarAbs', t.returnBarAbs, at, pressureQuality(t.returnBarAbs)),
    metric('supplyValveOpen', t.supplyValveOpen, at),
    metric('safetyValveOpen', t.safetyValveOpen, at),
    metric('loopP99Ms', t.loopP99Ms, at),
    metric('loopLateTicks', t.loopLateTicks, at),
    metric('loopMissedTicks', t.loopMissedTicks, at),
    metric('telemetryDropped', t.telemetryDropped, at),
    metric('outboxDropped', outboxDropped, at),
    metric('iceBallR0Mm', t.r0Mm, at, t.iceBallQuality),
    metric('iceBallR20Mm', t.r20Mm, at, t.iceBallQuality),
    metric('iceBallR40Mm', t.r40Mm, at, t.iceBallQuality),
  ];
}

/** Every metric, for NBIRTH: the node's properties, its commands (false), the latest state and
 * telemetry (or null with bad quality before the first frame), and the event metrics (empty). */
export function birthMetrics(o: { bdSeq: number; atEpochMs: number; properties: NodeProperties; state: StateFrame | null; telemetry: TelemetryFrame | null; outboxDropped: number }): OutMetric[] {
  const at = o.atEpochMs;
  const state = o.state === null ? (['phase', 'cycle', 'alarms', 'alarmPriority', 'safeToWithdraw'] as const).map((id) => metric(id, null, at, QUALITY_BAD)) : stateMetrics(o.state, at);
  const telemetry =
    o.telemetry === null
      ? (['tipC', 'supplyBarGauge', 'returnBarAbs', 'supplyValveOpen', 'safetyValveOpen', 'loopP99Ms', 'loopLateTicks', 'loopMissedTicks', 'telemetryDropped', 'outboxDropped', 'iceBallR0Mm', 'iceBallR20Mm', 'iceBallR40Mm'] as const).map((id) => metric(id, null, at, QUALITY_BAD))
      : telemetryMetrics(o.telemetry, o.outboxDropped);
  return [
    metric('bdSeq', o.bdSeq, at),
    metric('rebirth', false, at),
    metric('commandStop', false, at),
    metric('commandAcknowledge', false, at),
    metric('consoleId', o.properties.consoleId, at),
    metric('softwareVersion', o.properties.softwareVersion, at),
    metric('board', o.properties.board, at),
    ...state,
    ...telemetry,
    metric('event', null, at),
    metric('summary', null, at),
  ];
}

/** The metrics of `next` whose value or quality differ from `last` (Sparkplug NDATA: changed
 * metrics only); all of them when there is no `last`. */
export function changedMetrics(next: readonly OutMetric[], last: ReadonlyMap<string, OutMetric>): OutMetric[] {
  return next.filter((m) => {
    const before = last.get(m.name);
    return before === undefined || before.value !== m.value || before.quality !== m.quality;
  });
}
