// The control loop's side of the telemetry (issue 10 section 2). The loop never waits on a socket:
// the MQTT client runs in the telemetry worker (src/telemetry/worker.ts), and this link only posts
// to it, never awaiting, and is bounded:
// - frames (state when it changes, telemetry at the configured rate) go out under credit: one in
//   flight until the worker acknowledges it, one held back, which a newer frame replaces (its
//   telemetry counted as dropped, its state carried over). A worker that falls behind costs dropped
//   telemetry, never loop time;
// - events and treatment summaries are numbered and kept here until the worker has them in its
//   outbox, and sent again to a restarted worker: not dropped (a last-resort bound,
//   RECORD_BACKLOG_MAX, for a worker gone for hours, counts and logs what it drops);
// - commands from the network (stop, acknowledge, rebirth; start refused) wait in a slot per kind
//   and reach the loop at the start of a tick like a console press from a remote client.
import { Worker } from 'node:worker_threads';
import type { Readings } from '../../hal/contract.js';
import type { Clock } from '../../kernel/clock.js';
import type { Logger } from '../../kernel/log.js';
import type { LoopTimingSummary } from '../../kernel/loop-timing.js';
import { DOUBLING_BACKOFF_FACTOR, ReconnectBackoff } from '../../kernel/reconnect.js';
import { realTimers } from '../../kernel/timers.js';
import type { Timers } from '../../kernel/timers.js';
import { applyConsoleCommand } from '../console/commands.js';
import type { IceBallView } from '../console/protocol.js';
import type { PublishedLoop } from '../console/publisher.js';
import { buildSnapshot, loopHealth } from '../console/snapshot.js';
import type { StepResult } from '../controller/step.js';
import { QUALITY_BAD, QUALITY_GOOD, QUALITY_STALE, publishedRadiusMm } from '../telemetry/metrics.js';
import type { StateFrame, TelemetryFrame } from '../telemetry/metrics.js';
import { FromTelemetrySchema } from '../telemetry/protocol.js';
import type { FrameMessage, RecordMessage, TelemetryWorkerData, ToTelemetry } from '../telemetry/protocol.js';

/** Events and summaries held for a worker that is not taking them: hours of events. */
export const RECORD_BACKLOG_MAX = 10_000;
/** Refused commands waiting for the next tick; a flood past it is counted, not kept. */
export const REFUSALS_PENDING_MAX = 16;
export const TELEMETRY_RESTART_MIN_MS = 1_000;
export const TELEMETRY_RESTART_MAX_MS = 30_000;
/** How long stop() waits for the worker to publish NDEATH and close. */
export const TELEMETRY_STOP_WAIT_MS = 3_000;

export interface TelemetryLinkOptions {
  readonly workerUrl: URL;
  readonly workerData: TelemetryWorkerData;
  /** Wall clock of the scheduler (monotonic), for the rate and the restart backoff. */
  readonly clock: Clock;
  /** Epoch ms: when an event or summary happened, as a fleet server reads it. */
  readonly wallNowMs: () => number;
  readonly rateHz: number;
  readonly board: string;
  /** The loop's rate and late threshold, for the loop health metrics. */
  readonly loopRateHz: number;
  readonly lateThresholdMs: number;
  readonly logger: Logger;
  /** A remote command's outcome, for the treatment records (RecordsLink.addEvent). */
  readonly recordEvent?: (loopNowMs: number, kind: string, detail: Readonly<Record<string, unknown>>) => void;
  /** Told of every start refused because it came over the network (the run's alarm log). */
  readonly onStartRefused?: (loopNowMs: number, from: string, reason: string) => void;
  readonly timers?: Timers;
}

type FromWorker = ReturnType<typeof FromTelemetrySchema.parse>;
type WorkerCommand = Extract<FromWorker, { kind: 'command' }>;
type WorkerRefusal = Extract<FromWorker, { kind: 'refused' }>;

const sameState = (a: StateFrame | null, b: StateFrame): boolean => a !== null && JSON.stringify(a) === JSON.stringify(b);

/** The ice-ball part of a telemetry frame from the snapshot's view of it (the page's own rule:
 * never an old estimate as now): the radii when shown; otherwise null, stale when an estimate
 * exists and its tip is trusted but it is too old; bad when none runs or the tip is not trusted. */
