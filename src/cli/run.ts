// `cryo run`: the console. On the simulated board the terminal takes keys and shows a live
// status line; `--speed N` runs N control ticks of simulated time per real tick.
import { Writable } from 'node:stream';
import type { Command } from 'commander';
import type { Readings } from '../../hal/contract.js';
import { defaultDataDir } from '../../calibration/store.js';
import { PlantParamsError } from '../../hil/plant/index.js';
import { AlarmLog } from '../runtime/alarm-log.js';
import { TreatmentRecorder } from '../sim/recorder.js';
import type { TreatmentSummary } from '../sim/recorder.js';
import { autoCalibrateSimProbe } from '../../hil/sim-calibration.js';
import { loadHashedBoardFile } from '../board.js';
import type { Board } from '../board.js';
import type { Settings } from '../controller/settings.js';
import { withNerve } from '../controller/settings.js';
import { treatmentOver } from '../controller/withdrawal.js';
import { createLogger } from '../../kernel/log.js';
import type { Logger } from '../../kernel/log.js';
import { CALIBRATION_RETRY_MS, PreloadedCalibration, StoreCalibrationProvider, withFittedProbeId } from '../runtime/calibration-provider.js';
import { MonotonicClock } from '../../kernel/clock.js';
import { boardKind, openBoardSession, waitForConnection, waitForFreshReadings } from '../runtime/board-session.js';
import type { BoardSession, SessionKind } from '../runtime/board-session.js';
import type { FaultKind, FaultSpec } from '../../hil/faults.js';
import { keepAliveTimers } from '../../kernel/timers.js';
import type { CancelTimer } from '../../kernel/timers.js';
import { terminalJob } from './terminal-job.js';
import type { TerminalJob } from './terminal-job.js';
import { CRASH_EXIT_CODE, installFailsafe } from '../runtime/failsafe.js';
import { ControlLoop } from '../runtime/loop.js';
import type { StepFunction } from '../runtime/loop.js';
import { raiseLoopThread } from '../runtime/loop-priority.js';
import type { LoopPriorityResult } from '../runtime/loop-priority.js';
import { RealTimeScheduler, VirtualScheduler } from '../../kernel/scheduler/index.js';
import { KEY_HELP, formatStatus } from '../ui/status.js';
import { KeyReader, isIgnorable, keyAction } from '../ui/keys.js';
import { VERSION } from '../version.js';
import { ConsoleError, EXIT_INTERRUPTED, EXIT_OK, EXIT_UNAVAILABLE, UsageError } from './errors.js';
import { asUsageError, collect, parseFaultFlags, parseInteger, settingsFromFlags } from './options.js';
import { launchRigProcess } from './rig.js';
import { DEFAULT_LISTEN, parseListen } from './listen.js';
import type { ListenAddress } from './listen.js';
import { ConsoleLink } from '../console/link.js';
import { TargetError, parseTarget } from '../records/nerves.js';
import { RECORDS_OPEN_WAIT_MS, recordsLink, treatmentNaming } from './run-records.js';
import type { RecordsFlags } from './run-records.js';
import type { RecordsLink } from '../runtime/records-link.js';
import type { PriorSite } from '../controller/state.js';
import { ConsolePublisher } from '../console/publisher.js';
import type { Clock } from '../../kernel/clock.js';
import type { TimingPercentiles } from '../../kernel/loop-timing.js';
import type { ProtocolFlags } from './options.js';
import { telemetryLink, telemetrySetup } from './run-telemetry.js';
import type { TelemetryFlags, TelemetrySetup } from './run-telemetry.js';

/** `--speed` bounds: N control ticks per real tick; 1000x at 50 Hz is 50 000 steps a second. */
export const MAX_SPEED = 1000;
/** Status line refresh on a terminal, and the plain line interval when stdout is not one. */
const STATUS_TTY_MS = 200;
const STATUS_PLAIN_MS = 5_000;
/** The fault kind `cryo simulate`'s runner executes by skipping ticks; the console does not. */
const UNSUPPORTED_RUN_FAULT: FaultKind = 'loop-stall';

/** Why `cryo run` refuses to start as a background job of its terminal, and what to do instead. */
export const BACKGROUND_REFUSAL =
  'started in the background of its terminal with its input or output on it: the kernel suspends a background job that reads keys from its terminal or sets its mode (and, under stty tostop, one that writes to it), which would leave the console stopped with its board open; run it in the foreground, or with its input and output redirected (< /dev/null > cryo.log 2>&1)';

