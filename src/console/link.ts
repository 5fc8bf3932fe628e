// The control loop's end of the channel to the console worker (issue 9). The loop's thread runs
// nothing but the loop: the page's server lives in a worker thread, and this link is all the loop
// sees of it. Everything here is bounded and nothing here awaits on the loop's behalf:
// - snapshots go out with credit-based flow control: one in flight at most; the next is posted
//   only once the worker has acknowledged the last, and a newer snapshot replaces one not yet sent;
// - commands come back validated (FromConsoleSchema) and wait for the loop, which takes them at
//   the start of a tick, coalesced: one slot per command type and origin, as the loop's own
//   presses are (ControlLoop.consolePress), the latest start's protocol kept. A flood cannot grow
//   the queue past COMMAND_SLOTS and cannot push out a stop: nothing is ever dropped;
// - a watchdog on the injected clock: a worker that has not acknowledged for longer than
//   console.lostMs, or that exits or fails, is lost: it is terminated (which also stops a worker
//   stuck in a loop) and started again after a bounded backoff, which falls back to its minimum
//   only once a worker has run for RESTART_BACKOFF_RESET_AFTER_MS. The loop's CONSOLE_LOST
//   interlock reads the liveness through `watch`.
import { Worker } from 'node:worker_threads';
import type { Clock } from '../../kernel/clock.js';
import type { Logger } from '../../kernel/log.js';
import { DOUBLING_BACKOFF_FACTOR, ReconnectBackoff } from '../../kernel/reconnect.js';
import type { CancelTimer, Timers } from '../../kernel/timers.js';
import { realTimers } from '../../kernel/timers.js';
import type { ConsoleWatch } from '../controller/probe-calibration.js';
import { ConsoleCommandSchema, FromConsoleSchema, SNAPSHOT_PERIOD_MS } from './protocol.js';
import type { ClientOrigin, ConsoleCommand, Snapshot, ToConsole } from './protocol.js';

const CLIENT_ORIGINS: readonly ClientOrigin[] = ['loopback', 'remote'];
/** The most commands that can wait for the next tick: one per command type and origin. A second
 * stop, acknowledge or audio pause before the tick is the same press (the loop presses each button
 * once per tick); a second start replaces the first's protocol (the latest choice on screen). */
export const COMMAND_SLOTS = ConsoleCommandSchema.options.length * CLIENT_ORIGINS.length;
/** Restart backoff after a loss: 250 ms, doubling to at most 5 s, so a worker that dies at once
 * is not respawned in a tight loop and a transient fault is back within a second. */
export const RESTART_BACKOFF_MIN_MS = 250;
export const RESTART_BACKOFF_MAX_MS = 5_000;
/** A worker lost after running at least this long (link clock) was healthy: the next restart waits
 * RESTART_BACKOFF_MIN_MS again. Sooner, the backoff keeps growing even if it answered: a worker
 * that acknowledges once and dies (a request that crashes its server, sent again after every
 * restart) must not be respawned every 250 ms for ever. Six times the longest backoff. */
export const RESTART_BACKOFF_RESET_AFTER_MS = 30_000;
/** On console exit the worker has this long to close its server before it is terminated. */
export const STOP_GRACE_MS = 1_000;

export interface PendingCommand {
  readonly command: ConsoleCommand;
  readonly origin: ClientOrigin;
  readonly client: string;
}

export interface ConsoleLinkOptions {
  /** The worker's module (the console worker, or a test fixture). */
  readonly workerUrl: URL;
  /** Handed to every worker started, as `workerData`; the worker validates it. */
  readonly workerData: Readonly<Record<string, unknown>>;
  /** The watchdog's clock. */
  readonly clock: Clock;
  /** Silence after which the worker counts as lost (settings console.lostMs, validated there). */
  readonly lostMs: number;
  readonly logger: Logger;
  /** For the restart backoff; real, unref'd timers by default. */
  readonly timers?: Timers;
  /** Called when a worker reports its server ready, with its URL. */
  readonly onReady?: (url: string) => void;
}

