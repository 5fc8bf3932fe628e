// The control loop's side of the treatment records (issue 10). The loop never waits on a disk: each
// tick hands this link the step's result; the link cuts it into treatments (a start accepted opens
// one; it closes when the treatment is over and the probe safe to withdraw, or when a new start
// comes first), keeps a 10 Hz sample and every event, and every RECORDS_FLUSH_MS posts what it has
// to the records worker (src/records/worker.ts), which commits each message in one transaction and
// acknowledges it. Until acknowledged, a message stays here and is sent again to a restarted
// worker. Samples are bounded (SAMPLE_BACKLOG_MAX): past it a sample is dropped and counted (the
// records side is by then silent for longer than records.lostMs, so RECORDS_UNAVAILABLE has already
// stopped the freeze). Events and trips are never dropped.
//
// The records' health reaches the step as a reading (watch()): a failure the worker reported, a
// worker that exited, or its silence.
import { createHash, randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { Readings } from '../../hal/contract.js';
import type { Clock } from '../../kernel/clock.js';
import type { Logger } from '../../kernel/log.js';
import { DOUBLING_BACKOFF_FACTOR, ReconnectBackoff } from '../../kernel/reconnect.js';
import { realTimers } from '../../kernel/timers.js';
import type { Timers } from '../../kernel/timers.js';
import type { RecordsWatch } from '../controller/probe-calibration.js';
import type { Settings } from '../controller/settings.js';
import type { StepResult } from '../controller/step.js';
import type { ControllerEvent } from '../controller/types.js';
import { RECORDS_FLUSH_MS, SITE_EVENT_KIND } from '../records/protocol.js';
import type { FromRecords, RecordsWrite, SiteEventDetail, StartFromLoop, ToRecords } from '../records/protocol.js';
import type { CycleVerdict, EventRow, InterruptedTreatment, ProbeUsed, SampleRow, TreatmentEnd, TreatmentOutcome, TreatmentTarget } from '../records/types.js';
import { cycleVerdictOf } from '../records/verdict.js';
import { TreatmentRecorder } from '../sim/recorder.js';

/** Samples kept per second of treatment (issue 10: 10 Hz). */
export const SAMPLE_PERIOD_MS = 100;
export { RECORDS_FLUSH_MS };
/** Samples held here, unsent or unacknowledged: 15 s at 10 Hz, more than RECORDS_LOST_MAX_MS
 * (10 s), so no sample is dropped before RECORDS_UNAVAILABLE has tripped. */
export const SAMPLE_BACKLOG_MAX = 150;
/** The restart backoff of a lost records worker. */
export const RECORDS_RESTART_MIN_MS = 500;
export const RECORDS_RESTART_MAX_MS = 30_000;
/** How long stop() waits for the worker to commit what it holds. */
export const RECORDS_STOP_WAIT_MS = 5_000;

/** What a treatment's start needs that the loop does not know from the step. */
export interface RecordsContext {
  readonly softwareVersion: string;
  readonly boardName: string;
  readonly boardSha256: string;
  readonly target: TreatmentTarget | null;
  readonly patientRef: string | null;
  readonly operatorId: string | null;
  /** The calibration record the probe uses now (read outside the tick by the runtime). */
  readonly probe: (probeId: string | null) => ProbeUsed;
}

export interface RecordsLinkOptions {
  readonly workerUrl: URL;
  readonly dataDir: string;
  /** The silence watchdog's clock (monotonic). */
  readonly clock: Clock;
  /** Wall clock, epoch ms: a treatment's start and end as a clinic reads them. */
  readonly wallNowMs: () => number;
  readonly logger: Logger;
  readonly context: RecordsContext;
  readonly timers?: Timers;
}

/** What the first worker found at start. */
export interface RecordsReady {
  readonly interrupted: readonly InterruptedTreatment[];
  readonly priorSiteFreezeMs: number | null;
}

/** A treatment as it ended, for the telemetry's summary (onTreatmentEnd). */
export interface EndedTreatment {
  readonly uid: string;
  readonly startedAtEpochMs: number;
  readonly protocol: StartFromLoop['protocol'];
  readonly target: TreatmentTarget | null;
  readonly probeId: string | null;
  readonly end: TreatmentEnd;
}

interface OpenTreatment {
  readonly uid: string;
  readonly protocol: StartFromLoop['protocol'];
  readonly target: TreatmentTarget | null;
  readonly probeId: string | null;
  readonly startLoopMs: number;
  readonly recorder: TreatmentRecorder;
  /** Its start on the wall clock: how a restarted worker finds it in the store. */
  readonly startedAtEpochMs: number;
  /** Rows posted for it so far (a batch's position, for a restarted worker). */
  samplesSent: number;
  eventsSent: number;
  /** Its samples dropped (the link's count runs on across treatments). */
  samplesDropped: number;
  lastSampleMs: number;
  /** The site's cumulative freeze (controller state) at the last step, and the freeze this
   * treatment added: the sum of its rises, so a new site declared while it is open (the site total
   * back to 0) never makes it negative. */
  siteFrozenMs: number;
  frozenMs: number;
  /** Each ended freeze's verdict by cycle, from the controller's freeze-verdict events. */
  readonly verdicts: Map<number, CycleVerdict>;
}

/** Every message posted and not yet acknowledged, with its samples counted. */
interface Sent {
  readonly message: RecordsWrite;
  readonly samples: number;
}

const ENDED_OUTCOME: Readonly<Record<string, TreatmentOutcome>> = { complete: 'complete', stopped: 'stopped', fault: 'fault' };

/** SHA-256 of the settings' JSON with sorted keys (the treatment's settings hash). */
export function settingsSha256(settings: Settings): string {
  const canonical = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canonical);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
    }
    return v;
  };
  return createHash('sha256').update(JSON.stringify(canonical(settings))).digest('hex');
}