export interface RunFlags extends ProtocolFlags, RecordsFlags, TelemetryFlags {
  board: string;
  speed?: string;
  autoStart?: boolean;
  exitWhenDone?: boolean;
  json?: boolean;
  dataDir?: string;
  listen?: string;
  /** false with --no-web. */
  web?: boolean;
  /** `--fault KIND@S[:DUR_S]`, repeatable; simulated boards only. */
  fault?: string[];
  /** Raise the loop's thread to real-time priority (src/runtime/loop-priority.ts). Commander sets
   * it true unless --no-realtime; absent (a caller in a test process) means no. */
  realtime?: boolean;
}

export interface ConsoleIo {
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Where this process stands among its terminal's jobs (terminal-job.ts; tests replace it). */
  readonly terminalJob?: () => TerminalJob;
}

/** Draws the status line and keeps log lines from landing in the middle of it. */
class StatusLine {
  #live = '';
  constructor(private readonly out: ConsoleIo['stdout']) {}
  get tty(): boolean {
    return this.out.isTTY === true;
  }
  draw(text: string): void {
    if (this.tty) {
      this.#live = text;
      this.out.write(`\r\x1b[K${text}`);
    } else {
      this.out.write(`${text}\n`);
    }
  }
  clear(): void {
    if (this.tty && this.#live !== '') this.out.write('\r\x1b[K');
  }
  redraw(): void {
    if (this.tty && this.#live !== '') this.out.write(this.#live);
  }
  end(): void {
    if (this.tty && this.#live !== '') this.out.write('\n');
    this.#live = '';
  }
}

function consoleLogger(io: ConsoleIo, status: StatusLine, quiet: boolean): Logger {
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      status.clear();
      io.stderr.write(chunk);
      status.redraw();
      done();
    },
  });
  return createLogger({ destination, pretty: io.stderr.isTTY === true, level: quiet ? 'warn' : 'info' });
}

/** How a console run ended. `interrupted`: a signal or the q key stopped it while a treatment was
 * under way, or after one before the probe was safe to withdraw (exit status 3). */
export interface ConsoleResult {
  readonly summary: TreatmentSummary | null;
  readonly interrupted: boolean;
}

export interface RunOptions {
  /** How long a hardware or emulated board may take to connect (tests shorten it). */
  readonly connectTimeoutMs?: number;
  /** Test seam, never set by the CLI: the control step the loop runs (ControlLoopOptions.step),
   * a broken one to prove a step that throws is a crash. */
  readonly step?: StepFunction;
}

/** The nerve of a --target NERVE:SIDE, or a usage error naming the option. */
function targetNerveId(text: string): string {
  try {
    return parseTarget(text).nerveId;
  } catch (err) {
    if (err instanceof TargetError) throw new UsageError(`--target: ${err.message}`);
    throw err;
  }
}

