// The console as a Sparkplug B edge node (issue 10 section 2), run by the telemetry worker thread,
// never by the control loop's. One MQTT client per connection attempt (mqtt.js's own reconnect is
// off), so each connection has its own will: NDEATH with that connection's bdSeq, the boot counter
// kept in the records database and advanced per connect. Then:
// - at connect: subscribe to NCMD, publish NBIRTH (seq 0, every metric, bdSeq), replay the outbox;
// - state and telemetry: NDATA with the metrics that changed, QoS 0, only while connected and born:
//   nothing is queued for a broker that is away (queueQoSZero off, and no publish at all);
// - events and summaries: written to the outbox first, published QoS 1 with the next seq, removed
//   on the broker's acknowledgement; those from before this connection's birth are historical;
// - NCMD: rebirth, stop and acknowledge accepted (validated: parseCommand); start and anything
//   else refused whole, and reported.
import { DOUBLING_BACKOFF_FACTOR, ReconnectBackoff } from '../../kernel/reconnect.js';
import { realTimers } from '../../kernel/timers.js';
import mqtt from 'mqtt';
import type { IClientOptions, MqttClient } from 'mqtt';
import { METRICS, birthMetrics, changedMetrics, stateMetrics, telemetryMetrics } from './metrics.js';
import type { NodeProperties, OutMetric, StateFrame, TelemetryFrame } from './metrics.js';
import type { Outbox, OutboxRow } from './outbox.js';
import { encodePayload, nodeTopic, parseCommand, SparkplugSequence } from './sparkplug.js';
import type { NodeMessageType, RemoteCommand } from './sparkplug.js';

/** Reconnect backoff: 1 s doubling to 30 s, back to 1 s after a connection succeeds. */
export const RECONNECT_MIN_MS = 1_000;
export const RECONNECT_MAX_MS = 30_000;
/** Outbox messages awaiting the broker's acknowledgement at once: Mosquitto's default
 * max_inflight_messages (shared/domain.md section 10), so a replay never overruns its queue. */
