// The console server against a hostile or careless network (issue 9, security; found by the
// adversarial review of issue 9): a malformed request is answered, never thrown (a throw ends
// the console worker and so stops a freeze through CONSOLE_LOST); remote clients cannot take the
// kiosk's slots; the rate limit belongs to the client's address, not to one connection; and a
// snapshot the server received long ago is sent marked with its age, never as fresh.
//
// Other client machines are other loopback addresses (127.0.1.x...) through the server's
// classification seam: all traffic stays on 127.0.0.0/8.
import { connect as connectTcp } from 'node:net';
import { describe, expect, it } from 'vitest';
import { STALE_AFTER_MS } from '../src/console/constants.js';
import {
  MAX_CLIENTS_PER_REMOTE_ADDRESS,
  MAX_LOOPBACK_CLIENTS,
  MAX_REMOTE_CLIENTS,
} from '../src/console/server/index.js';
import type { ConsoleServer } from '../src/console/server/index.js';
import { AddressRates, RATE_BURST_MESSAGES, RATE_MESSAGES_PER_S } from '../src/console/server/rate.js';
import { idleSnapshot } from './helpers/fake-console.js';
import { connect, consoleServerFixture } from './helpers/ws-client.js';
import type { TestClient } from './helpers/ws-client.js';
import { tempDirMaker } from './helpers/temp.js';

const newDataDir = tempDirMaker('console-hardening-');
const { clients, serve, client } = consoleServerFixture(newDataDir);



/** Sends raw bytes and returns what came back before the server closed (or 500 ms). */
function raw(server: ConsoleServer, text: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connectTcp(Number(new URL(server.url).port), '127.0.0.1', () => socket.write(text));
    let reply = '';
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(reply);
    };
    const timer = setTimeout(done, 500);
    socket.on('data', (d: Buffer) => (reply += d.toString('utf8')));
    socket.on('close', done);
    socket.on('error', done);
  });
}

/** Runs `body` with vitest's uncaughtException listeners swapped for a recorder, so a handler's
 * throw is observed by the test instead of failing the whole run. */
async function recordingUncaught(body: (thrown: unknown[]) => Promise<void>): Promise<void> {
  const thrown: unknown[] = [];
  const record = (e: unknown): void => {
    thrown.push(e);
  };
  const saved = process.listeners('uncaughtException');
  process.removeAllListeners('uncaughtException');
  process.on('uncaughtException', record);
  try {
    await body(thrown);
  } finally {
    process.off('uncaughtException', record);
    for (const l of saved) process.on('uncaughtException', l);
  }
}

const UPGRADE_HEADERS = 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n';