export function iceBallTelemetry(view: IceBallView, estimateExists: boolean, tipProblem: boolean): Pick<TelemetryFrame, 'r0Mm' | 'r20Mm' | 'r40Mm' | 'iceBallQuality'> {
  const e = view.estimate;
  if (e === null) return { r0Mm: null, r20Mm: null, r40Mm: null, iceBallQuality: estimateExists && !tipProblem ? QUALITY_STALE : QUALITY_BAD };
  return { r0Mm: publishedRadiusMm(e.r0Mm), r20Mm: publishedRadiusMm(e.r20Mm), r40Mm: publishedRadiusMm(e.r40Mm), iceBallQuality: QUALITY_GOOD };
}

export class TelemetryLink {
  readonly #o: TelemetryLinkOptions;
  readonly #timers: Timers;
  readonly #periodMs: number;
  #worker: Worker | null = null;
  #frameSeq = 0;
  #inFlight: number | null = null;
  #pendingFrame: FrameMessage | null = null;
  #lastState: StateFrame | null = null;
  #stateDirty = true;
  #nextTelemetryMs = Number.NEGATIVE_INFINITY;
  #droppedFrames = 0;
  #recordId = 0;
  readonly #records: RecordMessage[] = [];
  #droppedRecords = 0;
  readonly #commands = new Map<string, WorkerCommand>();
  readonly #refusals: WorkerRefusal[] = [];
  #refusalsOverflow = 0;
  #restarts = 0;
  readonly #restart: ReconnectBackoff;
  #stopping = false;
  #stopped: (() => void) | null = null;

  constructor(options: TelemetryLinkOptions) {
    this.#o = options;
    this.#timers = options.timers ?? realTimers;
    this.#restart = new ReconnectBackoff({ initialMs: TELEMETRY_RESTART_MIN_MS, maxMs: TELEMETRY_RESTART_MAX_MS, factor: DOUBLING_BACKOFF_FACTOR }, this.#timers);
    this.#periodMs = 1_000 / options.rateHz;
  }

  start(): void {
    this.#spawn();
  }

  /** Telemetry frames dropped because the worker was behind, since start. */
  get droppedFrames(): number {
    return this.#droppedFrames;
  }

  get restarts(): number {
    return this.#restarts;
  }

  /** Frames posted and not yet acknowledged: 0 or 1, never more. */
  get framesInFlight(): number {
    return this.#inFlight === null ? 0 : 1;
  }

  /** Events and summaries not yet in the worker's outbox. */
  get pendingRecords(): number {
    return this.#records.length;
  }

