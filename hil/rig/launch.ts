// Finding, waiting for and stopping a rig from another process (the console, a test, `cryo rig
// --stop`). A rig is running when its pid file names a live process and its control socket answers.

import { existsSync, readFileSync } from 'node:fs';
import { RigClient } from './control.js';
import type { RigPaths } from './paths.js';

/** A rig starts (firmware load, two devices) within a few seconds; a loaded machine takes longer. */
export const RIG_START_TIMEOUT_MS = 30_000;
/** A rig asked to stop closes its devices within a second. */
export const RIG_STOP_TIMEOUT_MS = 5_000;
const POLL_MS = 50;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid of the rig serving `paths`, or null when no live process holds its pid file. */
export function runningRigPid(paths: RigPaths): number | null {
  if (!existsSync(paths.pid)) return null;
  const pid = Number(readFileSync(paths.pid, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : null;
}

/**
 * Connects to the rig at `paths`. When none runs and `launch` is given, calls it once (it starts
 * a rig process) and waits for that rig's control socket; rejects naming the rig log otherwise.
 */
export async function connectRig(paths: RigPaths, launch: (() => void) | null, timeoutMs = RIG_START_TIMEOUT_MS): Promise<RigClient> {
  const deadline = performance.now() + timeoutMs;
  let launched = false;
  for (;;) {
    const pid = runningRigPid(paths);
    if (pid !== null) {
      try {
        return await RigClient.connect(paths.control);
      } catch {
        // Started but not listening yet.
      }
    } else if (launch !== null && !launched) {
      launched = true;
      launch();
    } else if (launch === null) {
      throw new Error(`no rig runs for ${paths.uno}: start one with cryo rig --board <board file>`);
    }
    if (performance.now() > deadline) throw new Error(`the rig for ${paths.uno} did not answer within ${timeoutMs / 1000} s (see ${paths.log})`);
    await sleep(POLL_MS);
  }
}

/** Stops the rig at `paths` (SIGTERM, then SIGKILL); resolves to its pid, or null if none ran. */
export async function stopRig(paths: RigPaths, timeoutMs = RIG_STOP_TIMEOUT_MS): Promise<number | null> {
  const pid = runningRigPid(paths);
  if (pid === null) return null;
  process.kill(pid, 'SIGTERM');
  const deadline = performance.now() + timeoutMs;
  while (alive(pid)) {
    if (performance.now() > deadline) {
      killGroupOrProcess(pid);
      break;
    }
    await sleep(POLL_MS);
  }
  return pid;
}

/** A rig started by `cryo run` leads its own process group (its socat children are in it). */
function killGroupOrProcess(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    process.kill(pid, 'SIGKILL');
  }
}
