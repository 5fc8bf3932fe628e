// `cryo rig --board boards/uno-emulated.json`: the emulated board as a device of its own. This
// process runs the plant, the emulated Uno (real StandardFirmata on avr8js) and the thermocouple
// front-end emulator (hil/rig/), and serves them as two pseudo-terminals at the paths the board
// file gives; `cryo run` on the board opens them like a real board's serial ports. It prints one
// JSON "ready" line once both devices exist, and runs until SIGTERM/SIGINT, `cryo rig --stop`, or
// (--exit-when-idle) no host has had either device open for that long.

import { spawn } from 'node:child_process';
import { closeSync, lstatSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { runningRigPid, stopRig } from '../../hil/rig/launch.js';
import { rigPaths } from '../../hil/rig/paths.js';
import { RIG_RR_PRIORITY, raiseToRealTime } from '../../hil/rig/priority.js';
import type { RigPaths } from '../../hil/rig/paths.js';
import { projectRoot } from '../../kernel/project-root.js';
import { loadAnyBoardFile } from '../board.js';
import type { HardwareBoard } from '../board.js';
import { ConsoleError, EXIT_OK, EXIT_UNAVAILABLE, UsageError } from './errors.js';
import { asUsageError, parseInteger } from './options.js';
import type { CliIo } from './simulate.js';

/** --exit-when-idle bounds, seconds. */
const MAX_IDLE_S = 86_400;
const IDLE_CHECK_MS = 250;

export interface RigFlags {
  board: string;
  trace?: string;
  exitWhenIdle?: string;
  stop?: boolean;
}

/** The rig board in `file`; a usage error for any other board. */
export function loadRigBoard(file: string): HardwareBoard {
  let board;
  try {
    board = loadAnyBoardFile(file);
  } catch (err) {
    throw asUsageError(err);
  }
  if (board.backend !== 'hardware' || board.rig === null) throw new UsageError(`--board: ${file} is not an emulated rig board (it has no "rig" section)`);
  return board;
}

/** Removes device links a killed rig left behind (only symlinks: never a real device or file). */
function removeStaleLinks(paths: RigPaths): void {
  for (const path of [paths.uno, paths.frontend, paths.control]) {
    try {
      const stat = lstatSync(path);
      if (stat.isSymbolicLink() || stat.isSocket()) rmSync(path);
    } catch {
      // Absent: nothing to remove.
    }
  }
}

export async function runRig(flags: RigFlags, io: CliIo): Promise<number> {
  const board = loadRigBoard(flags.board);
  const paths = rigPaths(board);
  if (flags.stop === true) {
    const pid = await stopRig(paths);
    io.stdout(pid === null ? `no rig runs for ${paths.uno}\n` : `stopped the rig for ${paths.uno} (pid ${pid})\n`);
    return EXIT_OK;
  }
  const idleS = flags.exitWhenIdle === undefined ? null : parseInteger('--exit-when-idle', flags.exitWhenIdle, 1, MAX_IDLE_S);
  const other = runningRigPid(paths);
  if (other !== null) throw new ConsoleError(`a rig already runs for ${paths.uno} (pid ${other}): stop it with cryo rig --board ${flags.board} --stop`, EXIT_UNAVAILABLE);
  mkdirSync(paths.dir, { recursive: true });
  removeStaleLinks(paths);
  writeFileSync(paths.pid, `${process.pid}\n`);
  // The rig stands in for two other processors, which no load on the host slows down: real-time
  // scheduling (hil/rig/priority.ts); its socat relays raise themselves one level higher.
  const priority = raiseToRealTime(process.pid, RIG_RR_PRIORITY);
  if (priority.granted !== 'realtime') io.stderr(`rig: running at ${priority.why}: a loaded host may delay the emulated devices\n`);
  let stopWaiting: (why: string) => void = () => undefined;
  const stopped = new Promise<string>((resolveStop) => {
    stopWaiting = resolveStop;
  });
  const onSignal = (signal: NodeJS.Signals): void => {
    stopWaiting(signal);
  };
  const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);
  // Loaded here, not at the top: the emulator (avr8js) and the serial libraries are for the rig
  // only; every other command, simulate first, starts without them (issue 8).
  const [{ startRigDevice }, { serveControl }] = await Promise.all([import('../../hil/rig/device.js'), import('../../hil/rig/control.js')]);
  try {
    const device = await startRigDevice({
      board,
      paths,
      seed: board.rig?.seed ?? 1,
      tracePath: flags.trace === undefined ? undefined : resolve(flags.trace),
      log: (line) => {
        io.stderr(`${line}\n`);
      },
    });
    try {
      const control = await serveControl(device, paths.control);
      let idleSinceMs = performance.now();
      const idleCheck = setInterval(() => {
        if (device.hostConnected()) idleSinceMs = performance.now();
        else if (idleS !== null && performance.now() - idleSinceMs >= idleS * 1000) stopWaiting(`no host for ${idleS} s`);
      }, IDLE_CHECK_MS);
      io.stdout(`${JSON.stringify({ ready: true, pid: process.pid, uno: paths.uno, frontend: paths.frontend, control: paths.control, trace: device.tracePath })}\n`);
      const why = await stopped;
      clearInterval(idleCheck);
      io.stderr(`rig: stopping (${why})\n`);
      await control.close();
    } finally {
      await device.close();
    }
  } finally {
    for (const s of signals) process.off(s, onSignal);
    rmSync(paths.pid, { force: true });
    rmSync(paths.control, { force: true });
  }
  return EXIT_OK;
}

/** How to run this `cryo` again as another process: the built CLI, or the sources through tsx. */
export function cryoCommand(args: readonly string[]): { command: string; args: string[] } {
  const self = fileURLToPath(import.meta.url);
  const fromSource = self.endsWith('.ts');
  const main = join(dirname(self), fromSource ? 'main.ts' : 'main.js');
  return { command: process.execPath, args: [...(fromSource ? ['--import', 'tsx'] : []), main, ...args] };
}

/**
 * Starts `cryo rig` on `boardFile` as a process of its own, detached (its own session and process
 * group), so that it outlives the console that started it, even a console killed with SIGKILL, as
 * a real board outlives its host. It exits after the board's `rig.exitWhenIdleS` with no host.
 */
export function launchRigProcess(boardFile: string, board: HardwareBoard): void {
  const paths = rigPaths(board);
  mkdirSync(paths.dir, { recursive: true });
  const idleS = board.rig?.exitWhenIdleS ?? MAX_IDLE_S;
  const { command, args } = cryoCommand(['rig', '--board', resolve(boardFile), '--exit-when-idle', String(idleS)]);
  const log = openSync(paths.log, 'a');
  try {
    // From the project root: `--import tsx` (sources) resolves there.
    const child = spawn(command, args, { detached: true, stdio: ['ignore', log, log], cwd: projectRoot() });
    child.unref();
  } finally {
    closeSync(log);
  }
}

export function registerRig(program: Command, io: CliIo, setResult: (code: number) => void): void {
  program
    .command('rig')
    .description('run the emulated board (plant, emulated Uno, front-end emulator) as its own device on two pseudo-terminals')
    .requiredOption('--board <file>', 'an emulated rig board file (boards/uno-emulated.json)')
    .option('--trace <file>', "append the physical trace (JSON lines) here instead of the rig's directory")
    .option('--exit-when-idle <s>', `exit after this many seconds with no host on either device (1-${MAX_IDLE_S})`)
    .option('--stop', 'stop the rig running for this board and exit')
    .action(async (flags: RigFlags) => {
      setResult(await runRig(flags, io));
    });
}