  /** Start of a scheduler period: the network's commands become presses for the coming tick, from
   * a remote origin (so start and audio pause could never pass, even if one got this far). */
  beginPeriod(target: PublishedLoop, loopNowMs: number): void {
    if (this.#commands.size > 0) {
      const batch = [...this.#commands.values()];
      this.#commands.clear();
      for (const c of batch) this.#applyCommand(target, c, loopNowMs);
    }
    if (this.#refusals.length > 0) {
      for (const r of this.#refusals.splice(0)) this.#applyRefusal(r, loopNowMs);
    }
  }

  /** After every tick: every controller event is published (QoS 1), and the state is looked at. */
  onStep(result: StepResult): void {
    if (result.events.length === 0) return;
    this.#stateDirty = true;
    for (const e of result.events) this.#record('event', { source: 'controller', ...e });
  }

  /** One treatment summary when a treatment ends (from RecordsLink.onTreatmentEnd). */
  treatmentEnded(summary: Readonly<Record<string, unknown>>): void {
    this.#record('summary', summary);
  }

  /** End of a scheduler period: the state when it changed, telemetry at the configured rate. */
  endPeriod(wallNowMs: number, loopNowMs: number, loop: PublishedLoop, readings: Readings | null, timing: () => LoopTimingSummary): void {
    const telemetryDue = wallNowMs >= this.#nextTelemetryMs;
    if (!telemetryDue && !this.#stateDirty) return;
    this.#stateDirty = false;
    const snapshot = buildSnapshot({
      seq: 0,
      nowMs: loopNowMs,
      board: this.#o.board,
      state: loop.state,
      settings: loop.settings,
      run: loop.runDefaults,
      readings,
      outputs: loop.lastOutputs,
      loop: loopHealth(timing(), this.#o.loopRateHz, this.#o.lateThresholdMs),
      events: [],
    });
    const present = snapshot.alarms.conditions.filter((c) => c.active);
    const state: StateFrame = {
      phase: snapshot.phase,
      cycle: snapshot.cycle,
      alarms: present.map((c) => ({ id: c.id, priority: c.priority, acknowledged: c.acknowledged })),
      alarmPriority: present[0]?.priority ?? 'none',
      safeToWithdraw: snapshot.withdrawal.safe,
    };
    const stateChanged = !sameState(this.#lastState, state);
    if (stateChanged) this.#lastState = state;
    let telemetry: TelemetryFrame | null = null;
    if (telemetryDue) {
      // On a fixed grid; more than a period behind (a stalled loop), one frame, never a burst.
      const next = this.#nextTelemetryMs + this.#periodMs;
      this.#nextTelemetryMs = next > wallNowMs ? next : wallNowMs + this.#periodMs;
      const tip = readings?.tips[0];
      const tipStale = tip !== undefined && loopNowMs - tip.atMs > loop.settings.tip.staleMs;
      telemetry = {
        atEpochMs: this.#o.wallNowMs(),
        tipC: snapshot.tipC,
        tipQuality: snapshot.tipC !== null ? QUALITY_GOOD : tipStale ? QUALITY_STALE : QUALITY_BAD,
        supplyBarGauge: snapshot.supplyBarGauge,
        returnBarAbs: snapshot.returnBarAbs,
        pressureQuality: snapshot.pressureFault === null ? QUALITY_GOOD : QUALITY_STALE,
        supplyValveOpen: snapshot.outputs.supplyValveOpen,
        safetyValveOpen: snapshot.outputs.safetyValveOpen,
        loopP99Ms: snapshot.loop.lastMinute.p99Ms,
        loopLateTicks: snapshot.loop.lastMinute.late,
        loopMissedTicks: snapshot.loop.missed,
        telemetryDropped: this.#droppedFrames,
        ...iceBallTelemetry(snapshot.iceBall, loop.state.iceBall !== null, snapshot.tipFault !== null),
      };
    }
    if (stateChanged || telemetry !== null) this.#offer(stateChanged ? state : null, telemetry);
  }

  /** Console exit: the worker publishes NDEATH and closes (bounded), then is terminated. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#restart.cancel();
    const worker = this.#worker;
    this.#worker = null;
    if (worker === null) return;
    worker.ref();
    await new Promise<void>((resolve) => {
      const cancel = this.#timers.schedule(TELEMETRY_STOP_WAIT_MS, () => {
        this.#o.logger.warn('telemetry worker did not stop in time: terminated');
        resolve();
      });
      this.#stopped = () => {
        cancel();
        resolve();
      };
      worker.on('exit', () => { this.#stopped?.(); });
      this.#post(worker, { kind: 'stop' });
    });
    await worker.terminate();
  }

  #offer(state: StateFrame | null, telemetry: TelemetryFrame | null): void {
    const held = this.#pendingFrame;
    if (held !== null && held.telemetry !== null && telemetry !== null) this.#droppedFrames += 1;
    const frame: FrameMessage = { kind: 'frame', seq: ++this.#frameSeq, state: state ?? held?.state ?? null, telemetry: telemetry ?? held?.telemetry ?? null };
    const worker = this.#worker;
    if (worker === null || this.#inFlight !== null) {
      this.#pendingFrame = frame;
      return;
    }
    this.#pendingFrame = null;
    this.#inFlight = frame.seq;
    this.#post(worker, frame);
  }

  #record(type: RecordMessage['type'], body: Readonly<Record<string, unknown>>): void {
    const message: RecordMessage = { kind: 'record', id: ++this.#recordId, type, atEpochMs: this.#o.wallNowMs(), body };
    if (this.#records.length >= RECORD_BACKLOG_MAX) {
      this.#records.shift();
      this.#droppedRecords += 1;
      this.#o.logger.error({ dropped: this.#droppedRecords }, `telemetry: the worker has not taken events for too long: ${this.#droppedRecords} dropped`);
    }
    this.#records.push(message);
    if (this.#worker !== null) this.#post(this.#worker, message);
  }

  #applyCommand(target: PublishedLoop, c: WorkerCommand, loopNowMs: number): void {
    const client = `mqtt ${c.from}`;
    if (c.command === 'rebirth') {
      this.#o.logger.info({ client }, `telemetry: rebirth requested by ${client}`);
    } else {
      applyConsoleCommand(target, { type: c.command }, 'remote', client, this.#o.logger);
    }
    const detail = { command: c.command, accepted: true, via: 'mqtt', from: c.from };
    this.#o.recordEvent?.(loopNowMs, 'remote-command', detail);
    this.#record('event', { source: 'remote', kind: 'remote-command', atMs: loopNowMs, ...detail });
  }

  #applyRefusal(r: WorkerRefusal, loopNowMs: number): void {
    const client = `mqtt ${r.from}`;
    this.#o.logger.warn({ client, command: r.command }, `telemetry: ${r.command === 'start' ? 'start' : 'a command'} from ${client} refused: ${r.reason}`);
    // A refused start is a refused operator input, as the step logs one; anything else is a
    // remote command refused as invalid.
    const [kind, detail] =
      r.command === 'start'
        ? (['refused', { input: 'start', reason: r.reason, via: 'mqtt', from: r.from }] as const)
        : (['remote-command', { command: r.command, accepted: false, reason: r.reason, via: 'mqtt', from: r.from }] as const);
    this.#o.recordEvent?.(loopNowMs, kind, detail);
    if (r.command === 'start') this.#o.onStartRefused?.(loopNowMs, client, r.reason);
    this.#record('event', { source: 'remote', kind, atMs: loopNowMs, ...detail });
  }

  #post(worker: Worker, message: ToTelemetry): void {
    try {
      worker.postMessage(message);
    } catch (err) {
      this.#lose(`telemetry worker unreachable: ${(err as Error).message}`);
    }
  }

  #spawn(): void {
    if (this.#stopping) return;
    const worker = new Worker(this.#o.workerUrl, { workerData: this.#o.workerData });
    // The loop's scheduler keeps the process alive; a forgotten worker must not.
    worker.unref();
    this.#worker = worker;
    this.#inFlight = null;
    worker.on('message', (raw: unknown) => { if (this.#worker === worker || this.#stopping) this.#onMessage(raw); });
    worker.on('error', (err) => { if (this.#worker === worker) this.#lose(`telemetry worker error: ${err.message}`); });
    worker.on('exit', (code) => { if (this.#worker === worker) this.#lose(`telemetry worker exited with code ${code}`); });
    for (const r of this.#records) this.#post(worker, r);
    const held = this.#pendingFrame;
    if (held !== null) {
      this.#pendingFrame = null;
      this.#inFlight = held.seq;
      this.#post(worker, held);
    }
  }

  #onMessage(raw: unknown): void {
    const parsed = FromTelemetrySchema.safeParse(raw);
    if (!parsed.success) {
      this.#o.logger.warn({ issue: parsed.error.issues[0]?.message }, 'telemetry worker sent an invalid message: dropped');
      return;
    }
    const m = parsed.data;
    switch (m.kind) {
      case 'frame-ack': {
        if (m.seq !== this.#inFlight) return;
        this.#inFlight = null;
        const next = this.#pendingFrame;
        if (next !== null && this.#worker !== null) {
          this.#pendingFrame = null;
          this.#inFlight = next.seq;
          this.#post(this.#worker, next);
        }
        return;
      }
      case 'record-ack':
        while (this.#records.length > 0 && (this.#records[0]?.id ?? Infinity) <= m.id) this.#records.shift();
        this.#restart.reset();
        return;
      case 'command':
        this.#commands.set(m.command, m);
        return;
      case 'refused':
        if (this.#refusals.length < REFUSALS_PENDING_MAX) {
          this.#refusals.push(m);
          return;
        }
        this.#refusalsOverflow += 1;
        if (this.#refusalsOverflow === 1 || this.#refusalsOverflow % 100 === 0) {
          this.#o.logger.warn({ overflow: this.#refusalsOverflow }, `telemetry: ${this.#refusalsOverflow} refused commands past ${REFUSALS_PENDING_MAX} a tick not logged one by one`);
        }
        return;
      case 'connected':
        if (m.connected) this.#o.logger.info(`telemetry: ${m.detail}`);
        else this.#o.logger.warn(`telemetry: ${m.detail}`);
        return;
      case 'failed':
        this.#o.logger.error(`telemetry worker failed: ${m.message}`);
        return;
      case 'stopped':
        this.#stopped?.();
        return;
    }
  }

  #lose(why: string): void {
    if (this.#stopping) return;
    const worker = this.#worker;
    this.#worker = null;
    this.#inFlight = null;
    void worker?.terminate();
    const delayMs = this.#restart.nextDelayMs;
    this.#restarts += 1;
    this.#o.logger.error({ restartInMs: delayMs }, `telemetry: ${why}; restarting it in ${delayMs} ms (telemetry is not a safety function: the treatment goes on)`);
    this.#restart.retry(() => { this.#spawn(); });
  }
}