export async function runConsole(flags: RunFlags, io: ConsoleIo, options: RunOptions = {}): Promise<ConsoleResult> {
  let settings: Settings;
  let board: Board;
  let boardSha256: string;
  try {
    settings = settingsFromFlags(flags);
    // The efficacy verdict judges each freeze against the target nerve's radius where the settings
    // give one (issue 11): the nerve of --target, checked against the catalog by parseTarget. A
    // start on the console page with a target judges its treatment for that nerve instead
    // (ControlLoop.useNerve).
    if (flags.target !== undefined) settings = withNerve(settings, targetNerveId(flags.target), '--target');
    // The records name the board by the hash of the bytes parsed here (no second read).
    ({ board, sha256: boardSha256 } = loadHashedBoardFile(flags.board));
  } catch (err) {
    throw asUsageError(err);
  }
  const kind = boardKind(board);
  if (flags.speed !== undefined && kind !== 'sim') throw new UsageError(`--speed: accepted only for simulated boards (${flags.board} is ${kind})`);
  const speed = flags.speed === undefined ? 1 : parseInteger('--speed', flags.speed, 1, MAX_SPEED);
  // A console must never start gas flow on real hardware without an operator's press.
  if (flags.autoStart === true && kind === 'hardware') throw new UsageError(`--auto-start: refused on ${flags.board}: it drives real hardware`);
  if (flags.json === true && flags.exitWhenDone !== true) throw new UsageError('--json: only with --exit-when-done');
  if (flags.web === false && flags.listen !== undefined) throw new UsageError('--listen: not with --no-web');
  // Keys are read from a terminal in raw mode, and the status line and logs are written to it; a
  // background job that sets its mode (or writes, under `stty tostop`) is stopped by the kernel
  // (SIGTTOU) and would hold its board open, suspended: refuse before opening the board.
  const onTerminal = io.stdin.isTTY === true || io.stdout.isTTY === true || io.stderr.isTTY === true;
  if (onTerminal && (io.terminalJob ?? terminalJob)() === 'background') {
    throw new UsageError(BACKGROUND_REFUSAL);
  }
  const faults = runFaults(flags, kind);
  const naming = treatmentNaming(flags, kind);
  const telemetry = telemetrySetup(flags);
  const listen = flags.web === false ? null : parseListen(flags.listen ?? DEFAULT_LISTEN);

  const status = new StatusLine(io.stdout);
  const logger = consoleLogger(io, status, flags.json === true);
  let session: BoardSession;
  // An emulated rig board: a rig process is started when none runs (it outlives this console).
  const rigBoard = board.backend === 'hardware' && board.rig !== null ? board : null;
  try {
    session = await openBoardSession(board, speed, rigBoard === null ? { faults } : { launchRig: () => { launchRigProcess(flags.board, rigBoard); } });
  } catch (err) {
    if (err instanceof PlantParamsError) throw new UsageError(`${flags.board}: ${err.message}`);
    if (rigBoard !== null) throw new ConsoleError(`${flags.board}: ${(err as Error).message}`, EXIT_UNAVAILABLE);
    throw err;
  }
  const scheduler = new RealTimeScheduler({ rateHz: settings.loop.rateHz, clock: new MonotonicClock() });
  let quit = false;
  // On a stop signal or a crash: no tick runs again and the console shuts down (after a crash the
  // fail-safe exits 70 once the safe state's writes have had time to reach the board).
  const failsafe = installFailsafe(session.hal, logger, () => {
    quit = true;
    scheduler.stop();
  });
  // A closed terminal (what SIGHUP announces) fails every read, write and mode change with EIO:
  // stop as on a signal instead of letting the stream's 'error' become an uncaught exception.
  // Left attached after the run: its last writes fail too, and the outputs are safe by then.
  const onTerminalLost = (): void => {
    session.hal.toSafeState();
    quit = true;
    scheduler.stop();
  };
  for (const stream of [io.stdin, io.stdout, io.stderr]) stream.on('error', onTerminalLost);
  // Start-up awaits the board, the calibration and the records store: a stop that lands in one of
  // those waits is checked after each, so that no tick runs on the board (a loop entered after a
  // stop still ran one, which could press --auto-start's start) and the shutdown below follows.
  const stopRequested = (): boolean => quit;
  try {
    session.hal.toSafeState();
    if (session.kind !== 'sim') {
      logger.info({ board: board.name }, 'connecting to the board');
      try {
        await waitForConnection(session.hal, session.clock, options.connectTimeoutMs, undefined, stopRequested);
      } catch (err) {
        throw new ConsoleError(`${flags.board}: ${(err as Error).message}`, EXIT_UNAVAILABLE);
      }
      if (stopRequested()) return stoppedInStartUp(logger);
    }
    const calibration = await probeCalibration(session, board, flags, logger);
    if (stopRequested()) return stoppedInStartUp(logger);
    if (session.kind !== 'sim') {
      try {
        await waitForFreshReadings(session.hal, session.clock, settings.tip.staleMs, options.connectTimeoutMs, undefined, stopRequested);
      } catch (err) {
        throw new ConsoleError(`${flags.board}: ${(err as Error).message}`, EXIT_UNAVAILABLE);
      }
      if (stopRequested()) return stoppedInStartUp(logger);
    }
    const records = recordsLink(
      { dataDir: flags.dataDir ?? defaultDataDir(process.env), boardName: board.name, boardSha256, settings, naming, calibration, clock: scheduler.clock, logger, kind },
      flags.records !== false,
    );
    const priorSite = records === null ? null : await openRecords(records, logger);
    if (stopRequested()) {
      await records?.stop();
      return stoppedInStartUp(logger);
    }
    return await runLoop(flags, io, settings, board, session, calibration, scheduler, status, logger, listen, stopRequested, records, priorSite, telemetry, options.step);
  } finally {
    session.hal.toSafeState();
    status.end();
    // The handlers stay while the board closes (its writes drain for up to CLOSE_DRAIN_MAX_MS):
    // a second signal then still finds them, instead of Node's default exit (review of stop 23).
    try {
      await closeBounded(session, logger);
    } finally {
      failsafe.dispose();
    }
  }
}