describe('a malformed request target is refused, never thrown', () => {
  it.each([
    ['a page request', '//[', 'Connection: close\r\n'],
    ['a page request', 'http://[', 'Connection: close\r\n'],
    ['a socket upgrade', '//[', UPGRADE_HEADERS],
    ['a socket upgrade', 'http://[', UPGRADE_HEADERS],
  ])('%s for %s gets a 400 and the server serves on', async (_what, target, headers) => {
    await recordingUncaught(async (thrown) => {
      const { server, logs } = await serve();
      const reply = await raw(server, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}\r\n`);
      expect(thrown.map((e) => (e as Error).message)).toEqual([]);
      expect(reply).toMatch(/^HTTP\/1\.1 400 /);
      expect(reply).toContain('not a request target');
      expect(logs.filter((l) => l.startsWith('error'))).toEqual([]);
      // Still serving: a well-formed client connects and is answered.
      const c = await client(server);
      expect(c.messages[0]?.kind).toBe('access');
    });
  });

  it('survives a client that resets its connection in the middle of a refused handshake', async () => {
    await recordingUncaught(async (thrown) => {
      const { server } = await serve();
      const port = Number(new URL(server.url).port);
      // Refused (no socket at /nowhere) while the client has already reset: the refusal's write
      // fails on a socket Node's http no longer watches for errors.
      for (let i = 0; i < 20; i++) {
        await new Promise<void>((resolve) => {
          const socket = connectTcp(port, '127.0.0.1', () => {
            socket.write(`GET /nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\n${UPGRADE_HEADERS}\r\n`);
            socket.resetAndDestroy();
            resolve();
          });
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(thrown.map((e) => (e as Error).message)).toEqual([]);
      const c = await client(server);
      expect(c.messages[0]?.kind).toBe('access');
    });
  });
});

describe('client slots: the kiosk cannot be locked out', () => {
  it('a loopback kiosk still connects when remote watchers hold every remote slot', async () => {
    const { server, logs } = await serve();
    for (let i = 1; i <= MAX_REMOTE_CLIENTS; i++) {
      const c = await client(server, `127.0.1.${i}`);
      expect(c.messages[0]).toMatchObject({ kind: 'access', access: { origin: 'remote', canCommand: false } });
    }
    // One more watcher, from a new address, is refused...
    await expect(connect(server.url, { localAddress: '127.0.1.200' })).rejects.toThrow(/503/);
    expect(logs.some((l) => l.includes('too many clients from other machines'))).toBe(true);
    // ...and the kiosk is not: its STOP stays on screen.
    const kiosk = await client(server, '127.0.0.1');
    expect(kiosk.messages[0]).toMatchObject({ kind: 'access', access: { origin: 'loopback', canStart: true } });
  });

  it('bounds the connections from one remote address, not the others', async () => {
    const { server } = await serve();
    for (let i = 0; i < MAX_CLIENTS_PER_REMOTE_ADDRESS; i++) await client(server, '127.0.2.1');
    await expect(connect(server.url, { localAddress: '127.0.2.1' })).rejects.toThrow(/503/);
    await client(server, '127.0.2.2');
    // A closed connection gives its slot back.
    await clients[0]!.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await client(server, '127.0.2.1');
  });

  it('bounds loopback clients on their own', async () => {
    const { server } = await serve(() => 'loopback');
    for (let i = 0; i < MAX_LOOPBACK_CLIENTS; i++) await client(server);
    await expect(connect(server.url)).rejects.toThrow(/503/);
  });
});

describe("the rate limit belongs to another machine's address, to a connection on this machine", () => {
  /** Sends `n` acknowledges and waits for every reply; returns how many were accepted. */
  async function burst(c: TestClient, n: number): Promise<number> {
    const before = c.messages.length;
    for (let i = 0; i < n; i++) c.send({ type: 'acknowledge' });
    for (let i = 0; i < 100 && c.messages.length - before < n; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    const replies = c.messages.slice(before);
    expect(replies).toHaveLength(n);
    return replies.filter((m) => m.kind === 'accepted').length;
  }

  it('is not reset by reconnecting: another machine gets one burst in a moment', async () => {
    const { server, forwarded, token } = await serve();
    for (let round = 0; round < 5; round++) {
      const c = await client(server, '127.0.2.1', token);
      await burst(c, RATE_BURST_MESSAGES);
      await c.close();
    }
    // The clock has not moved: one burst in all, however many sockets.
    expect(forwarded).toHaveLength(RATE_BURST_MESSAGES);
  });

  it("is shared by another machine's two sockets open together, refills with time, and leaves other addresses alone", async () => {
    const { server, forwarded, clock, token } = await serve();
    const a = await client(server, '127.0.2.1', token);
    const b = await client(server, '127.0.2.1', token);
    expect(await burst(a, RATE_BURST_MESSAGES)).toBe(RATE_BURST_MESSAGES);
    expect(await burst(b, 1)).toBe(0);
    const refused = b.messages.at(-1);
    expect(refused?.kind === 'refused' ? refused.reason : refused?.kind).toMatch(/rate limit/);
    // Another machine (with its own bucket; read-only, so refused for that, not for the rate).
    const other = await client(server, '127.0.3.1');
    other.send({ type: 'acknowledge' });
    expect((await other.next('refused')).reason).toMatch(/read-only/);
    // And this machine.
    const kiosk = await client(server, '127.0.0.1');
    expect(await burst(kiosk, 1)).toBe(1);
    clock.nowMs += 1_000;
    expect(await burst(b, RATE_BURST_MESSAGES)).toBe(RATE_MESSAGES_PER_S);
    expect(forwarded).toHaveLength(RATE_BURST_MESSAGES + 1 + RATE_MESSAGES_PER_S);
  });

  it("is each loopback connection's own: another local client's burst leaves the kiosk's intact", async () => {
    const { server, forwarded } = await serve();
    const tool = await client(server, '127.0.0.1');
    const kiosk = await client(server, '127.0.0.1');
    expect(await burst(tool, RATE_BURST_MESSAGES + 1)).toBe(RATE_BURST_MESSAGES);
    expect(await burst(kiosk, RATE_BURST_MESSAGES)).toBe(RATE_BURST_MESSAGES);
    expect(forwarded).toHaveLength(2 * RATE_BURST_MESSAGES);
  });

  it('keeps a bounded table of addresses, freeing those that have refilled', () => {
    const rates = new AddressRates(2);
    expect(rates.attach('a', 0)).not.toBeNull();
    const b = rates.attach('b', 0);
    expect(b?.take(0)).toBe(true);
    rates.release('a');
    rates.release('b');
    // 'a' is idle and full (dropped); 'b' is still limited (kept, so a reconnect finds it spent).
    expect(rates.attach('c', 0)).not.toBeNull();
    expect(rates.hasRoomFor('d', 0)).toBe(false);
    expect(rates.attach('d', 0)).toBeNull();
    expect(rates.size).toBe(2);
    // 'b' refills (one token at RATE_MESSAGES_PER_S): then it is a fresh bucket and is dropped.
    expect(rates.hasRoomFor('d', 1_000 / RATE_MESSAGES_PER_S)).toBe(true);
  });
});

describe('an old snapshot is not presented as fresh', () => {
  it("stamps the full snapshot with its age here and this server's life", async () => {
    const { server, clock } = await serve();
    server.publish(idleSnapshot({ seq: 7 }));
    clock.nowMs += 40;
    const fresh = await client(server);
    expect(await fresh.next('full')).toMatchObject({ snapshot: { seq: 7 }, ageMs: 40 });
    // The loop goes silent; a page that connects now is told how old the snapshot is.
    clock.nowMs += STALE_AFTER_MS + 100;
    const late = await client(server);
    const full = await late.next('full');
    expect(full.ageMs).toBe(40 + STALE_AFTER_MS + 100);
    expect(full.ageMs).toBeGreaterThan(STALE_AFTER_MS);
    // Another server (a restarted worker) is another life.
    const { server: second } = await serve();
    const other = await client(second);
    second.publish(idleSnapshot({ seq: 8 }));
    const secondFull = await other.next('full');
    expect(secondFull.ageMs).toBe(0);
    expect(secondFull.server).not.toBe(full.server);
    expect(full.server).toMatch(/^[0-9a-f-]{36}$/);
  });
});
