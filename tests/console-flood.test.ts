// One client's flood of tiny frames against the built console worker (issue 9, review 9b), in real
// time: the worker must keep acknowledging snapshots well within console.lostMs (else the loop
// declares CONSOLE_LOST and stops a freeze), the kiosk's STOP must get through, the flooding
// connections must be closed (1008) rather than read and answered frame by frame, and the flood
// must not become work on the thread that started the worker (the control loop's, in `cryo run`):
// the worker logs straight to fd 2, never through its process.stderr, which Node carries through
// the starting thread. Bounds are generous fractions of console.lostMs, for a loaded machine.
// Traffic stays on 127.0.0.0/8.
import { existsSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { FromConsole, ToConsole } from '../src/console/protocol.js';
import { FLOOD_CLOSE_GRACE_MS } from '../src/console/server/index.js';
import { DEFAULT_SETTINGS } from '../src/controller/settings.js';
import { idleSnapshot } from './helpers/fake-console.js';
import { tempDirMaker } from './helpers/temp.js';
import { connect } from './helpers/ws-client.js';

const WORKER = new URL('../dist/src/console/worker.js', import.meta.url);
const newDataDir = tempDirMaker('console-flood-');
const UPGRADE_HEADERS = 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n';
/** The flooder, in a thread of its own (not this one, whose event-loop delay is measured): each
 * socket upgrades, then writes masked `{}` text frames as fast as the socket takes them. It
 * reports each socket's close code from the server (a close frame: 0x88, length, code) and
 * whether the server cut the socket before the flood's end. */
const FLOODER = `
const { workerData, parentPort } = require('node:worker_threads');
const net = require('node:net');
const one = Buffer.from([0x81, 0x82, 0, 0, 0, 0, 0x7b, 0x7d]);
const chunk = Buffer.concat(Array.from({ length: 4096 }, () => one));
let up = 0;
const start = Date.now();
const until = start + workerData.floodMs;
for (let i = 0; i < workerData.sockets; i++) {
  let closeCode = null;
  let seen = Buffer.alloc(0);
  const s = net.connect(workerData.port, '127.0.0.1', () => s.write(workerData.upgrade));
  s.on('error', () => {});
  s.once('data', () => {
    if (++up === workerData.sockets) parentPort.postMessage({ kind: 'flooding' });
    s.on('data', (d) => {
      if (closeCode !== null) return;
      seen = Buffer.concat([seen, d]).subarray(-4096);
      for (let j = 0; j + 3 < seen.length; j++) {
        if (seen[j] === 0x88 && seen[j + 1] >= 2 && seen[j + 1] < 126) { closeCode = seen.readUInt16BE(j + 2); break; }
      }
    });
    const pump = () => { while (Date.now() < until && !s.destroyed && s.write(chunk)) {} if (Date.now() < until && !s.destroyed) s.once('drain', pump); else s.destroy(); };
    pump();
  });
  s.on('close', () => parentPort.postMessage({ kind: 'closed', closeCode, afterMs: Date.now() - start, cutByServer: Date.now() < until }));
}
`;
const LOST_MS = DEFAULT_SETTINGS.console.lostMs;
const FLOOD_SOCKETS = 4;
const FLOOD_MS = 5_000;
/** Every bound below: well inside console.lostMs, far above a quiet machine's figures. */
const BOUND_MS = LOST_MS / 2;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function until(done: () => boolean, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!done() && Date.now() - started < timeoutMs) await new Promise((resolve) => setTimeout(resolve, 2));
  return Date.now() - started;
}