/** How long the shutdown waits for the board to close before it goes on without it. The Firmata
 * link drains for at most CLOSE_DRAIN_MAX_MS (200 ms); a serial port whose close blocks (output
 * stuck behind flow control: Linux waits up to its closing_wait, 30 s) must not keep a console
 * whose outputs are already safe from exiting, deaf to a second signal while the fail-safe's
 * handlers wait for the close (second review of stop 23, F3). */
export const SESSION_CLOSE_MAX_MS = 1_000;

/** The board's close, or SESSION_CLOSE_MAX_MS, whichever is first (a warning names the wait). */
async function closeBounded(session: BoardSession, logger: Logger): Promise<void> {
  let cancel: CancelTimer = () => undefined;
  const timedOut = new Promise<'timed-out'>((resolve) => {
    cancel = keepAliveTimers.schedule(SESSION_CLOSE_MAX_MS, () => {
      resolve('timed-out');
    });
  });
  try {
    const how = await Promise.race([session.close().then(() => 'closed' as const), timedOut]);
    if (how === 'timed-out') logger.warn(`the board did not close within ${SESSION_CLOSE_MAX_MS} ms: shutting down without it (the outputs were put in the safe state first)`);
  } finally {
    cancel();
  }
}

/** A stop (a signal, a crash, a lost terminal) that came before the control loop began: no tick
 * has run, so no treatment can have begun, and the exit status is a stop's with none under way
 * (0; a crash still exits 70, from the fail-safe). runConsole's shutdown puts the outputs in the
 * safe state again and closes the board. */
function stoppedInStartUp(logger: Logger): ConsoleResult {
  logger.info('console stopped during start-up, before the control loop ran: outputs in the safe state');
  return { summary: null, interrupted: false };
}

/** Opens the treatment records (closing what a crash left open) and returns the site's freeze
 * time an interrupted treatment left, if any. */
async function openRecords(records: RecordsLink, logger: Logger): Promise<PriorSite | null> {
  const ready = await records.start(RECORDS_OPEN_WAIT_MS);
  for (const t of ready.interrupted) {
    logger.warn({ treatment: t.id, frozenMs: t.frozenMs }, `records: treatment ${t.id} was left open by a crash: closed as interrupted at its last sample (${(t.lastTMs / 1000).toFixed(1)} s, ${(t.frozenMs / 1000).toFixed(1)} s frozen)`);
  }
  if (ready.priorSiteFreezeMs === null) return null;
  logger.warn({ siteFreezeMs: ready.priorSiteFreezeMs }, `the interrupted treatment's site had frozen ${(ready.priorSiteFreezeMs / 1000).toFixed(1)} s: its cap counts it until a new site is declared`);
  return { cumulativeFreezeMs: ready.priorSiteFreezeMs };
}

/** `--fault` on a simulated board. Refused elsewhere: a fault that is not injected must not look
 * as if it were. `loop-stall` is refused too: `cryo simulate`'s runner stalls its own loop, and
 * this console's loop is not stalled on request. */
function runFaults(flags: RunFlags, kind: SessionKind): FaultSpec[] {
  const texts = flags.fault ?? [];
  if (texts.length === 0) return [];
  if (kind !== 'sim') throw new UsageError(`--fault: accepted only for simulated boards (${flags.board} is ${kind})`);
  const faults = parseFaultFlags(texts);
  const stall = faults.find((f) => f.kind === UNSUPPORTED_RUN_FAULT);
  if (stall !== undefined) throw new UsageError(`--fault: '${UNSUPPORTED_RUN_FAULT}' is injected only by cryo simulate (cryo run does not stall its own loop)`);
  return faults;
}

/** The probe's calibration, read before the loop starts; the loop reads it again between ticks
 * (controlTick queues the read after the scheduler callback), never in one. */