function sampleOf(tMs: number, readings: Readings, result: StepResult): SampleRow {
  const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);
  return {
    tMs,
    phase: result.state.phase,
    tipC: readings.tips.map((t) => (t.fault === null ? finite(t.tipC) : null)),
    supplyBarGauge: finite(readings.supply.barGauge),
    returnBarAbs: readings.returnLine === null ? null : finite(readings.returnLine.barAbs),
    supplyValveOpen: result.outputs.supplyValveOpen,
    safetyValveOpen: result.outputs.safetyValveOpen,
  };
}

function eventRow(tMs: number, event: ControllerEvent): EventRow {
  return { tMs, kind: event.kind, detail: { ...event } };
}

export class RecordsLink {
  readonly #o: RecordsLinkOptions;
  readonly #timers: Timers;
  #settings: Settings;
  #settingsSha256: string;
  #worker: Worker | null = null;
  #ready = false;
  #seq = 0;
  readonly #sent: Sent[] = [];
  #backlogSamples = 0;
  #samples: SampleRow[] = [];
  #events: EventRow[] = [];
  #open: OpenTreatment | null = null;
  #lastFlushMs = Number.NEGATIVE_INFINITY;
  #heardAtMs: number | null = null;
  #failure: string | null = null;
  /** A failure only a restart clears (the store opened after start-up with an interrupted site). */
  #sticky: string | null = null;
  #dropped = 0;
  #restarts = 0;
  readonly #restart: ReconnectBackoff;
  #stopping = false;
  #firstReady: ((r: RecordsReady) => void) | null = null;
  #stopped: (() => void) | null = null;
  /** The target chosen for the next treatment (the console page's start); null: the context's. */
  #nextTarget: TreatmentTarget | null = null;
  /** The loop's time at the last step (a treatment's end is measured on it). */
  #lastStepMs = 0;
  #endListener: ((ended: EndedTreatment) => void) | null = null;

  constructor(options: RecordsLinkOptions, settings: Settings) {
    this.#o = options;
    this.#timers = options.timers ?? realTimers;
    this.#restart = new ReconnectBackoff({ initialMs: RECORDS_RESTART_MIN_MS, maxMs: RECORDS_RESTART_MAX_MS, factor: DOUBLING_BACKOFF_FACTOR }, this.#timers);
    this.#settings = settings;
    this.#settingsSha256 = settingsSha256(settings);
  }

