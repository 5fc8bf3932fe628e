#!/usr/bin/env -S node --max-semi-space-size=2
// The `cryo` command. Usage errors exit 2 with a message naming the argument; expected failures
// (ConsoleError) exit with their own status, among them `cryo run`'s control step that threw (70,
// a crash, after the valves were put in the safe state). Anything else that escapes is a crash,
// and the fail-safe handlers have already closed the valves.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';
import { registerBoards } from './boards.js';
import { registerCalibrate } from './calibrate.js';
import { registerCalibration } from './calibration.js';
import { registerCo2 } from './co2.js';
import { ConsoleError, EXIT_SYSTEM, EXIT_USAGE, UsageError } from './errors.js';
import { registerHil } from './hil.js';
import { asUsageError, refuseRepeatedOptions } from './options.js';
import { registerRecords } from './records.js';
import { registerRig } from './rig.js';
import { registerRun } from './run.js';
import type { ConsoleIo } from './run.js';
import type { CliIo } from './simulate.js';
import { registerSimulate } from './simulate.js';
import { registerThermocouple } from './thermocouple.js';
import { registerTissue } from './tissue.js';
import { registerToken } from './token.js';
import { CRASH_EXIT_CODE, holdDebugSignal } from '../runtime/failsafe.js';
import { printableLines } from '../../kernel/printable.js';

export { VERSION };

export interface MainIo extends CliIo {
  readonly console: ConsoleIo;
}

export const processIo: MainIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  console: { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
};

/** Runs the CLI; resolves to the exit status. Never calls process.exit itself. */
export async function main(argv: readonly string[], io: MainIo = processIo): Promise<number> {
  let code = 0;
  const setResult = (c: number): void => {
    code = c;
  };
  const program = new Command()
    .name('cryo')
    .description('CO2 cryoneurolysis console')
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  // Commander also parses sub-commands' unknown options as errors (exit 2 below).
  registerRun(program, io.console, setResult);
  registerSimulate(program, io, setResult);
  registerCo2(program, io, setResult);
  registerThermocouple(program, io, setResult);
  registerTissue(program, io, setResult);
  registerCalibration(program, io, setResult);
  registerBoards(program, io, setResult);
  registerHil(program, io, setResult);
  registerRig(program, io, setResult);
  registerToken(program, io, setResult);
  registerRecords(program, io, setResult);
  registerCalibrate(program, io.console, setResult, { softwareVersion: VERSION });
  refuseRepeatedOptions(program);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (err) {
    // An error line echoes what was given (an argument, a key or name from a file): its control
    // characters are escaped (kernel/printable.ts), never sent to the terminal as they are.
    const say = (message: string): void => {
      io.stderr(`cryo: ${printableLines(message)}\n`);
    };
    if (err instanceof UsageError) {
      say(err.message);
      return EXIT_USAGE;
    }
    if (err instanceof ConsoleError) {
      say(err.message);
      return err.exitCode;
    }
    // Input errors a verb forgot to translate are still bad input, not a crash.
    const usage = asUsageError(err);
    if (usage instanceof UsageError) {
      say(usage.message);
      return EXIT_USAGE;
    }
    if (isSystemError(err)) {
      say(err.message);
      return EXIT_SYSTEM;
    }
    if (err instanceof CommanderError) {
      // --help and --version end here with exit code 0; bad options and commands with 1: map to 2.
      return err.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    throw err;
  }
}

/**
 * The process's exit status from `main`'s outcome: its own status, or for an error that escaped it
 * (a bug: no verb expected it) the stack on stderr and CRASH_EXIT_CODE, 70, as the exit table says
 * of a crash, never 1 (the status of a file or folder the system refused). Never rejects.
 */
export async function exitStatusOf(outcome: Promise<number>, io: Pick<CliIo, 'stderr'>): Promise<number> {
  try {
    return await outcome;
  } catch (err) {
    io.stderr(`cryo: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return CRASH_EXIT_CODE;
  }
}

/** An operating-system error (a folder that is a file, no permission, a full disk): its message
 * names the call and the path, which is all the operator can act on; a stack trace is noise. */
function isSystemError(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && typeof (err as NodeJS.ErrnoException).syscall === 'string';
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  // For the whole life of the process, not only while the console runs: SIGUSR1 must never open
  // Node's debugger port (the console's fail-safe logs it while a board is driven).
  holdDebugSignal(() => undefined);
  void exitStatusOf(main(process.argv.slice(2)), processIo).then((code) => {
    process.exitCode = code;
  });
}