async function probeCalibration(session: BoardSession, board: Board, flags: RunFlags, logger: Logger): Promise<PreloadedCalibration> {
  const dataDir = flags.dataDir ?? defaultDataDir(process.env);
  const store = new StoreCalibrationProvider(dataDir, board.thermocoupleType, () => new Date());
  const calibration = new PreloadedCalibration(withFittedProbeId(store, session.fittedProbeId), board.thermocoupleType, session.fittedProbeId);
  const reportedId = session.hal.read().probe.id;
  const probeId = reportedId ?? session.fittedProbeId;
  let verdict = calibration.load(reportedId);
  const simBoard = session.autoCalibration;
  if (!verdict.ok && simBoard !== null && probeId !== null) {
    logger.info({ probeId, problem: verdict.problem }, 'simulated probe not calibrated: calibrating it on the simulated baths');
    const outcome = await saveFailsAsUsage(dataDir, () =>
      autoCalibrateSimProbe({ board: simBoard, probeId, dataDir, now: () => new Date(), softwareVersion: VERSION, logger }),
    );
    // A record that cannot be written (the data dir is a file, its key cannot be made) is a bad --data-dir.
    if (outcome.kind === 'write-failed') throw dataDirUnusable(dataDir, outcome.message);
    if (outcome.kind !== 'saved') logger.error({ outcome: outcome.kind }, 'sim auto-calibration did not produce a record');
    verdict = calibration.load(reportedId);
  }
  if (verdict.ok) logger.info({ probeId, offsetC: verdict.offsetC, gain: verdict.gain }, `probe ${probeId ?? '(no id)'} calibrated`);
  else logger.warn({ probeId, problem: verdict.problem }, `probe calibration invalid: start is blocked: ${verdict.problem ?? ''}`);
  return calibration;
}

/** A data directory the record cannot be written to (a file, no permission) is a bad --data-dir
 * (or $CRYO_DATA_DIR), named as such rather than a crash. */
async function saveFailsAsUsage<T>(dataDir: string, save: () => Promise<T>): Promise<T> {
  try {
    return await save();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (typeof code !== 'string') throw err;
    throw dataDirUnusable(dataDir, (err as Error).message);
  }
}

function dataDirUnusable(dataDir: string, why: string): UsageError {
  return new UsageError(`--data-dir: '${dataDir}' cannot hold calibration records (--data-dir or $CRYO_DATA_DIR): ${why}`);
}

