// The real, built `cryo` (dist/src/cli/main.js, as npm test builds it) as a child process, for
// tests that drive it from outside: its log (pino lines on stderr), its stdout, its exit, and
// waits that fail naming what was awaited with the tail of the process's log.
import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Readable, Writable } from 'node:stream';

export const BUILT_CLI = 'dist/src/cli/main.js';
/** Lines of the log a failed wait quotes, each cut to this many characters. */
const TAIL_LINES = 25;
const TAIL_LINE_CHARS = 400;
const POLL_MS = 10;
/** A console given SIGTERM puts its outputs in the safe state and exits; past this it is killed. */
const STOP_GRACE_MS = 10_000;

export interface CryoExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface CryoProcess {
  readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  /** Everything written to stderr so far (the log). */
  log(): string;
  stdout(): string;
  /** The last lines of the log, for failure messages. */
  tail(): string;
  readonly exited: Promise<CryoExit>;
  /** Resolves `step` or fails naming `what`, with the log's tail. */
  step<T>(what: string, step: Promise<T>): Promise<T>;
  /** Polls `check` until it gives a value, or fails after `timeoutMs` naming `what`. */
  waitFor<T>(what: string, check: () => T | undefined, timeoutMs: number): Promise<T>;
  /** Resolves once 127.0.0.1:`port` accepts a connection, or fails after `timeoutMs`. */
  listening(port: number, timeoutMs: number): Promise<void>;
  /** Resolves at the process's exit, or fails after `timeoutMs` naming `what`. */
  exitWithin(what: string, timeoutMs: number): Promise<CryoExit>;
  /** SIGTERM (SIGKILL after a grace period) unless it has exited already; resolves at its exit. */
  stop(): Promise<CryoExit>;
}

/** Starts `node dist/src/cli/main.js ...args` with `env`; refuses when the build is missing. */
export function spawnCryo(args: readonly string[], env: NodeJS.ProcessEnv): CryoProcess {
  if (!existsSync(BUILT_CLI)) throw new Error(`${BUILT_CLI} is missing: npm run build first (the test runs the built program)`);
  const child = spawn(process.execPath, [BUILT_CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  let done: CryoExit | null = null;
  const exited = new Promise<CryoExit>((resolve) =>
    child.on('exit', (code, signal) => {
      done = { code, signal };
      resolve(done);
    }),
  );
  const tail = (): string =>
    stderr
      .trimEnd()
      .split('\n')
      .slice(-TAIL_LINES)
      .map((l) => l.slice(0, TAIL_LINE_CHARS))
      .join('\n');
  const fail = (what: string, why: string): Error => new Error(`${why} waiting for ${what}; cryo ${args.join(' ')}: log tail:\n${tail()}`);
  return {
    child,
    log: () => stderr,
    stdout: () => stdout,
    tail,
    exited,
    async step<T>(what: string, step: Promise<T>): Promise<T> {
      try {
        return await step;
      } catch (err) {
        throw fail(what, (err as Error).message.split('\n')[0] ?? 'failed');
      }
    },
    waitFor<T>(what: string, check: () => T | undefined, timeoutMs: number): Promise<T> {
      const deadline = Date.now() + timeoutMs;
      return new Promise((resolve, reject) => {
        const poll = (): void => {
          const value = check();
          if (value !== undefined) resolve(value);
          else if (Date.now() > deadline) reject(fail(what, `timed out after ${timeoutMs} ms`));
          else setTimeout(poll, POLL_MS);
        };
        poll();
      });
    },
    async listening(port: number, timeoutMs: number): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!(await accepts(port))) {
        if (done !== null) throw fail(`127.0.0.1:${port} to accept connections`, `the process exited (${JSON.stringify(done)})`);
        if (Date.now() > deadline) throw fail(`127.0.0.1:${port} to accept connections`, `timed out after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    },
    exitWithin(what: string, timeoutMs: number): Promise<CryoExit> {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(fail(what, `timed out after ${timeoutMs} ms`));
        }, timeoutMs);
      });
      return Promise.race([exited, late]).finally(() => {
        clearTimeout(timer);
      });
    },
    async stop(): Promise<CryoExit> {
      if (done !== null) return done;
      // A test that failed while the process was stopped (SIGSTOP) must not wait on it forever.
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      try {
        return await exited;
      } finally {
        clearTimeout(killer);
      }
    },
  };
}

/**
 * A loopback port free a moment ago, for a run whose log does not print its URL (`--json` keeps
 * the log to warnings). Another process could take it in between: the run then fails to serve
 * and says so in its log, which the waiting test quotes.
 */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  return port;
}

/** One connection attempt to 127.0.0.1:`port`, closed at once. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