export class ConsoleLink {
  readonly #o: ConsoleLinkOptions;
  readonly #timers: Timers;
  #worker: Worker | null = null;
  /** Sequence number of the snapshot awaiting its ack, and when it was posted; null: credit free. */
  #inFlightSeq: number | null = null;
  #inFlightSinceMs = 0;
  #pending: Snapshot | null = null;
  /** When the worker last answered (link clock); null after a loss until the new worker answers. */
  #heardAtMs: number | null = null;
  /** Keyed `type/origin`; a Map keeps the first arrival's order. */
  readonly #commands = new Map<string, PendingCommand>();
  #coalescedCommands = 0;
  #lost = false;
  #restarts = 0;
  readonly #restart: ReconnectBackoff;
  /** When the current worker was started (link clock). */
  #spawnedAtMs = 0;
  #stopping = false;

  constructor(options: ConsoleLinkOptions) {
    this.#o = options;
    this.#timers = options.timers ?? realTimers;
    this.#restart = new ReconnectBackoff({ initialMs: RESTART_BACKOFF_MIN_MS, maxMs: RESTART_BACKOFF_MAX_MS, factor: DOUBLING_BACKOFF_FACTOR }, this.#timers);
  }

  /** Starts the worker; it counts as heard at its start, so it has console.lostMs to come up. */
  start(): void {
    this.#heardAtMs = this.#o.clock.nowMs();
    this.#spawn();
  }

  get lost(): boolean {
    return this.#lost;
  }

  /** When the worker last answered, on the link's clock; null after a loss until it answers. */
  get lastHeardMs(): number | null {
    return this.#heardAtMs;
  }

  get restarts(): number {
    return this.#restarts;
  }

  /** Commands waiting for the next tick (at most COMMAND_SLOTS). */
  get pendingCommands(): number {
    return this.#commands.size;
  }

  /** Commands merged into one already waiting (the same press again, or a newer start), since start. */
  get coalescedCommands(): number {
    return this.#coalescedCommands;
  }

  /** Snapshots held back, waiting for the credit: 0 or 1, never more. */
  get queuedSnapshots(): number {
    return this.#pending === null ? 0 : 1;
  }

  get inFlight(): boolean {
    return this.#inFlightSeq !== null;
  }