async function runLoop(
  flags: RunFlags,
  io: ConsoleIo,
  settings: Settings,
  board: Board,
  session: BoardSession,
  calibration: PreloadedCalibration,
  scheduler: RealTimeScheduler,
  status: StatusLine,
  logger: Logger,
  listen: ListenAddress | null,
  signalled: () => boolean,
  records: RecordsLink | null,
  priorSite: PriorSite | null,
  telemetrySettings: TelemetrySetup | null,
  step: StepFunction | undefined,
): Promise<ConsoleResult> {
  const realClock = scheduler.clock;
  const recorder = new TreatmentRecorder(settings);
  // The alarm log (IEC 60601-1-8) of this run, in memory and bounded (the --json summary); the
  // treatment records keep every event of each treatment.
  const alarmLog = new AlarmLog();
  let lastReadings: Readings | null = null;
  const link = listen === null ? null : consoleLink(listen, flags, settings, realClock, logger);
  const page = new ConsolePublisher({ link, board: board.name, rateHz: settings.loop.rateHz, lateThresholdMs: scheduler.lateThresholdMs, logger, records });
  // Telemetry over MQTT (issue 10 section 2), off the loop's thread; none without a broker.
  const telemetry =
    telemetrySettings === null
      ? null
      : telemetryLink({ setup: telemetrySettings, dataDir: flags.dataDir ?? defaultDataDir(process.env), board: board.name, clock: realClock, loopRateHz: settings.loop.rateHz, lateThresholdMs: scheduler.lateThresholdMs, logger, records, alarmLog });
  const loop = new ControlLoop({
    hal: session.hal,
    settings,
    logger,
    startMs: session.latchTick?.() ?? session.clock.nowMs(),
    calibration,
    fittedProbeId: session.fittedProbeId,
    ...(step === undefined ? {} : { step }),
    onStep: (nowMs, readings, result) => {
      lastReadings = readings;
      recorder.record(nowMs, readings, result);
      alarmLog.record(result.events);
      page.onStep(result);
      records?.onStep(nowMs, readings, result);
      telemetry?.onStep(result);
    },
    ...(link === null ? {} : { consoleWatch: (nowMs: number) => link.watch(nowMs) }),
    ...(records === null ? {} : { recordsWatch: (nowMs: number) => records.watch(nowMs) }),
    priorSite,
    onSettings: (next) => {
      recorder.useSettings(next);
      records?.useSettings(next);
    },
  });
  const virtual = session.virtualClock === null ? null : new VirtualScheduler({ rateHz: settings.loop.rateHz, clock: session.virtualClock });
  const speed = session.speed;

  /** Why the loop may end: the q key, or the treatment done (--exit-when-done). */
  const stop = { quit: false, done: false };
  let estopIn = false;
  let footswitchDown = false;
  const operator = session.operator;
  const keyReader = new KeyReader();
  const onKey = (data: Buffer | string): void => {
    // Keys, not characters: a function key's or an arrow's escape sequence holds letters (F4 is
    // ESC O S) that are no command.
    for (const key of keyReader.keys(data.toString())) {
      const action = keyAction(key);
      if (action === null) {
        if (!isIgnorable(key)) logger.warn({ key: JSON.stringify(key) }, `unknown key ${JSON.stringify(key)}: ${KEY_HELP}`);
      } else if (action === 'quit') {
        stop.quit = true;
      } else if (operator === null) {
        logger.warn({ key }, 'this board is driven by its own buttons: only q (quit) works here');
      } else if (action === 'estop-toggle') {
        operator.setEstop((estopIn = !estopIn));
      } else if (action === 'newSite' && session.kind !== 'sim') {
        logger.warn({ key }, 'this board has no new-site input: restart the console to begin a new site');
      } else if (action === 'audioPause' && session.kind !== 'sim') {
        logger.warn({ key }, 'this board has no audio-pause input: acknowledge (a) silences the alarms active now');
      } else if (action === 'footswitch-toggle') {
        operator.setFootswitch((footswitchDown = !footswitchDown));
      } else {
        operator.press(action);
      }
    }
  };
  const interactive = flags.exitWhenDone !== true;
  if (interactive) {
    if (io.stdin.isTTY === true) io.stdin.setRawMode?.(true);
    io.stdin.on('data', onKey);
    io.stdin.resume();
    logger.info({ board: board.name, speed, protocol: settings.protocol }, `console ready on ${board.name}. Keys: ${KEY_HELP}`);
  }
  if (flags.autoStart === true && operator !== null) {
    if (settings.footswitch.deadman) operator.setFootswitch((footswitchDown = true));
    operator.press('start');
  }

  let lastStatusMs = Number.NEGATIVE_INFINITY;
  const statusEveryMs = status.tty ? STATUS_TTY_MS : STATUS_PLAIN_MS;
  // A press (or a new probe id) asks for the calibration record to be read again: read it after
  // the scheduler's callback has returned, never inside a tick; the next tick uses it.
  let refreshQueued = false;
  const refreshCalibration = (): void => {
    refreshQueued = false;
    try {
      calibration.refresh();
    } catch (err) {
      logger.error({ err }, 'probe calibration could not be read: the probe counts as uncalibrated (start blocked) until it can be');
    }
  };
  const retryCalibration = setInterval(() => {
    try {
      calibration.reloadIfUnusable();
    } catch (err) {
      logger.error({ err }, 'probe calibration could not be read: the probe counts as uncalibrated (start blocked) until it can be');
    }
  }, CALIBRATION_RETRY_MS);
  retryCalibration.unref();
  const controlTick = (nowMs: number): void => {
    loop.tick(nowMs);
    if (calibration.refreshWanted && !refreshQueued) {
      refreshQueued = true;
      setImmediate(refreshCalibration);
    }
    if (flags.exitWhenDone === true && recorder.done(nowMs)) stop.done = true;
  };
  // The CLI asks for it (default on; --no-realtime); a test that calls runConsole in its own
  // process does not, and its thread stays as it is.
  const loopPriority: LoopPriorityResult = flags.realtime === true ? raiseLoopThread() : { granted: 'normal', why: 'not asked (--no-realtime)' };
  if (loopPriority.granted === 'realtime' || flags.realtime !== true) logger.info({ loopPriority }, `control loop thread: ${loopPriority.why}`);
  else logger.warn({ loopPriority }, `control loop thread: ${loopPriority.why}; its timing may suffer on a loaded machine`);
  const wallStartMs = realClock.nowMs();
  const loopStartMs = session.clock.nowMs();
  try {
    link?.start();
    telemetry?.start();
    await scheduler.run((tick) => {
      page.beginPeriod(loop, tick);
      telemetry?.beginPeriod(loop, session.clock.nowMs());
      if (virtual !== null) {
        virtual.runTicks(speed, (t) => {
          controlTick(t.targetMs);
          // A tick asked for the calibration to be read again: end the batch so the read (queued
          // with setImmediate) happens before the next tick, as it does in real time.
          return !stop.done && !calibration.refreshWanted;
        });
      } else {
        controlTick(session.latchTick?.() ?? session.clock.nowMs());
      }
      const wallNowMs = realClock.nowMs();
      if (flags.json !== true && wallNowMs - lastStatusMs >= statusEveryMs) {
        lastStatusMs = wallNowMs;
        status.draw(formatStatus(session.clock.nowMs(), loop.state, loop.settings, lastReadings, estopIn));
      }
      page.endPeriod(wallNowMs, session.clock.nowMs(), loop, lastReadings);
      telemetry?.endPeriod(wallNowMs, session.clock.nowMs(), loop, lastReadings, () => page.summary(wallNowMs));
      return !(stop.quit || stop.done || signalled());
    });
  } catch (err) {
    // A throw in a tick is a bug (a failed step invariant, a broken back-end): a crash. The loop
    // has already put the outputs in the safe state and logged it when the throw was its own;
    // the shutdown below and runConsole's close the board (draining its writes) before main
    // exits with the crash status, as the fail-safe's crash path does.
    if (loop.failure !== err) logger.fatal({ err }, 'control loop failed: outputs put in the safe state');
    throw new ConsoleError(`the control loop failed (a crash): ${(err as Error).message}; the outputs were put in the safe state; restart the console`, CRASH_EXIT_CODE);
  } finally {
    clearInterval(retryCalibration);
    session.hal.toSafeState();
    await link?.stop();
    await records?.stop();
    await telemetry?.stop();
    if (interactive) {
      io.stdin.off('data', onKey);
      if (io.stdin.isTTY === true) io.stdin.setRawMode?.(false);
      io.stdin.pause();
    }
  }
  logger.info('console stopped: outputs in the safe state');
  const loopTiming = loopTimingFields(page, realClock.nowMs());
  logTiming(logger, loopTiming);
  // Stopping the console before the treatment is over leaves a cold probe in the patient
  // without the SAFE TO WITHDRAW indication.
  const interrupted = !stop.done && (stop.quit || signalled()) && recorder.started && !treatmentOver(loop.state, loop.settings, session.clock.nowMs());
  if (interrupted) logger.warn({ phase: loop.state.phase }, `console stopped during a treatment (${loop.state.phase}): the treatment is incomplete`);
  if (flags.exitWhenDone !== true) return { summary: null, interrupted };
  const summary = recorder.summary({
    gasFlowing: session.gasFlowing() ?? false,
    simulatedMs: session.clock.nowMs() - loopStartMs,
    wallMs: realClock.nowMs() - wallStartMs,
    seed: session.seed,
    timedOut: !stop.done,
  });
  if (flags.json === true) io.stdout.write(`${JSON.stringify({ ...summary, alarmLog: alarmLog.entries(), loopTiming, loopPriority })}\n`);
  return { summary, interrupted };
}

