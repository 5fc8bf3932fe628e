// A real pseudo-terminal pair made by socat (shared/domain.md section 9): the emulator opens one
// end, the host opens the other as an ordinary serial port. Killing socat is an unplug.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** socat creates both links within a few ms; 3 s allows a loaded CI machine. */
export const PTY_LINK_TIMEOUT_MS = 3_000;
const PTY_POLL_MS = 10;
/** socat's stderr kept for error messages; bounded. */
const MAX_STDERR_CHARS = 4_000;

export interface PtyPair {
  /** The end the emulated device opens. */
  readonly devicePath: string;
  /** The end the host opens. */
  readonly hostPath: string;
  /** True once socat has exited (unplugged or closed). */
  readonly exited: boolean;
  /** Kill socat: both ends go away, as when the cable is pulled. */
  unplug(): Promise<void>;
  /** Unplug and remove the temporary directory. Idempotent. */
  close(): Promise<void>;
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => { resolve(); }));
}

/** Start socat and wait for both links. Rejects (after killing socat) if they never appear. */
export async function openPtyPair(socatPath = 'socat'): Promise<PtyPair> {
  const dir = await mkdtemp(join(tmpdir(), 'cryo-pty-'));
  const devicePath = join(dir, 'device');
  const hostPath = join(dir, 'host');
  const child = spawn(socatPath, ['-d', '-d', `pty,raw,echo=0,link=${devicePath}`, `pty,raw,echo=0,link=${hostPath}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => { stderr = (stderr + text).slice(-MAX_STDERR_CHARS); });
  const spawnFailure: { error: Error | null } = { error: null };
  child.once('error', (error) => { spawnFailure.error = error; });
  const unplug = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await waitForExit(child);
  };
  const deadline = Date.now() + PTY_LINK_TIMEOUT_MS;
  while (!(existsSync(devicePath) && existsSync(hostPath))) {
    const spawnError = spawnFailure.error;
    if (spawnError !== null || child.exitCode !== null || Date.now() > deadline) {
      if (spawnError === null) await unplug();
      await rm(dir, { recursive: true, force: true });
      const why = spawnError === null ? `exit code ${child.exitCode ?? 'none'}` : spawnError.message;
      throw new Error(`pty pair: socat did not create ${devicePath} and ${hostPath} within ${PTY_LINK_TIMEOUT_MS} ms (${why}); is socat installed? ${stderr.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, PTY_POLL_MS));
  }
  let closed = false;
  return {
    devicePath,
    hostPath,
    get exited() { return child.exitCode !== null || child.signalCode !== null; },
    unplug,
    async close() {
      if (closed) return;
      closed = true;
      await unplug();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
