// One `cryo run` of the console benchmark (bench/console.ts): the real CLI on the simulated board
// at speed 1, its log read line by line, /proc sampled for its memory and CPU, WebSocket clients
// on its page (or on the bench's server on the loop's thread), and an optional CPU hog process.
// Every child is killed on every way out (ChildSet).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { WebSocket } from 'ws';
import { CRYO_NODE_FLAGS } from '../src/cli/node-flags.js';
import { startBenchBroker } from './console-broker.js';
import { cpuPercentOfCore, emptyRunLog, parseProcStatCpuTicks, parseProcStatus, readLogLine } from './console-figures.js';
import type { LoopTimingLine } from './console-figures.js';

/** /proc is read this often while a run goes (memory mean and peak, CPU). */
const SAMPLE_EVERY_MS = 250;
/** A run that has not ended by then (it never started its loop, say) is stopped. */
const RUN_TIMEOUT_MS = 120_000;
/** After SIGTERM, a child still there this much later is killed. */
const KILL_GRACE_MS = 5_000;
const KB_PER_MB = 1024;

/** The bench's children and temp directories; every exit path of the bench ends the children
 * and removes the directories (ChildSet.install: also on Ctrl-C, which skips finally blocks). */
export class ChildSet {
  readonly #children = new Set<ChildProcess>();
  readonly #dirs = new Set<string>();
  readonly #onExit = (): void => {
    this.killAll('SIGKILL');
    for (const dir of this.#dirs) rmSync(dir, { recursive: true, force: true });
  };
  readonly #onSignal = (): void => {
    this.killAll('SIGTERM');
    process.exit(130);
  };

  install(): void {
    process.on('exit', this.#onExit);
    process.once('SIGINT', this.#onSignal);
    process.once('SIGTERM', this.#onSignal);
  }

  dispose(): void {
    this.#onExit();
    process.off('exit', this.#onExit);
    process.off('SIGINT', this.#onSignal);
    process.off('SIGTERM', this.#onSignal);
  }

  add(child: ChildProcess): ChildProcess {
    this.#children.add(child);
    child.once('exit', () => this.#children.delete(child));
    return child;
  }

  /** A temp directory of the bench's, removed now or on the bench's exit. */
  tempDir(): { path: string; remove: () => void } {
    const path = mkdtempSync(join(tmpdir(), 'cryo-bench-console-'));
    this.#dirs.add(path);
    return {
      path,
      remove: () => {
        rmSync(path, { recursive: true, force: true });
        this.#dirs.delete(path);
      },
    };
  }

  killAll(signal: NodeJS.Signals): void {
    for (const child of this.#children) if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  }
}

export interface VariantSpec {
  readonly name: string;
  /** Extra `cryo run` flags: `--no-web` or `--listen 127.0.0.1:0`. */
  readonly flags: readonly string[];
  /** CRYO_BENCH_LOAD for the preload (bench/console-load.ts); null: no preload. */
  readonly load: 'worker' | 'main' | null;
  readonly clients: number;
  readonly hog: boolean;
  /** Telemetry to an MQTT broker in the bench's process (`--mqtt`, bench/console-broker.ts). */
  readonly broker?: boolean;
}

export interface ClientFigures {
  connected: number;
  errors: number;
  messagesPerClientPerS: number;
  kBPerClientPerS: number;
}

export interface VariantFigures {
  name: string;
  timing: LoopTimingLine | null;
  trips: string[];
  safeToWithdraw: boolean;
  exitCode: number | null;
  wallS: number;
  /** CPU of the whole cryo process (all threads), from the loop's first tick to its stop. */
  cpuPercentOfCore: number;
  rssMeanMb: number;
  rssPeakMb: number;
  clients: ClientFigures | null;
  hogNice: number | null;
  /** Non-JSON stderr lines (a crash), if any. */
  otherLines: string[];
}

export interface RunContext {
  readonly children: ChildSet;
  /** Every run is stopped by SIGTERM this long after its loop's first tick, so every variant runs
   * for the same time whatever its course (a trip ends a freeze early). */
  readonly runMs: number;
  /** The `cryo run` protocol flags (--cycles, --freeze-s, --thaw-s). */
  readonly protocol: readonly string[];
  readonly clockTicksPerS: number;
  readonly distDir: string;
}

interface Sample { atMs: number; rssKb: number; hwmKb: number; cpuTicks: number }

function sample(pid: number): Sample | null {
  try {
    const status = parseProcStatus(readFileSync(`/proc/${pid}/status`, 'utf8'));
    const cpuTicks = parseProcStatCpuTicks(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    return status === null || cpuTicks === null ? null : { atMs: performance.now(), ...status, cpuTicks };
  } catch {
    return null; // the process has just exited
  }
}

interface ClientPool { sockets: WebSocket[]; connected: number; errors: number; messages: number; bytes: number; sinceMs: number }

/** `count` clients on the page's socket from 127.0.0.1, with the page's own Origin as a browser
 * sends it; each parses every message, as the page does. */
function connectClients(pageUrl: string, count: number): ClientPool {
  const pool: ClientPool = { sockets: [], connected: 0, errors: 0, messages: 0, bytes: 0, sinceMs: performance.now() };
  const socketUrl = new URL('/ws', pageUrl);
  socketUrl.protocol = 'ws:';
  for (let i = 0; i < count; i++) {
    const ws = new WebSocket(socketUrl, { origin: new URL(pageUrl).origin });
    ws.on('open', () => { pool.connected += 1; });
    ws.on('message', (data: Buffer) => {
      pool.messages += 1;
      pool.bytes += data.length;
      JSON.parse(data.toString('utf8'));
    });
    ws.on('error', () => { pool.errors += 1; });
    pool.sockets.push(ws);
  }
  return pool;
}

function clientFigures(pool: ClientPool): ClientFigures {
  const seconds = (performance.now() - pool.sinceMs) / 1000;
  const perClient = Math.max(pool.sockets.length, 1) * seconds;
  for (const ws of pool.sockets) ws.terminate();
  return {
    connected: pool.connected,
    errors: pool.errors,
    messagesPerClientPerS: Math.round((pool.messages / perClient) * 10) / 10,
    kBPerClientPerS: Math.round((pool.bytes / 1024 / perClient) * 10) / 10,
  };
}

function startHog(children: ChildSet): ChildProcess {
  // A busy loop in a process of its own, at the bench's own nice value (0 unless the bench is niced).
  return children.add(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
}

/** Runs `cryo run` once as `spec` says and returns its figures. */
export async function runVariant(spec: VariantSpec, ctx: RunContext): Promise<VariantFigures> {
  const dataDir = ctx.children.tempDir();
  const hog = spec.hog ? startHog(ctx.children) : null;
  const broker = spec.broker === true ? await startBenchBroker() : null;
  try {
    const preload = spec.load === null ? [] : ['--import', join(ctx.distDir, 'bench', 'console-load.js')];
    // Node's flags as `cryo` (its shebang) and `npm start` give them: the heap's sizing is part of the figures.
    const args = [...CRYO_NODE_FLAGS, ...preload, join(ctx.distDir, 'src', 'cli', 'main.js'), 'run', '--board', join(ctx.distDir, '..', 'boards', 'sim.json'), '--auto-start', ...ctx.protocol, ...spec.flags, ...(broker === null ? [] : ['--mqtt', broker.url])];
    const env: NodeJS.ProcessEnv = { ...process.env, CRYO_DATA_DIR: dataDir.path };
    if (spec.load !== null) env.CRYO_BENCH_LOAD = spec.load;
    else delete env.CRYO_BENCH_LOAD;
    const startedMs = performance.now();
    const cryo = ctx.children.add(spawn(process.execPath, args, { env, cwd: join(ctx.distDir, '..'), stdio: ['ignore', 'ignore', 'pipe'] }));
    const figures = await watchRun(spec, ctx, cryo, startedMs, hog);
    // A load lighter than the one named would make every figure of the run a flattering one.
    if (figures.clients !== null && figures.clients.connected < spec.clients) {
      throw new Error(`bench console ${spec.name}: only ${figures.clients.connected} of ${spec.clients} WebSocket clients connected (${figures.clients.errors} errors): the load is not the one measured`);
    }
    // Telemetry that never reached the broker would measure a console without it.
    if (broker !== null && (broker.published.get('NBIRTH') ?? 0) === 0) {
      throw new Error(`bench console ${spec.name}: the console's telemetry never reached the bench's broker (published: ${JSON.stringify(Object.fromEntries(broker.published))})`);
    }
    return figures;
  } finally {
    ctx.children.killAll('SIGKILL');
    dataDir.remove();
    await broker?.close();
  }
}

async function watchRun(spec: VariantSpec, ctx: RunContext, cryo: ChildProcess, startedMs: number, hog: ChildProcess | null): Promise<VariantFigures> {
  const pid = cryo.pid;
  if (pid === undefined) throw new Error(`bench console ${spec.name}: cryo run did not start`);
  const log = emptyRunLog();
  const samples: Sample[] = [];
  let window: { from: Sample | null; to: Sample | null } = { from: null, to: null };
  let pool: ClientPool | null = null;
  let clients: ClientFigures | null = null;
  const sampler = setInterval(() => {
    const s = sample(pid);
    if (s !== null) samples.push(s);
  }, SAMPLE_EVERY_MS);
  const exited = new Promise<number | null>((resolve) => cryo.once('exit', (code) => { resolve(code); }));
  const timeout = setTimeout(() => {
    cryo.kill('SIGTERM');
    setTimeout(() => cryo.kill('SIGKILL'), KILL_GRACE_MS).unref();
  }, RUN_TIMEOUT_MS);
  if (cryo.stderr === null) throw new Error(`bench console ${spec.name}: cryo run has no stderr pipe`);
  const lines = createInterface({ input: cryo.stderr });
  lines.on('line', (line) => {
    const hadUrl = log.url !== null;
    const hadTiming = log.timing !== null;
    readLogLine(log, line);
    if (window.from === null && line.includes('"event":"input"')) {
      window = { ...window, from: sample(pid) };
      // SIGTERM: the console puts its outputs safe, stops its loop and logs its timing (and in
      // variant B the bench's server closes: bench/console-load.ts).
      setTimeout(() => cryo.kill('SIGTERM'), ctx.runMs).unref();
    }
    if (window.to === null && line.includes('console stopped')) window = { ...window, to: sample(pid) ?? samples.at(-1) ?? null };
    if (!hadUrl && log.url !== null && spec.clients > 0) pool = connectClients(log.url, spec.clients);
    if (!hadTiming && log.timing !== null && pool !== null) clients = clientFigures(pool);
  });
  const exitCode = await exited;
  clearInterval(sampler);
  clearTimeout(timeout);
  const hogNice = hog?.pid === undefined ? null : getPriority(hog.pid);
  const { from, to } = window;
  const inRun = samples.filter((s) => from !== null && to !== null && s.atMs >= from.atMs && s.atMs <= to.atMs);
  const rssMeanKb = inRun.length === 0 ? Number.NaN : inRun.reduce((sum, s) => sum + s.rssKb, 0) / inRun.length;
  const rssPeakKb = Math.max(...samples.map((s) => s.hwmKb), to?.hwmKb ?? 0);
  return {
    name: spec.name,
    timing: log.timing,
    trips: log.trips,
    safeToWithdraw: log.safeToWithdraw,
    exitCode,
    wallS: Math.round((performance.now() - startedMs) / 100) / 10,
    cpuPercentOfCore: from === null || to === null ? Number.NaN : round1(cpuPercentOfCore(to.cpuTicks - from.cpuTicks, ctx.clockTicksPerS, to.atMs - from.atMs)),
    rssMeanMb: round1(rssMeanKb / KB_PER_MB),
    rssPeakMb: round1(rssPeakKb / KB_PER_MB),
    clients,
    hogNice,
    otherLines: log.otherLines,
  };
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