/** The console worker's module beside this one; it exists only in the compiled build (a worker
 * thread cannot load TypeScript), so a run from the sources serves no page and says so. */
export function consoleWorkerUrl(): URL | null {
  return import.meta.url.endsWith('.js') ? new URL('../console/worker.js', import.meta.url) : null;
}

function consoleLink(listen: ListenAddress, flags: RunFlags, settings: Settings, clock: Clock, logger: Logger): ConsoleLink | null {
  const workerUrl = consoleWorkerUrl();
  if (workerUrl === null) {
    logger.warn('console page not served: this run is from the TypeScript sources (npm run build, then dist/src/cli/main.js)');
    return null;
  }
  if (!listen.loopback) {
    logger.warn({ host: listen.host }, `--listen ${listen.host}: the console page is served beyond this machine (read-only without a token; start only from the kiosk)`);
  }
  const dataDir = flags.dataDir ?? defaultDataDir(process.env);
  return new ConsoleLink({
    workerUrl,
    // The page preselects the run's --target (checked already by treatmentNaming), so what its
    // confirmation names is what the record keeps.
    workerData: { host: listen.host, port: listen.port, dataDir, defaultTarget: flags.target === undefined ? null : parseTarget(flags.target) },
    clock,
    lostMs: settings.console.lostMs,
    logger,
  });
}