describe("one client's flood of tiny frames", () => {
  it('is closed with 1008, while acks, the kiosk STOP and the starting thread stay prompt', async () => {
    if (!existsSync(WORKER)) throw new Error('run npm run build');
    // stderr: true makes the worker's process.stderr a stream read here, to check nothing uses it.
    const worker = new Worker(WORKER, { workerData: { host: '127.0.0.1', port: 0, dataDir: newDataDir() }, stdout: true, stderr: true });
    let stderrBytes = 0;
    worker.stderr.on('data', (d: Buffer) => (stderrBytes += d.length));
    worker.stdout.resume();
    const messages: FromConsole[] = [];
    const exits: number[] = [];
    worker.on('message', (m: FromConsole) => messages.push(m));
    worker.on('exit', (code) => exits.push(code));
    cleanups.push(async () => {
      await worker.terminate();
    });
    await until(() => messages.some((m) => m.kind === 'ready'), 5_000);
    const ready = messages.find((m) => m.kind === 'ready');
    if (ready?.kind !== 'ready') throw new Error('the worker never said ready');
    const port = Number(new URL(ready.url).port);

    // The kiosk, connected before the flood, on its own loopback address.
    const kiosk = await connect(ready.url, { localAddress: '127.0.0.2' });
    cleanups.push(async () => {
      await kiosk.close();
    });
    await kiosk.next('access');
    const flooder = new Worker(FLOODER, {
      eval: true,
      workerData: { port, floodMs: FLOOD_MS, sockets: FLOOD_SOCKETS, upgrade: `GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\n${UPGRADE_HEADERS}\r\n` },
    });
    const closes: { closeCode: number | null; afterMs: number; cutByServer: boolean }[] = [];
    flooder.on('message', (m: { kind: string; closeCode: number | null; afterMs: number; cutByServer: boolean }) => {
      if (m.kind === 'closed') closes.push(m);
    });
    cleanups.push(async () => {
      await flooder.terminate();
    });
    await new Promise((resolve) => flooder.once('message', resolve));
    const lag = monitorEventLoopDelay({ resolution: 5 });
    lag.enable();
    const floodEnd = Date.now() + FLOOD_MS;
    let seq = 1;
    const ackLatencies: number[] = [];
    let stopLatencyMs = Number.POSITIVE_INFINITY;
    while (Date.now() < floodEnd) {
      const s = seq++;
      worker.postMessage({ kind: 'snapshot', snapshot: idleSnapshot({ seq: s }) } satisfies ToConsole);
      ackLatencies.push(await until(() => messages.some((m) => m.kind === 'ack' && m.seq === s), LOST_MS + 1_000));
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (s === 2) {
        kiosk.send({ type: 'stop' });
        stopLatencyMs = await until(() => messages.some((m) => m.kind === 'command' && m.command.type === 'stop'), LOST_MS + 1_000);
      }
    }
    await until(() => closes.length === FLOOD_SOCKETS, 1_000);
    lag.disable();
    const lagMaxMs = lag.max / 1e6;
    console.log(
      `flood: starting thread's event-loop delay max ${lagMaxMs.toFixed(1)} ms p99 ${(lag.percentile(99) / 1e6).toFixed(1)} ms; ` +
        `ack latencies max ${Math.max(...ackLatencies)} ms over ${ackLatencies.length}; kiosk stop after ${stopLatencyMs} ms; ` +
        `flood sockets ${JSON.stringify(closes)}; worker stderr stream ${stderrBytes} bytes`,
    );
    expect(exits).toEqual([]);
    // Acks keep coming: a snapshot every ~100 ms for the whole flood, each acknowledged promptly.
    expect(ackLatencies.length).toBeGreaterThan(FLOOD_MS / 1_000);
    expect(Math.max(...ackLatencies)).toBeLessThan(BOUND_MS);
    expect(stopLatencyMs).toBeLessThan(BOUND_MS);
    expect(lagMaxMs).toBeLessThan(BOUND_MS);
    // Each flooding socket was told why (1008) and cut by the server long before its flood ended.
    expect(closes.map((c) => c.closeCode)).toEqual(Array.from({ length: FLOOD_SOCKETS }, () => 1008));
    expect(closes.every((c) => c.cutByServer && c.afterMs < FLOOD_CLOSE_GRACE_MS + BOUND_MS)).toBe(true);
    // The worker's log never went through the stream carried by this thread.
    expect(stderrBytes).toBe(0);
    // And the kiosk is still served.
    expect((await kiosk.next('accepted')).command).toBe('stop');
    kiosk.send({ type: 'acknowledge' });
    expect((await kiosk.next('accepted')).command).toBe('acknowledge');
  }, 30_000);
});
