// `cryo calibrate`: the guided probe calibration on a terminal. On the sim board (the only kind
// so far) the probe goes into simulated baths on a virtual clock, so the whole procedure runs in
// moments with no hardware. Exit 0 only when a record was written; 1 when nothing was saved.
import { VERSION } from '../version.js';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { SensorParamsError } from '../../hal/sim/sensor-params.js';
import { PlantParamsError } from '../../hil/plant/index.js';
import { runCalibrationProcedure, simCalibrationRig, PromptClosedError } from '../../calibration/procedure/index.js';
import type { CalibrationPrompt, ProcedureOutcome } from '../../calibration/procedure/index.js';
import { isValidProbeId } from '../../calibration/record.js';
import { defaultDataDir } from '../../calibration/store.js';
import { loadBoardFile } from '../board.js';
import { UsageError } from './errors.js';
import { asUsageError, parseRanged } from './options.js';
import type { ConsoleIo } from './run.js';

export const DEFAULT_BOARD_FILE = 'boards/sim.json';
/** Sim probe error bounds: wide enough for any practice case, narrow enough to stay a thermocouple. */
const MAX_SIM_OFFSET_ERROR_C = 20;
const MIN_SIM_GAIN_ERROR = 0.5;
const MAX_SIM_GAIN_ERROR = 1.5;
/** Off a terminal, print one live status line in this many (a log, not a flood). */
const PLAIN_PROGRESS_EVERY = 10;

interface CalibrateFlags {
  probe: string;
  board: string;
  dataDir?: string;
  probeOffsetErrorC?: string;
  probeGainError?: string;
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
    throw new UsageError(`--probe: '${flags.probe}' must be 1-64 characters of letters, digits, '.', '_' or '-'`);
  }
  let board;
  try {
    board = loadBoardFile(flags.board);
  } catch (err) {
    throw asUsageError(err);
  }
  // Probe error flags are sim only; every board is a sim board so far (a hardware back-end must refuse them).
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
  const prompt = terminalPrompt(io);
  try {
    return await runCalibrationProcedure({
      prompt,
      sampler: rig.sampler,
      probeId: flags.probe,
      // The board's type: a record of another type would fail CALIBRATION_INVALID at once.
      thermocoupleType: board.thermocoupleType,
      now: options.now ?? (() => new Date()),
      dataDir: flags.dataDir ?? defaultDataDir(options.env ?? process.env),
      softwareVersion: options.softwareVersion ?? VERSION,
    });
  } finally {
    prompt.close();
  }
}

export function registerCalibrate(program: Command, io: ConsoleIo, setResult: (code: number) => void, options: CalibrateOptions = {}): void {
  program
    .command('calibrate')
    .description('guided probe calibration in reference baths (ice point, dry ice in ethanol, water bath near 37 C)')
    .requiredOption('--probe <id>', 'id of the probe to calibrate')
    .option('--board <file>', 'board definition file', DEFAULT_BOARD_FILE)
    .option('--data-dir <dir>', 'data directory for the record (default: $CRYO_DATA_DIR or ./data)')
    .option('--probe-offset-error-c <c>', 'sim only: the simulated probe reads this many C high (raw = gain x true + offset)')
    .option('--probe-gain-error <g>', 'sim only: the simulated probe gain error (1 = none)')
    .action(async (flags: CalibrateFlags) => {
      const outcome = await runCalibrate(flags, io, options);
      setResult(outcome.kind === 'saved' ? 0 : 1);
    });
}