/** The loop's own timing at the end of a run, since its start: tick-start error percentiles,
 * late ticks (over the scheduler's threshold) and missed ones (skipped whole periods). */
export type LoopTimingFields = TimingPercentiles & { readonly missed: number };

function loopTimingFields(page: ConsolePublisher, wallNowMs: number): LoopTimingFields {
  const t = page.summary(wallNowMs);
  return { ...t.sinceStart, missed: t.missed };
}

/** Logged at exit (issue 9: the loop measures itself, page or not); with --json, also in the summary. */
function logTiming(logger: Logger, s: LoopTimingFields): void {
  logger.info(
    { event: 'loop-timing', ...s },
    `loop timing: tick-start error p50 ${s.p50Ms.toFixed(2)} ms, p99 ${s.p99Ms.toFixed(2)} ms, p99.9 ${s.p999Ms.toFixed(2)} ms, max ${s.maxMs.toFixed(2)} ms; ${s.late} late and ${s.missed} missed of ${s.ticks} ticks`,
  );
}

export function registerRun(program: Command, io: ConsoleIo, setResult: (code: number) => void): void {
  program
    .command('run')
    .description('run the console on a board (keys on the simulated board: s start, x stop, e e-stop, a acknowledge, n new site, q quit)')
    .option('--board <file>', 'board definition file', 'boards/sim.json')
    .option('--speed <n>', `simulated boards only: run N times faster than real time (1-${MAX_SPEED})`)
    .option('--preset <name>', 'protocol preset: standard, percutaneous, cervical')
    .option('--cycles <n>', 'freeze/thaw cycles (1-5)')
    .option('--freeze-s <s>', 'freeze time per cycle, seconds (10-300)')
    .option('--thaw-s <s>', 'thaw time per cycle, seconds (10-300)')
    .option('--settings <file>', 'settings file (JSON) overriding the defaults')
    .option('--data-dir <dir>', 'where probe calibration records and the treatment records live (default $CRYO_DATA_DIR or ./data)')
    .option('--auto-start', 'press start as soon as the console is up (simulated and emulated boards only)')
    .option('--exit-when-done', 'exit when the treatment has ended and the probe is safe to withdraw')
    .option('--json', 'with --exit-when-done: print the treatment summary as one JSON object')
    .option('--listen <host:port>', `where the console page is served (default ${DEFAULT_LISTEN}; another host than loopback serves the network)`)
    .option('--no-web', 'serve no console page (the terminal status line and keys only)')
    .option('--target <nerve:side>', 'the target nerve and side, from the catalog (cryo records nerves), e.g. sural:left')
    .option('--patient-ref <ref>', 'a pseudonymous patient reference for the record (letters, digits, . _ -; never a name)')
    .option('--operator <id>', 'the operator id for the record (letters, digits, . _ -)')
    .option('--no-records', 'simulated boards only: keep no treatment records')
    .option('--mqtt <url>', 'publish telemetry (Sparkplug B) to this MQTT broker: mqtt://HOST[:PORT] or mqtts://HOST[:PORT] (docs/telemetry.md; more in the settings file under "telemetry")')
    .option('--no-realtime', "leave the control loop's thread at ordinary priority (by default it asks for SCHED_RR, else a raised nice value)")
    .option(
      '--fault <kind@s[:dur]>',
      'simulated boards only: inject a fault S seconds after the board opens (real seconds at speed 1, simulated seconds at --speed N), e.g. return-blocked@20 or tc-open@30:5 (repeatable)',
      collect,
      [],
    )
    .action(async (flags: RunFlags) => {
      const result = await runConsole(flags, io);
      setResult(result.interrupted ? EXIT_INTERRUPTED : EXIT_OK);
    });
}