export const OUTBOX_IN_FLIGHT_MAX = 20;
export const CONNECT_TIMEOUT_MS = 10_000;
/** MQTT keepalive: the broker publishes NDEATH within 1.5 keepalives of a console gone silent. */
export const KEEPALIVE_S = 10;
/** How long stop() waits for NDEATH to be acknowledged before closing anyway. */
export const STOP_WAIT_MS = 2_000;

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface TelemetryNodeOptions {
  readonly url: string;
  readonly groupId: string;
  readonly edgeNodeId: string;
  readonly clientId: string;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly ca?: Buffer | undefined;
  readonly cert?: Buffer | undefined;
  readonly key?: Buffer | undefined;
  readonly outbox: Outbox;
  readonly properties: NodeProperties;
  readonly nowEpochMs: () => number;
  readonly log: (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void;
  /** An NCMD accepted: rebirth (done here), stop or acknowledge (for the loop). */
  readonly onCommand: (command: RemoteCommand, from: string) => void;
  /** An NCMD refused whole; `command` is 'start' for a start, else 'invalid'. */
  readonly onRefused: (command: string, from: string, reason: string) => void;
  readonly onConnection?: (connected: boolean, detail: string) => void;
  readonly reconnectMinMs?: number;
  readonly reconnectMaxMs?: number;
}

export class TelemetryNode {
  readonly #o: TelemetryNodeOptions;
  readonly #seq = new SparkplugSequence();
  #client: MqttClient | null = null;
  /** Bumped per connection: a late callback of an earlier one changes nothing. */
  #session = 0;
  #bdSeq = -1;
  #born = false;
  #state: StateFrame | null = null;
  #telemetry: TelemetryFrame | null = null;
  readonly #lastSent = new Map<string, OutMetric>();
  readonly #inFlight = new Set<number>();
  #lastPumpedId = 0;
  /** The first outbox id added after this connection's birth: rows below it are historical. */
  #firstLiveId: number | null = null;
  readonly #reconnect: ReconnectBackoff;
  #stopping = false;
  #births = 0;

  constructor(options: TelemetryNodeOptions) {
    this.#o = options;
    this.#reconnect = new ReconnectBackoff(
      { initialMs: options.reconnectMinMs ?? RECONNECT_MIN_MS, maxMs: options.reconnectMaxMs ?? RECONNECT_MAX_MS, factor: DOUBLING_BACKOFF_FACTOR },
      realTimers,
    );
  }

  get connected(): boolean {
    return this.#born;
  }

  get bdSeq(): number {
    return this.#bdSeq;
  }

  /** NBIRTHs published since start (each connect and each rebirth). */
  get births(): number {
    return this.#births;
  }

  start(): void {
    this.#connect();
  }

  state(frame: StateFrame): void {
    this.#state = frame;
    if (this.#born) this.#publishChanged(stateMetrics(frame, this.#o.nowEpochMs()));
  }

  telemetry(frame: TelemetryFrame): void {
    this.#telemetry = frame;
    if (this.#born) this.#publishChanged(telemetryMetrics(frame, this.#o.outbox.dropped));
  }

  /** An event or summary: kept in the outbox first, then published when connected. */
  record(type: OutboxRow['type'], atEpochMs: number, body: Readonly<Record<string, unknown>>): void {
    const id = this.#o.outbox.add(atEpochMs, type, JSON.stringify(body));
    if (this.#born && this.#firstLiveId === null) this.#firstLiveId = id;
    this.#pump();
  }

  /** A graceful end: NDEATH published by the node itself (a clean disconnect sends no will). */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#reconnect.cancel();
    const client = this.#client;
    this.#client = null;
    this.#born = false;
    if (client === null) return;
    if (client.connected) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, STOP_WAIT_MS);
        client.publish(this.#topic('NDEATH'), this.#deathPayload(), { qos: 1 }, () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    await new Promise<void>((resolve) => client.end(false, {}, () => { resolve(); }));
  }

  #topic(type: NodeMessageType): string {
    return nodeTopic(this.#o.groupId, type, this.#o.edgeNodeId);
  }

  #deathPayload(): Buffer {
    return encodePayload([{ name: METRICS.bdSeq.name, type: METRICS.bdSeq.type, value: this.#bdSeq, timestamp: this.#o.nowEpochMs() }], this.#o.nowEpochMs(), null);
  }

  #connect(): void {
    if (this.#stopping) return;
    this.#bdSeq = this.#o.outbox.takeBdSeq();
    const session = ++this.#session;
    const o = this.#o;
    const options: IClientOptions = {
      clientId: o.clientId,
      clean: true,
      // One client per connection: mqtt.js must neither reconnect by itself (the will would keep
      // an old bdSeq) nor queue anything while offline (it does, QoS 0 included, by default).
      reconnectPeriod: 0,
      queueQoSZero: false,
      connectTimeout: CONNECT_TIMEOUT_MS,
      keepalive: KEEPALIVE_S,
      protocolVersion: 4,
      will: { topic: this.#topic('NDEATH'), payload: this.#deathPayload(), qos: 1, retain: false },
      ...(o.username === undefined ? {} : { username: o.username, password: o.password }),
      ...(o.ca === undefined ? {} : { ca: o.ca }),
      ...(o.cert === undefined ? {} : { cert: o.cert }),
      ...(o.key === undefined ? {} : { key: o.key }),
    };
    const client = mqtt.connect(o.url, options);
    this.#client = client;
    client.on('connect', () => {
      if (session !== this.#session) return;
      client.subscribe(this.#topic('NCMD'), { qos: 1 }, (err) => {
        if (session !== this.#session) return;
        if (err) {
          o.log('error', `telemetry: subscribing to NCMD failed: ${err.message}`);
          client.end(true);
          return;
        }
        this.#reconnect.reset();
        this.#birth(true);
        o.onConnection?.(true, `connected to ${o.url} as ${o.edgeNodeId} (bdSeq ${this.#bdSeq})`);
        this.#pump();
      });
    });
    client.on('message', (topic, payload) => {
      if (session === this.#session && topic === this.#topic('NCMD')) this.#onCommand(payload);
    });
    client.on('error', (err) => {
      if (session === this.#session) o.log('warn', `telemetry: ${err.message}`, { url: o.url });
    });
    client.once('close', () => {
      if (session !== this.#session) return;
      this.#lostConnection(client);
    });
  }

  #lostConnection(client: MqttClient): void {
    const wasBorn = this.#born;
    this.#born = false;
    this.#inFlight.clear();
    this.#client = null;
    client.end(true);
    if (this.#stopping) return;
    const delayMs = this.#reconnect.nextDelayMs;
    if (wasBorn) this.#o.onConnection?.(false, `connection to ${this.#o.url} lost: reconnecting in ${delayMs} ms`);
    this.#reconnect.retry(() => { this.#connect(); });
  }

  /** NBIRTH; at a new connection (not a rebirth) the outbox is replayed from its start. */
  #birth(newConnection: boolean): void {
    const client = this.#client;
    if (client === null) return;
    const at = this.#o.nowEpochMs();
    const metrics = birthMetrics({ bdSeq: this.#bdSeq, atEpochMs: at, properties: this.#o.properties, state: this.#state, telemetry: this.#telemetry, outboxDropped: this.#o.outbox.dropped });
    this.#lastSent.clear();
    for (const m of metrics) this.#lastSent.set(m.name, m);
    client.publish(this.#topic('NBIRTH'), encodePayload(metrics, at, this.#seq.birth()), { qos: 0 });
    this.#births += 1;
    this.#born = true;
    if (!newConnection) return;
    // Everything in the outbox now was kept before this birth: replayed from the start, historical.
    this.#firstLiveId = null;
    this.#lastPumpedId = 0;
    this.#inFlight.clear();
  }

  #publishChanged(metrics: readonly OutMetric[]): void {
    const changed = changedMetrics(metrics, this.#lastSent);
    if (changed.length === 0 || this.#client === null) return;
    for (const m of changed) this.#lastSent.set(m.name, m);
    // QoS 1, not Sparkplug's QoS 0 for NDATA: events and summaries go out at QoS 1 on the same
    // topic (issue 10), and MQTT keeps a topic's order only within one QoS. A broker forwards a
    // QoS 0 message at once and a QoS 1 one after storing it, so telemetry at QoS 0 overtook the
    // event before it (seen in the tests: seq 15 before 14), which a host reads as a lost message
    // and answers with a rebirth. Nothing is queued for an absent broker: this is only called
    // while connected, and each connection has a client of its own.
    this.#client.publish(this.#topic('NDATA'), encodePayload(changed, this.#o.nowEpochMs(), this.#seq.next()), { qos: 1 });
  }

  /** Publishes outbox rows in id order, at most OUTBOX_IN_FLIGHT_MAX awaiting acknowledgement. */
  #pump(): void {
    const client = this.#client;
    if (!this.#born || client === null) return;
    const session = this.#session;
    while (this.#inFlight.size < OUTBOX_IN_FLIGHT_MAX) {
      const rows = this.#o.outbox.after(this.#lastPumpedId, OUTBOX_IN_FLIGHT_MAX - this.#inFlight.size);
      if (rows.length === 0) return;
      for (const row of rows) {
        this.#lastPumpedId = row.id;
        this.#inFlight.add(row.id);
        const historical = this.#firstLiveId === null || row.id < this.#firstLiveId;
        const def = row.type === 'event' ? METRICS.event : METRICS.summary;
        const metric: OutMetric = { name: def.name, type: def.type, value: row.body, timestamp: row.atEpochMs, isHistorical: historical };
        client.publish(this.#topic('NDATA'), encodePayload([metric], this.#o.nowEpochMs(), this.#seq.next()), { qos: 1 }, (err) => {
          if (session !== this.#session) {
            if (!err) this.#o.outbox.remove(row.id);
            return;
          }
          this.#inFlight.delete(row.id);
          // Not acknowledged: it stays, and is replayed after the next birth.
          if (err) return;
          this.#o.outbox.remove(row.id);
          this.#pump();
        });
      }
    }
  }

  #onCommand(payload: Buffer): void {
    const from = `NCMD ${this.#topic('NCMD')}`;
    const parsed = parseCommand(payload);
    if (!parsed.ok) {
      this.#o.log('warn', `telemetry: command refused: ${parsed.reason}`, { from });
      this.#o.onRefused(parsed.start ? 'start' : 'invalid', from, parsed.reason);
      return;
    }
    for (const command of parsed.commands) {
      this.#o.log('info', `telemetry: ${command} command accepted`, { from });
      if (command === 'rebirth') this.#birth(false);
      this.#o.onCommand(command, from);
    }
  }
}
