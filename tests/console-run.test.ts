// `cryo run` with its console worker (the built program, as npm test builds it): the page's
// server runs in the worker on --listen, snapshots arrive over a WebSocket at least ten a second,
// a start and a stop from a loopback client reach the loop as presses, and the worker is stopped
// when the console exits. Traffic stays on 127.0.0.1. Plus the --listen parsing.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parseListen } from '../src/cli/listen.js';
import { EXIT_INTERRUPTED } from '../src/cli/errors.js';
import type { Snapshot } from '../src/console/protocol.js';
import { SOCKET_PATH } from '../src/console/server/index.js';
import type { ServerMessage } from '../src/console/wire.js';
import { cryo } from './helpers/cli.js';
import { tempDirForFile } from './helpers/temp.js';

const CLI = 'dist/src/cli/main.js';
const env = { ...process.env, CRYO_DATA_DIR: tempDirForFile('cryo-console-run-') };
const WAIT_MS = 15_000;

function waitFor<T>(what: string, check: () => T | undefined, log: () => string = () => ''): Promise<T> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + WAIT_MS;
    const poll = (): void => {
      const value = check();
      if (value !== undefined) resolve(value);
      else if (Date.now() > deadline) reject(new Error(`timed out waiting for ${what}; log:\n${log()}`));
      else setTimeout(poll, 5);
    };
    poll();
  });
}

describe('cryo run serves the console from its worker', () => {
  it('publishes snapshots, takes a start and a stop from a loopback client, and stops the worker on exit', async () => {
    // Speed 1, the real clock: the simulated board stamps its samples at the tick's latched time
    // (kernel/clock.ts LatchedClock), so a loaded machine does not make them look stale.
    const child = spawn(process.execPath, [CLI, 'run', '--board', 'boards/sim.json', '--listen', '127.0.0.1:0'], { stdio: ['pipe', 'pipe', 'pipe'], env });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.resume();
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      const url = await waitFor('the console URL', () => /console page at (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)?.[1]);
      // The wire (src/console/wire.ts): a full snapshot on connect, then changes; rebuilt here.
      const snapshots: Snapshot[] = [];
      const ws = new WebSocket(new URL(SOCKET_PATH, url).href.replace('http:', 'ws:'));
      ws.on('message', (data: Buffer) => {
        const m = JSON.parse(data.toString()) as ServerMessage;
        if (m.kind === 'full') snapshots.push(m.snapshot);
        const last = snapshots.at(-1);
        if (m.kind === 'changes' && last !== undefined) snapshots.push({ ...last, ...m.changes });
      });
      await waitFor('20 snapshots', () => (snapshots.length >= 20 ? true : undefined));
      const first = snapshots[0]!;
      const twentieth = snapshots[19]!;
      expect(twentieth.seq).toBeGreaterThan(first.seq);
      expect(twentieth.atMs).toBeGreaterThan(first.atMs);
      expect(first.loop.rateHz).toBe(50);
      expect(first.limits.cycles).toEqual({ min: 1, max: 5 });

      ws.send(JSON.stringify({ type: 'start', protocol: { cycles: 1, freezeS: 30, thawS: 20 } }));
      const freezing = await waitFor('Freezing', () => snapshots.find((s) => s.phase === 'Freezing'), () => stderr);
      expect(freezing.protocol).toEqual({ cycles: 1, freezeS: 30, thawS: 20 });
      ws.send(JSON.stringify({ type: 'stop' }));
      const stopped = await waitFor('Stopped', () => snapshots.find((s) => s.phase === 'Stopped'));
      expect(stopped.outputs.supplyValveOpen || stopped.outputs.safetyValveOpen).toBe(false);
      ws.close();
    } finally {
      child.kill('SIGTERM');
    }
    // Stopped mid-treatment, before the probe is safe to withdraw: an interrupted treatment.
    expect(await exited).toBe(EXIT_INTERRUPTED);
    expect(stderr).toContain('console stopped: outputs in the safe state');
    expect(stderr).toMatch(/loop timing: tick-start error p50 [\d.]+ ms, p99 [\d.]+ ms, p99\.9 [\d.]+ ms/);
    expect(stderr).not.toContain('console side lost');
  });
});

describe('cryo run with its console address taken', () => {
  it('logs why the page is not served, keeps retrying, and refuses to freeze without it', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    const child = spawn(process.execPath, [CLI, 'run', '--board', 'boards/sim.json', '--listen', `127.0.0.1:${port}`], { stdio: ['pipe', 'pipe', 'pipe'], env });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.resume();
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      await waitFor('the failure', () => (stderr.includes(`console server failed: --listen 127.0.0.1:${port}: listen EADDRINUSE`) ? true : undefined));
      expect(stderr).toMatch(/restarting it in 250 ms/);
      await waitFor('the console ready', () => (stderr.includes('console ready') ? true : undefined));
      child.stdin.write('s');
      await waitFor('the trip', () => (stderr.includes('interlock CONSOLE_LOST') ? true : undefined));
      child.stdin.end('q');
      await exited;
    } finally {
      child.kill('SIGTERM');
      blocker.close();
    }
    expect(stderr).not.toContain('phase Ready -> Freezing');
    expect(stderr).toContain('console stopped: outputs in the safe state');
  });
});

describe('--listen', () => {
  it('reads HOST:PORT, [IPV6]:PORT and localhost, and tells loopback from the rest', () => {
    expect(parseListen('127.0.0.1:8080')).toEqual({ host: '127.0.0.1', port: 8080, loopback: true });
    expect(parseListen('[::1]:9000')).toEqual({ host: '::1', port: 9000, loopback: true });
    expect(parseListen('localhost:0')).toEqual({ host: 'localhost', port: 0, loopback: true });
    expect(parseListen('0.0.0.0:8080')).toEqual({ host: '0.0.0.0', port: 8080, loopback: false });
  });

  it.each([
    ['8080', /'8080' is not HOST:PORT/],
    ['127.0.0.1:70000', /--listen port: '70000' must be a whole number from 0 to 65535/],
    ['127.0.0.1:http', /--listen port: 'http' is not a number/],
    ['example.com:8080', /host 'example.com' must be an IP address or localhost/],
    ['::1:8080', /is not HOST:PORT/],
  ])('refuses %s, naming the option', (text, message) => {
    expect(() => parseListen(text)).toThrow(message);
  });

  it('is refused with --no-web, before anything starts', async () => {
    const r = await cryo(['run', '--no-web', '--listen', '127.0.0.1:8080', '--exit-when-done']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--listen: not with --no-web');
  });
});