  /** Starts the worker, which opens the store and closes treatments a crash left open; resolves
   * with those (or with none after `waitMs`: the link then counts as failing until it opens). */
  start(waitMs: number): Promise<RecordsReady> {
    this.#heardAtMs = this.#o.clock.nowMs();
    const ready = new Promise<RecordsReady>((resolve) => {
      this.#firstReady = resolve;
      const cancel = this.#timers.schedule(waitMs, () => {
        if (this.#firstReady === null) return;
        this.#firstReady = null;
        this.#failure ??= `records store did not open within ${waitMs} ms`;
        resolve({ interrupted: [], priorSiteFreezeMs: null });
      });
      const done = this.#firstReady;
      this.#firstReady = (r) => {
        cancel();
        done(r);
      };
    });
    this.#spawn(true);
    return ready;
  }

  /** The settings the loop runs with from now on (a protocol chosen on the console). */
  useSettings(settings: Settings): void {
    this.#settings = settings;
    this.#settingsSha256 = settingsSha256(settings);
    this.#open?.recorder.useSettings(settings);
  }

  /** The target the next treatment's begin records, chosen with a start on the console page;
   * null: the run's default (`RecordsContext.target`, from `--target`). Taken by that begin only,
   * and dropped when the step refuses the start: a later treatment started with the hardware
   * button records the default, never a target chosen for another start. */
  useTarget(target: TreatmentTarget | null): void {
    this.#nextTarget = target;
  }

  /** Called on the loop's thread when a treatment ends (the telemetry's treatment summary). */
  onTreatmentEnd(listener: (ended: EndedTreatment) => void): void {
    this.#endListener = listener;
  }

  /** Adds an event from outside the step (a remote command and its outcome) to the open
   * treatment, at `nowMs` on the loop's clock; false when no treatment is open. */
  addEvent(nowMs: number, kind: string, detail: Readonly<Record<string, unknown>>): boolean {
    const open = this.#open;
    if (open === null) return false;
    this.#events.push({ tMs: nowMs - open.startLoopMs, kind, detail: { ...detail } });
    return true;
  }

  /** Samples dropped since the link started, over all treatments (each treatment's end records its own). */
  get samplesDropped(): number {
    return this.#dropped;
  }

  get restarts(): number {
    return this.#restarts;
  }

  /** Messages posted and not yet acknowledged (held here to send again to a restarted worker). */
  get unacknowledged(): number {
    return this.#sent.length;
  }

  get treatmentOpen(): boolean {
    return this.#open !== null;
  }

  /** The records' health for the step at `loopNowMs` (the step's clock). */
  watch(loopNowMs: number): RecordsWatch {
    const silentMs = this.#silentMs();
    return { watched: true, failure: this.#failure, lastHeardMs: silentMs === null ? null : loopNowMs - silentMs };
  }

  /** After every tick: cut treatments, keep samples and events, post a batch when due. */
  onStep(nowMs: number, readings: Readings, result: StepResult): void {
    this.#lastStepMs = nowMs;
    for (const event of result.events) {
      // A start the step refused does not carry its target over to a later start.
      if (event.kind === 'refused' && event.input === 'start') this.#nextTarget = null;
      if (event.kind === 'phase' && event.to === 'SelfTest') {
        if (this.#open !== null) this.#end(this.#outcomeOf(this.#open));
        this.#begin(nowMs, readings, result);
      }
    }
    const open = this.#open;
    if (open === null) return;
    open.recorder.record(nowMs, readings, result);
    const site = result.state.cumulativeFreezeMs;
    if (site > open.siteFrozenMs) open.frozenMs += site - open.siteFrozenMs;
    open.siteFrozenMs = site;
    const tMs = nowMs - open.startLoopMs;
    for (const event of result.events) {
      this.#events.push(eventRow(event.atMs - open.startLoopMs, event));
      if (event.kind === 'freeze-verdict') open.verdicts.set(event.verdict.cycle, cycleVerdictOf(event.verdict));
    }
    if (nowMs - open.lastSampleMs >= SAMPLE_PERIOD_MS) {
      open.lastSampleMs = nowMs;
      if (this.#backlogSamples + this.#samples.length >= SAMPLE_BACKLOG_MAX) {
        this.#dropped += 1;
        open.samplesDropped += 1;
        if (this.#dropped === 1 || this.#dropped % 100 === 0) this.#o.logger.warn({ dropped: this.#dropped }, `records: ${this.#dropped} samples dropped (the records side is behind)`);
      } else {
        this.#samples.push(sampleOf(tMs, readings, result));
      }
    }
    if (open.recorder.done(nowMs)) this.#end(this.#outcomeOf(open));
    const wallMs = this.#o.clock.nowMs();
    if (wallMs - this.#lastFlushMs >= RECORDS_FLUSH_MS) {
      this.#lastFlushMs = wallMs;
      this.#flush();
    }
  }

  /** Ends an open treatment as interrupted (the console stops mid-treatment), posts everything
   * and waits (bounded) for the worker to commit it, then ends the worker. */
  async stop(): Promise<void> {
    if (this.#open !== null) this.#end(this.#open.recorder.ended ? this.#outcomeOf(this.#open) : 'interrupted');
    this.#flush();
    this.#stopping = true;
    this.#restart.cancel();
    const worker = this.#worker;
    if (worker === null) return;
    await new Promise<void>((resolve) => {
      const cancel = this.#timers.schedule(RECORDS_STOP_WAIT_MS, () => {
        this.#o.logger.error({ unacknowledged: this.#sent.length }, `records: the worker did not finish within ${RECORDS_STOP_WAIT_MS} ms; ${this.#sent.length} batches may be lost`);
        resolve();
      });
      this.#stopped = () => {
        cancel();
        resolve();
      };
      this.#post({ kind: 'stop' });
    });
    this.#stopped = null;
    this.#worker = null;
    await worker.terminate();
  }

  #outcomeOf(open: OpenTreatment): TreatmentOutcome {
    return open.recorder.ended ? (ENDED_OUTCOME[open.recorder.outcome()] ?? 'fault') : 'interrupted';
  }

  #begin(nowMs: number, readings: Readings, result: StepResult): void {
    const c = this.#o.context;
    const uid = randomUUID();
    const recorder = new TreatmentRecorder(this.#settings);
    const siteMs = result.state.cumulativeFreezeMs;
    const p = this.#settings.protocol;
    const startedAtEpochMs = this.#o.wallNowMs();
    const probe = c.probe(readings.probe.id);
    const protocol = { cycles: p.cycles, freezeS: p.freezeS, thawS: p.thawS };
    const target = this.#nextTarget ?? c.target;
    this.#open = {
      uid,
      startedAtEpochMs,
      protocol,
      target,
      probeId: probe.probeId,
      startLoopMs: nowMs,
      recorder,
      samplesSent: 0,
      eventsSent: 0,
      samplesDropped: 0,
      lastSampleMs: Number.NEGATIVE_INFINITY,
      siteFrozenMs: siteMs,
      frozenMs: 0,
      verdicts: new Map(),
    };
    const start: StartFromLoop = {
      startedAtEpochMs,
      console: { softwareVersion: c.softwareVersion, boardName: c.boardName, boardSha256: c.boardSha256 },
      protocol,
      settingsSha256: this.#settingsSha256,
      probe,
      target,
      patientRef: c.patientRef,
      operatorId: c.operatorId,
    };
    this.#nextTarget = null;
    this.#queue({ kind: 'begin', seq: ++this.#seq, uid, start }, 0);
    const site: SiteEventDetail = { cumulativeFreezeMsAtStart: siteMs };
    this.#events.push({ tMs: 0, kind: SITE_EVENT_KIND, detail: { ...site } });
    // Posted now, right behind the begin, not with the next batch up to RECORDS_FLUSH_MS later: a
    // crash in between would leave a begun treatment with no site figure for the restart to read.
    this.#flushAppend();
  }

  #end(outcome: TreatmentOutcome): void {
    const open = this.#open;
    if (open === null) return;
    this.#flushAppend();
    this.#open = null;
    const end = {
      // The start's wall time plus the loop's own (monotonic) time since: a wall clock stepped
      // during the treatment (NTP on a board without a battery clock) cannot make it end before
      // it began, and a live end agrees with a recovered one (start + last sample).
      endedAtEpochMs: open.startedAtEpochMs + Math.max(0, Math.round(this.#lastStepMs - open.startLoopMs)),
      outcome,
      cycles: open.recorder.recordedCycles().map((cy) => ({ ...cy, minTipC: Number.isFinite(cy.minTipC) ? cy.minTipC : null, verdict: open.verdicts.get(cy.index) ?? null })),
      frozenMs: Math.round(open.frozenMs),
      samplesDropped: open.samplesDropped,
    };
    this.#queue({ kind: 'end', seq: ++this.#seq, uid: open.uid, startedAtEpochMs: open.startedAtEpochMs, end }, 0);
    this.#endListener?.({ uid: open.uid, startedAtEpochMs: open.startedAtEpochMs, protocol: open.protocol, target: open.target, probeId: open.probeId, end });
    this.#o.logger.info({ outcome, cycles: end.cycles.length }, `records: treatment ended (${outcome})`);
  }

  /** The samples and events gathered since the last batch become one message. */
  #flushAppend(): void {
    const open = this.#open;
    if (open === null || (this.#samples.length === 0 && this.#events.length === 0)) return;
    const samples = this.#samples;
    const events = this.#events;
    this.#samples = [];
    this.#events = [];
    const position = { startedAtEpochMs: open.startedAtEpochMs, samplesBefore: open.samplesSent, eventsBefore: open.eventsSent };
    open.samplesSent += samples.length;
    open.eventsSent += events.length;
    this.#queue({ kind: 'append', seq: ++this.#seq, uid: open.uid, ...position, samples, events }, samples.length);
  }

  #flush(): void {
    this.#flushAppend();
  }

  #queue(message: RecordsWrite, samples: number): void {
    if (this.#sent.length === 0) this.#owedSinceMs = this.#o.clock.nowMs();
    this.#sent.push({ message, samples });
    this.#backlogSamples += samples;
    if (this.#ready) this.#post(message);
  }

  /** When the oldest unacknowledged message was posted (the silence runs from the later of this
   * and the last ack). */
  #owedSinceMs = 0;

  #silentMs(): number | null {
    if (this.#heardAtMs === null) return null;
    if (this.#sent.length === 0 && this.#ready) return 0;
    const nowMs = this.#o.clock.nowMs();
    return nowMs - Math.max(this.#heardAtMs, this.#ready ? this.#owedSinceMs : this.#heardAtMs);
  }

  #post(message: ToRecords): void {
    try {
      this.#worker?.postMessage(message);
    } catch (err) {
      this.#lose(`records worker unreachable: ${(err as Error).message}`);
    }
  }

  #spawn(recover: boolean): void {
    this.#ready = false;
    const worker = new Worker(this.#o.workerUrl, { workerData: { dataDir: this.#o.dataDir, recover } });
    this.#worker = worker;
    worker.on('message', (m: FromRecords) => {
      if (this.#worker === worker) this.#onMessage(m);
    });
    worker.on('error', (err) => {
      if (this.#worker === worker) this.#lose(`records worker error: ${err.message}`);
    });
    worker.on('exit', (code) => {
      if (this.#worker === worker) this.#lose(`records worker exited with code ${code}`);
    });
  }

  #onMessage(m: FromRecords): void {
    const nowMs = this.#o.clock.nowMs();
    switch (m.kind) {
      case 'ready': {
        this.#ready = true;
        this.#heardAtMs = nowMs;
        this.#owedSinceMs = nowMs;
        this.#restart.reset();
        if (this.#failure !== null && this.#sent.length === 0 && this.#sticky === null) this.#clearFailure();
        for (const s of this.#sent) this.#post(s.message);
        const first = this.#firstReady;
        this.#firstReady = null;
        if (first !== null) {
          first({ interrupted: m.interrupted, priorSiteFreezeMs: m.priorSiteFreezeMs });
        } else if (m.priorSiteFreezeMs !== null) {
          // The store opened after the loop started without it: the controller does not know what
          // the interrupted treatment's site froze, so its cap would not count it. Block every
          // start until the console is restarted (and reads it at start-up).
          this.#sticky = `records opened late: treatment(s) ${m.interrupted.map((t) => t.id).join(', ')} were interrupted and the site's freeze (${(m.priorSiteFreezeMs / 1000).toFixed(1)} s) is unknown to the controller: restart the console`;
          this.#failure = this.#sticky;
          this.#o.logger.error(this.#sticky);
        }
        return;
      }
      case 'ack': {
        this.#heardAtMs = nowMs;
        while (this.#sent.length > 0 && (this.#sent[0]?.message.seq ?? Infinity) <= m.seq) {
          const done = this.#sent.shift();
          this.#backlogSamples -= done?.samples ?? 0;
        }
        this.#owedSinceMs = nowMs;
        if (this.#failure !== null) this.#clearFailure();
        return;
      }
      case 'failure':
      case 'unavailable': {
        this.#heardAtMs = nowMs;
        const text = `records store ${m.code}: ${m.message}`;
        if (this.#failure !== text) this.#o.logger.error({ code: m.code }, `${text} (retrying)`);
        this.#failure = text;
        return;
      }
      case 'writable':
        this.#heardAtMs = nowMs;
        if (this.#failure !== null && this.#sent.length === 0) this.#clearFailure();
        return;
      case 'stopped':
        this.#stopped?.();
        return;
    }
  }

  #clearFailure(): void {
    if (this.#sticky !== null) {
      this.#failure = this.#sticky;
      return;
    }
    this.#o.logger.info({ was: this.#failure }, 'records: writing again');
    this.#failure = null;
  }

  #lose(why: string): void {
    if (this.#stopping) {
      this.#stopped?.();
      return;
    }
    const worker = this.#worker;
    this.#worker = null;
    this.#ready = false;
    this.#failure = why;
    this.#o.logger.error({ restartInMs: this.#restart.nextDelayMs }, `records: ${why}; restarting the records worker`);
    void worker?.terminate();
    this.#restart.retry(() => {
      if (this.#stopping) return;
      this.#restarts += 1;
      this.#spawn(false);
    });
  }
}