  /**
   * How long the worker has been silent while owing an ack (0 when it owes none), on the link's
   * clock: counted from its last ack, since a snapshot follows every SNAPSHOT_PERIOD_MS, so a
   * worker that stalls right after an ack is judged from then, not from the next post. When the
   * loop itself sent nothing for longer (a stalled publisher), the worker is not blamed for more
   * than one period before the post.
   */
  silentMs(): number {
    if (this.#inFlightSeq === null) return 0;
    const owedSinceMs = Math.max(this.#heardAtMs ?? Number.NEGATIVE_INFINITY, this.#inFlightSinceMs - SNAPSHOT_PERIOD_MS);
    return this.#o.clock.nowMs() - owedSinceMs;
  }

  /**
   * The liveness the step reads (ControllerReadings.console), on the step's clock: the silence
   * measured here, carried over to `loopNowMs`. Runs the watchdog first, so a stalled worker is
   * declared lost (and restarted) no later than the tick that sees its silence.
   */
  watch(loopNowMs: number): ConsoleWatch {
    this.poll();
    if (this.#heardAtMs === null) return { watched: true, lastHeardMs: null };
    return { watched: true, lastHeardMs: loopNowMs - this.silentMs() };
  }

  /** The watchdog: a worker silent for longer than lostMs while owing an ack is lost. */
  poll(): void {
    if (this.#worker !== null && this.silentMs() > this.#o.lostMs) {
      this.#loseWorker(`no acknowledgement for ${this.silentMs().toFixed(0)} ms (limit ${this.#o.lostMs} ms)`);
    }
  }

  /** Offers a snapshot: posted now if the credit is free, else it replaces the one held back. */
  publish(snapshot: Snapshot): void {
    this.poll();
    if (this.#worker === null || this.#inFlightSeq !== null) {
      this.#pending = snapshot;
      return;
    }
    this.#post(snapshot);
  }

  /** Hands the waiting commands to `apply`, in the order each slot was first filled, and empties
   * the slots; returns how many. */
  drainCommands(apply: (command: ConsoleCommand, origin: ClientOrigin, client: string) => void): number {
    const count = this.#commands.size;
    if (count === 0) return 0;
    const batch = [...this.#commands.values()];
    this.#commands.clear();
    for (const c of batch) apply(c.command, c.origin, c.client);
    return count;
  }

  /** Console exit: asks the worker to close its server, waits up to STOP_GRACE_MS, then terminates it. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#restart.cancel();
    const worker = this.#worker;
    this.#worker = null;
    if (worker === null) return;
    // Ref'd while it closes: the process must wait for it (the grace timer is unref'd).
    worker.ref();
    const exited = new Promise<void>((resolve) => worker.once('exit', () => { resolve(); }));
    const message: ToConsole = { kind: 'stop' };
    worker.postMessage(message);
    let cancel: CancelTimer = () => undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      cancel = this.#timers.schedule(STOP_GRACE_MS, () => { resolve('timeout'); });
    });
    const result = await Promise.race([exited, timedOut]);
    cancel();
    if (result === 'timeout') {
      this.#o.logger.warn('console worker did not stop in time: terminated');
      await worker.terminate();
    }
  }

  #post(snapshot: Snapshot): void {
    const message: ToConsole = { kind: 'snapshot', snapshot };
    this.#worker?.postMessage(message);
    this.#inFlightSeq = snapshot.seq;
    this.#inFlightSinceMs = this.#o.clock.nowMs();
  }

  #spawn(): void {
    if (this.#stopping) return;
    const worker = new Worker(this.#o.workerUrl, { workerData: this.#o.workerData });
    // The loop's scheduler keeps the process alive; a forgotten worker must not.
    worker.unref();
    this.#worker = worker;
    this.#spawnedAtMs = this.#o.clock.nowMs();
    this.#inFlightSeq = null;
    this.#pending = null;
    worker.on('message', (raw: unknown) => { if (this.#worker === worker) this.#onMessage(raw); });
    worker.on('error', (err) => { if (this.#worker === worker) this.#loseWorker(`worker error: ${err.message}`); });
    worker.on('exit', (code) => { if (this.#worker === worker) this.#loseWorker(`worker exited with code ${code}`); });
  }

  #onMessage(raw: unknown): void {
    const parsed = FromConsoleSchema.safeParse(raw);
    if (!parsed.success) {
      this.#o.logger.warn({ issue: parsed.error.issues[0]?.message }, 'console worker sent an invalid message: dropped');
      return;
    }
    const m = parsed.data;
    switch (m.kind) {
      case 'ack':
        if (m.seq !== this.#inFlightSeq) return;
        this.#heardAtMs = this.#o.clock.nowMs();
        this.#inFlightSeq = null;
        if (this.#lost) {
          this.#lost = false;
          this.#o.logger.info({ restarts: this.#restarts }, 'console side answering again');
        }
        if (this.#pending !== null) {
          const next = this.#pending;
          this.#pending = null;
          this.#post(next);
        }
        return;
      case 'ready':
        this.#o.logger.info({ url: m.url }, `console page at ${m.url}`);
        this.#o.onReady?.(m.url);
        return;
      case 'failed':
        this.#loseWorker(`console server failed: ${m.message}`);
        return;
      case 'command':
        this.#queue({ command: m.command, origin: m.origin, client: m.client });
        return;
    }
  }

  #queue(command: PendingCommand): void {
    const key = `${command.command.type}/${command.origin}`;
    const waiting = this.#commands.get(key);
    if (waiting === undefined) {
      this.#commands.set(key, command);
      return;
    }
    this.#coalescedCommands += 1;
    this.#o.logger.debug({ client: command.client, command: command.command.type, coalesced: this.#coalescedCommands }, `console ${command.command.type} from ${command.client} merged with one already waiting for the next tick`);
    // The latest start carries the protocol now on screen; a repeated press is the same press.
    if (command.command.type === 'start') this.#commands.set(key, command);
  }

  #loseWorker(why: string): void {
    const worker = this.#worker;
    this.#worker = null;
    this.#lost = true;
    this.#heardAtMs = null;
    this.#inFlightSeq = null;
    this.#pending = null;
    // terminate() also stops a worker stuck in a loop; it settles once the thread is gone.
    if (worker !== null) worker.terminate().catch((err: unknown) => { this.#o.logger.error({ err }, 'console worker could not be terminated'); });
    if (this.#stopping) return;
    const upMs = this.#o.clock.nowMs() - this.#spawnedAtMs;
    if (worker !== null && upMs >= RESTART_BACKOFF_RESET_AFTER_MS) this.#restart.reset();
    const delayMs = this.#restart.nextDelayMs;
    this.#restarts += 1;
    this.#o.logger.error({ why, restartInMs: delayMs }, `console side lost (${why}): restarting it in ${delayMs} ms`);
    this.#restart.retry(() => { this.#spawn(); });
  }
}
