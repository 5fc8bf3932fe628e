// `cryo calibrate`: the guided probe calibration on a terminal. On the sim board the probe goes
// into simulated baths on a virtual clock, so the whole procedure runs in moments with no
// hardware; on a hardware board only the thermocouple front-end is opened and it runs in real time. Exit 0 only when a record was written; 1 when nothing was saved.
import { VERSION } from '../version.js';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { SensorParamsError } from '../../hil/sim/sensor-params.js';
import { PlantParamsError } from '../../hil/plant/index.js';
import { runCalibrationProcedure, PromptClosedError } from '../../calibration/procedure/index.js';
import { simCalibrationRig } from '../../hil/sim/sampler.js';
import type { CalibrationPrompt, ProcedureOutcome } from '../../calibration/procedure/index.js';
import { quoteProbeId } from '../../calibration/errors.js';
import { PROBE_OD_MM_MAX, PROBE_OD_MM_MIN, isValidProbeId } from '../../kernel/probe.js';
import { defaultDataDir } from '../../calibration/store.js';
import { loadAnyBoardFile } from '../board.js';
import type { Board, HardwareBoard, SimBoard } from '../board.js';
import type { SerialFrontend } from '../../hal/serial/index.js';
import { realTimers } from '../../kernel/timers.js';
import { waitUntilReady } from '../../kernel/wait.js';
import { FrontendTipSampler } from '../../calibration/procedure/frontend-sampler.js';
import type { TipSampler } from '../../calibration/procedure/types.js';
import { MonotonicClock, type Clock } from '../../kernel/clock.js';
import { CONNECT_TIMEOUT_MS } from '../runtime/board-session.js';
import { UsageError } from './errors.js';
import { asUsageError, parseNumber, parseRanged } from './options.js';
import type { ConsoleIo } from './run.js';

export const DEFAULT_BOARD_FILE = 'boards/sim.json';
/**
 * Sim probe error bounds: wide enough to practise a rejection (the fit refuses an offset beyond
 * MAX_OFFSET_C, calibration/fit.ts), narrow enough to stay a thermocouple.
 */
const MAX_SIM_OFFSET_ERROR_C = 20;
const MIN_SIM_GAIN_ERROR = 0.5;
const MAX_SIM_GAIN_ERROR = 1.5;
/** The front-end's sample period (docs/serial-protocol.md: 50 Hz per channel). */
const FRONTEND_SAMPLE_MS = 20;
/** Off a terminal, print one live status line in this many (a log, not a flood). */
const PLAIN_PROGRESS_EVERY = 10;

interface CalibrateFlags {
  probe: string;
  board: string;
  dataDir?: string;
  probeOffsetErrorC?: string;
  probeGainError?: string;
  probeOdMm?: string;
}

export interface CalibrateOptions {
  readonly now?: () => Date;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Default: the `cryo` version (src/cli/main.ts). */
  readonly softwareVersion?: string;
}

/** The terminal side of the procedure: questions and answers on readline, live status in place. */
export function terminalPrompt(io: ConsoleIo): CalibrationPrompt & { close(): void } {
  const tty = io.stdout.isTTY === true;
  const rl = createInterface({ input: io.stdin, output: io.stdout, terminal: tty && io.stdin.isTTY === true });
  // Ctrl-C ends input: the procedure stops and saves nothing.
  rl.on('SIGINT', () => {
    rl.close();
  });
  // The iterator buffers lines, so answers piped in ahead of their questions are not lost.
  const lines = rl[Symbol.asyncIterator]();
  let live = false;
  let plainCount = 0;
  const endLive = (): void => {
    if (live) io.stdout.write('\n');
    live = false;
  };
  return {
    async ask(question) {
      endLive();
      rl.setPrompt(question);
      rl.prompt();
      const next = await lines.next();
      if (next.done === true) throw new PromptClosedError();
      return next.value;
    },
    show(line) {
      endLive();
      io.stdout.write(`${line}\n`);
    },
    progress(line) {
      if (tty) {
        io.stdout.write(`\r\x1b[K${line}`);
        live = true;
      } else if (plainCount++ % PLAIN_PROGRESS_EVERY === 0) {
        io.stdout.write(`${line}\n`);
      }
    },
    close() {
      endLive();
      rl.close();
    },
  };
}

export async function runCalibrate(flags: CalibrateFlags, io: ConsoleIo, options: CalibrateOptions = {}): Promise<ProcedureOutcome> {
  if (!isValidProbeId(flags.probe)) {
    throw new UsageError(`--probe: ${quoteProbeId(flags.probe)} must be 1-64 characters of letters, digits, '.', '_' or '-', and not '.' or '..'`);
  }
  const probeOdMm = flags.probeOdMm === undefined ? null : parseProbeOdMm(flags.probeOdMm);
  let anyBoard: Board;
  try {
    anyBoard = loadAnyBoardFile(flags.board);
  } catch (err) {
    throw asUsageError(err);
  }
  const source = anyBoard.backend === 'sim' ? simSampler(anyBoard, flags) : await frontendSampler(anyBoard, flags);
  const prompt = terminalPrompt(io);
  try {
    return await runCalibrationProcedure({
      prompt,
      sampler: source.sampler,
      probeId: flags.probe,
      // The board's type: a record of another type would fail CALIBRATION_INVALID at once.
      thermocoupleType: anyBoard.thermocoupleType,
      now: options.now ?? (() => new Date()),
      dataDir: flags.dataDir ?? defaultDataDir(options.env ?? process.env),
      softwareVersion: options.softwareVersion ?? VERSION,
      probeOdMm,
    });
  } finally {
    prompt.close();
    await source.close();
  }
}

