// The console worker (the built program, as npm test builds it) against malformed and hostile
// clients (found by the adversarial review of issue 9): a throw in a client's handler would end
// the worker's thread, which the loop sees as CONSOLE_LOST and answers by stopping a freeze, and
// the same request would do it again after every restart. The worker must answer and live on.
// Traffic stays on 127.0.0.1.
import { existsSync } from 'node:fs';
import { connect as connectTcp } from 'node:net';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { FromConsole, ToConsole } from '../src/console/protocol.js';
import { idleSnapshot } from './helpers/fake-console.js';
import { tempDirMaker } from './helpers/temp.js';

const WORKER = new URL('../dist/src/console/worker.js', import.meta.url);
const newDataDir = tempDirMaker('console-worker-survives-');
const WAIT_MS = 5_000;
const UPGRADE_HEADERS = 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n';

interface Running {
  worker: Worker;
  messages: FromConsole[];
  exits: string[];
}
const running: Running[] = [];
afterEach(async () => {
  for (const { worker, exits } of running.splice(0)) {
    if (exits.length > 0) continue;
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.postMessage({ kind: 'stop' } satisfies ToConsole);
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2_000))]);
    await worker.terminate();
  }
});

async function waitFor<T>(what: string, check: () => T | undefined): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function startWorker(): Promise<Running & { port: number }> {
  if (!existsSync(WORKER)) throw new Error(`${WORKER.pathname} is missing: run npm run build`);
  const worker = new Worker(WORKER, { workerData: { host: '127.0.0.1', port: 0, dataDir: newDataDir() }, stdout: true, stderr: true });
  worker.stdout.resume();
  worker.stderr.resume();
  const run: Running = { worker, messages: [], exits: [] };
  worker.on('message', (m: FromConsole) => run.messages.push(m));
  worker.on('error', (e: Error) => run.exits.push(`error: ${e.message}`));
  worker.on('exit', (code: number) => run.exits.push(`exit ${code}`));
  running.push(run);
  const ready = await waitFor('ready', () => run.messages.find((m) => m.kind === 'ready'));
  return { ...run, port: Number(new URL(ready.url).port) };
}

/** Writes `text`, then `after` once the server's reply starts with `afterReply` (if given);
 * resolves with the reply when the server closes (or after 500 ms). */
function raw(port: number, text: string, then?: { afterReply: string; send: Buffer }): Promise<string> {
  return new Promise((resolve) => {
    const socket = connectTcp(port, '127.0.0.1', () => socket.write(text));
    let reply = '';
    let sent = false;
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(reply);
    };
    const timer = setTimeout(done, 500);
    socket.on('data', (d: Buffer) => {
      reply += d.toString('latin1');
      if (then !== undefined && !sent && reply.includes(then.afterReply)) {
        sent = true;
        socket.write(then.send);
      }
    });
    socket.on('close', done);
    socket.on('error', done);
  });
}

describe('the console worker lives on through malformed clients', () => {
  it('answers odd request targets, resets and bad frames, and still acknowledges snapshots', async () => {
    const { worker, messages, exits, port } = await startWorker();
    worker.postMessage({ kind: 'snapshot', snapshot: idleSnapshot({ seq: 1 }) } satisfies ToConsole);
    await waitFor('ack 1', () => messages.find((m) => m.kind === 'ack' && m.seq === 1));

    expect(await raw(port, 'GET //[ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 /);
    expect(await raw(port, `GET //[ HTTP/1.1\r\nHost: 127.0.0.1\r\n${UPGRADE_HEADERS}\r\n`)).toMatch(/^HTTP\/1\.1 400 /);
    // A handshake refused after the client has reset its connection.
    for (let i = 0; i < 10; i++) {
      await new Promise<void>((resolve) => {
        const socket = connectTcp(port, '127.0.0.1', () => {
          socket.write(`GET /nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\n${UPGRADE_HEADERS}\r\n`);
          socket.resetAndDestroy();
          resolve();
        });
      });
    }
    // An opened socket, then a frame a client must never send (unmasked): ws reports an error.
    const badFrame = Buffer.from([0x81, 0x05, ...Buffer.from('hello')]);
    const upgraded = await raw(port, `GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\n${UPGRADE_HEADERS}\r\n`, { afterReply: '\r\n\r\n', send: badFrame });
    expect(upgraded).toMatch(/^HTTP\/1\.1 101 /);

    worker.postMessage({ kind: 'snapshot', snapshot: idleSnapshot({ seq: 2 }) } satisfies ToConsole);
    await waitFor('ack 2', () => messages.find((m) => m.kind === 'ack' && m.seq === 2));
    expect(exits).toEqual([]);
  });
});
