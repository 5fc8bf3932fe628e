// A client that keeps sending over its rate (issue 9, review 9b): it is closed (1008) once it has
// sent FLOOD_EXCESS_MESSAGES beyond its rate, its refusals are logged a few at a time and summed
// up, another machine's address is refused for FLOOD_COOLDOWN_MS after a flood, and this machine's
// addresses never are (a local flooder must not lock the kiosk out). On a virtual clock; other
// machines are other loopback addresses through the classification seam.
import { describe, expect, it } from 'vitest';
import { FLOOD_CLOSE_CODE } from '../src/console/server/index.js';
import { FLOOD_COOLDOWN_MS, FLOOD_EXCESS_MESSAGES, RATE_BURST_MESSAGES, RATE_MESSAGES_PER_S } from '../src/console/server/rate.js';
import { REFUSAL_LOG_WINDOW_MS, REFUSALS_LOGGED_PER_WINDOW, RefusalLog } from '../src/console/server/refusal-log.js';
import { connect, consoleServerFixture } from './helpers/ws-client.js';
import type { TestClient } from './helpers/ws-client.js';
import { tempDirMaker } from './helpers/temp.js';

const newDataDir = tempDirMaker('console-server-flood-');
const { serve, client } = consoleServerFixture(newDataDir);



/** Sends `n` acknowledges at once; resolves with the close code and reason when the server closes. */
function flood(c: TestClient, n: number): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => {
    c.ws.once('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
    });
    for (let i = 0; i < n; i++) c.send({ type: 'acknowledge' });
  });
}

const OVER_THRESHOLD = RATE_BURST_MESSAGES + FLOOD_EXCESS_MESSAGES + 20;

describe('refusal log', () => {
  it('logs the first few refusals of a window and sums up the rest when the next window starts', () => {
    const log = new RefusalLog();
    const logged = Array.from({ length: 3 * REFUSALS_LOGGED_PER_WINDOW }, (_, i) => log.refused(i));
    expect(logged.filter((d) => d.log)).toHaveLength(REFUSALS_LOGGED_PER_WINDOW);
    expect(logged.every((d) => d.summary === 0)).toBe(true);
    expect(log.refused(REFUSAL_LOG_WINDOW_MS - 1)).toEqual({ log: false, summary: 0 });
    expect(log.refused(REFUSAL_LOG_WINDOW_MS)).toEqual({ log: true, summary: 2 * REFUSALS_LOGGED_PER_WINDOW + 1 });
    expect(log.takeSuppressed()).toBe(0);
  });
});

describe('a client that floods', () => {
  it('is closed with 1008 and a reason naming the rate, with a bounded log', async () => {
    const { server, logs } = await serve();
    const c = await client(server, '127.0.0.1');
    const closed = await flood(c, OVER_THRESHOLD);
    expect(closed.code).toBe(FLOOD_CLOSE_CODE);
    expect(closed.reason).toMatch(/^rate: /);
    const refusedLines = logs.filter((l) => l.includes('console: refused a message'));
    expect(refusedLines).toHaveLength(REFUSALS_LOGGED_PER_WINDOW);
    expect(logs.filter((l) => l.includes('console: closed a flooding client'))).toHaveLength(1);
    // Everything refused beyond the first few is summed up once the client is gone.
    for (let i = 0; i < 100 && !logs.some((l) => l.includes('not logged one by one')); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(logs.find((l) => l.includes('not logged one by one'))).toMatch(new RegExp(`${FLOOD_EXCESS_MESSAGES - REFUSALS_LOGGED_PER_WINDOW} more refused`));
  });

  it('is not closed when it is only somewhat over its rate', async () => {
    const { server, clock } = await serve();
    const c = await client(server, '127.0.0.1');
    // Twice the rate for 20 (virtual) seconds: half refused, never a flood.
    const periodMs = 1_000 / (2 * RATE_MESSAGES_PER_S);
    for (let i = 0; i < 20 * 2 * RATE_MESSAGES_PER_S; i++) {
      clock.nowMs += periodMs;
      const before = c.messages.length;
      c.send({ type: 'acknowledge' });
      for (let j = 0; j < 200 && c.messages.length === before; j++) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(c.ws.readyState).toBe(c.ws.OPEN);
    expect(c.messages.filter((m) => m.kind === 'refused').length).toBeGreaterThan(0);
  });

  it("from another machine: that address is refused for the cooldown, others and the kiosk are not", async () => {
    const { server, clock, token, logs } = await serve();
    const kiosk = await client(server, '127.0.0.1');
    const c = await client(server, '127.0.1.5', token);
    expect((await flood(c, OVER_THRESHOLD)).code).toBe(FLOOD_CLOSE_CODE);
    // Cut at its first byte, before any handshake is read.
    await expect(connect(server.url, { localAddress: '127.0.1.5' })).rejects.toThrow();
    expect(logs.some((l) => l.includes('refused a connection') && l.includes('flooded the console'))).toBe(true);
    await client(server, '127.0.1.6');
    clock.nowMs += FLOOD_COOLDOWN_MS;
    await client(server, '127.0.1.5');
    kiosk.send({ type: 'acknowledge' });
    expect((await kiosk.next('accepted')).command).toBe('acknowledge');
  });

  it('from this machine: only that connection is closed, the address is not refused', async () => {
    const { server } = await serve();
    const kiosk = await client(server, '127.0.0.1');
    const c = await client(server, '127.0.0.1');
    expect((await flood(c, OVER_THRESHOLD)).code).toBe(FLOOD_CLOSE_CODE);
    await client(server, '127.0.0.1');
    kiosk.send({ type: 'stop' });
    expect((await kiosk.next('accepted')).command).toBe('stop');
  });
});