/**
 * The probe's outer diameter from its label, within the bounds the record (and the setting
 * iceBall.probeOdMm) accept: refused here, before any bath, rather than after the last one.
 */
export function parseProbeOdMm(text: string): number {
  const odMm = parseNumber('--probe-od-mm', text);
  if (!(odMm >= PROBE_OD_MM_MIN && odMm <= PROBE_OD_MM_MAX)) {
    throw new UsageError(`--probe-od-mm: ${text} mm is outside ${PROBE_OD_MM_MIN} to ${PROBE_OD_MM_MAX.toFixed(1)} mm (the probe outer diameters the ice-ball estimate models)`);
  }
  return odMm;
}

interface SamplerSession {
  readonly sampler: TipSampler;
  close(): Promise<void>;
}

function simSampler(board: SimBoard, flags: CalibrateFlags): SamplerSession {
  const sensor = {
    ...(flags.probeOffsetErrorC === undefined
      ? {}
      : { probeOffsetErrorC: parseRanged('--probe-offset-error-c', flags.probeOffsetErrorC, -MAX_SIM_OFFSET_ERROR_C, MAX_SIM_OFFSET_ERROR_C) }),
    ...(flags.probeGainError === undefined
      ? {}
      : { probeGainError: parseRanged('--probe-gain-error', flags.probeGainError, MIN_SIM_GAIN_ERROR, MAX_SIM_GAIN_ERROR) }),
  };
  let rig;
  try {
    rig = simCalibrationRig({ board, sensor });
  } catch (err) {
    if (err instanceof PlantParamsError || err instanceof SensorParamsError) throw new UsageError(`${flags.board}: ${err.message}`);
    throw err;
  }
  // A probe with an id chip must be the probe named: a record filed under the wrong id is a hazard.
  const probe = rig.hal.read().probe;
  if (!probe.present) throw new UsageError(`${flags.board}: no probe is connected: connect probe ${flags.probe}`);
  if (probe.id !== null && probe.id !== flags.probe) {
    throw new UsageError(`--probe: the connected probe reports id '${probe.id}', not '${flags.probe}'`);
  }
  return { sampler: rig.sampler, close: () => Promise.resolve() };
}

/** A hardware board: only its thermocouple front-end is opened (no gas valve is touched). */
async function frontendSampler(board: HardwareBoard, flags: CalibrateFlags): Promise<SamplerSession> {
  if (flags.probeOffsetErrorC !== undefined || flags.probeGainError !== undefined) {
    throw new UsageError(`--probe-offset-error-c/--probe-gain-error: simulated boards only (${flags.board} is a hardware board)`);
  }
  if (board.rig !== null) {
    throw new UsageError(`${flags.board}: the emulated front-end has no baths: try the procedure on boards/sim.json`);
  }
  if (board.probeId !== null && board.probeId !== flags.probe) {
    throw new UsageError(`--probe: ${flags.board} says probe '${board.probeId}' is fitted, not '${flags.probe}'`);
  }
  // Loaded here, not at the top: the serial port library is for hardware boards only (issue 8).
  const { openFrontend } = await import('../../hal/serial/open.js');
  const clock = new MonotonicClock();
  const frontend = openFrontend(board.frontend, board.thermocoupleType, clock);
  try {
    await waitForTips(frontend, clock);
  } catch (err) {
    await frontend.close();
    throw err;
  }
  return { sampler: new FrontendTipSampler(frontend, clock, FRONTEND_SAMPLE_MS), close: () => frontend.close() };
}

function waitForTips(frontend: SerialFrontend, clock: Clock): Promise<void> {
  return waitUntilReady(() => frontend.fault(), {
    clock, timers: realTimers, timeoutMs: CONNECT_TIMEOUT_MS, pollMs: FRONTEND_SAMPLE_MS, what: 'the thermocouple front-end',
  });
}

export function registerCalibrate(program: Command, io: ConsoleIo, setResult: (code: number) => void, options: CalibrateOptions = {}): void {
  program
    .command('calibrate')
    .description('guided probe calibration in reference baths (ice point, dry ice in ethanol, water bath near 37 C)')
    .requiredOption('--probe <id>', 'id of the probe to calibrate')
    .option('--board <file>', 'board definition file', DEFAULT_BOARD_FILE)
    .option('--data-dir <dir>', 'data directory for the record (default: $CRYO_DATA_DIR or ./data)')
    .option('--probe-od-mm <mm>', `the probe's outer diameter from its label, ${PROBE_OD_MM_MIN}-${PROBE_OD_MM_MAX.toFixed(1)} mm, written into the record for the ice-ball estimate (default: none recorded; the estimate uses the setting iceBall.probeOdMm)`)
    .option('--probe-offset-error-c <c>', 'sim only: the simulated probe reads this many C high (raw = gain x true + offset)')
    .option('--probe-gain-error <g>', 'sim only: the simulated probe gain error (1 = none)')
    .action(async (flags: CalibrateFlags) => {
      const outcome = await runCalibrate(flags, io, options);
      setResult(outcome.kind === 'saved' ? 0 : 1);
    });
}
