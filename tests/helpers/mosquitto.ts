// A real Mosquitto broker for the telemetry's end-to-end tests (issue 10): Debian's package
// (npm test brings it, hil/prerequisites.ts), started on a free port of 127.0.0.1 with a config of
// its own in a temporary folder (never the package's service or its port 1883), stopped and
// removed after. Optionally with a password file (mosquitto_passwd) so credentials are required.
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** How long a broker may take to accept connections after it is started. */
export const MOSQUITTO_START_MS = 10_000;
const POLL_MS = 50;

export interface MosquittoOptions {
  /** Require this user and password (no anonymous clients). */
  readonly credentials?: { readonly username: string; readonly password: string };
  /** Reuse a port (a broker restarted mid-test must come back where the client looks). */
  readonly port?: number;
}

export interface Mosquitto {
  readonly port: number;
  readonly url: string;
  /** Stops the broker (SIGTERM, then SIGKILL) and waits for it to exit; the folder stays until dispose. */
  stop(): Promise<void>;
  /** Stops the broker and removes its folder. */
  dispose(): Promise<void>;
  /** What the broker wrote to stderr and stdout (its log). */
  log(): string;
}

/** A port of 127.0.0.1 free at the moment of asking. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else
      child.once('exit', () => {
        resolve();
      });
  });
}

export async function startMosquitto(options: MosquittoOptions = {}): Promise<Mosquitto> {
  const dir = mkdtempSync(join(tmpdir(), 'cryo-mosquitto-'));
  const port = options.port ?? (await freeLoopbackPort());
  const lines = [`listener ${port} 127.0.0.1`, 'persistence false', 'log_dest stderr', 'log_type error', 'log_type warning', 'log_type notice'];
  // Started as root, Mosquitto drops to the user 'mosquitto', which cannot read this private
  // folder (the test run's temp root is 0700): stay the user that started it.
  if (process.getuid?.() === 0) lines.push('user root');
  if (options.credentials === undefined) {
    lines.push('allow_anonymous true');
  } else {
    const passwords = join(dir, 'passwords');
    writeFileSync(passwords, '');
    execFileSync('mosquitto_passwd', ['-b', passwords, options.credentials.username, options.credentials.password], { stdio: 'ignore' });
    lines.push('allow_anonymous false', `password_file ${passwords}`);
  }
  const config = join(dir, 'mosquitto.conf');
  writeFileSync(config, `${lines.join('\n')}\n`);
  let output = '';
  let child: ChildProcess | null = null;
  const launch = (): ChildProcess => {
    const c = spawn('mosquitto', ['-c', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    c.stdout.on('data', (d: Buffer) => (output += d.toString()));
    c.stderr.on('data', (d: Buffer) => (output += d.toString()));
    return c;
  };
  child = launch();
  const started = performance.now();
  while (!(await accepts(port))) {
    if (child.exitCode !== null) throw new Error(`mosquitto exited with code ${child.exitCode} before accepting on 127.0.0.1:${port}: ${output.trim()}`);
    if (performance.now() - started > MOSQUITTO_START_MS) throw new Error(`mosquitto did not accept on 127.0.0.1:${port} within ${MOSQUITTO_START_MS} ms: ${output.trim()}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  const stop = async (): Promise<void> => {
    const c = child;
    if (c === null) return;
    child = null;
    c.kill('SIGTERM');
    const kill = setTimeout(() => c.kill('SIGKILL'), 2_000);
    await exited(c);
    clearTimeout(kill);
  };
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    stop,
    dispose: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
    log: () => output,
  };
}
