// The kiosk's STOP and the rate limit (issue 9, review 9b): every loopback client (the kiosk, local
// tools, a second tab) once shared 127.0.0.1's one bucket, so another local client's burst had the
// kiosk's STOP refused with "rate limit" during a freeze. A stop is idempotent and coalesced into
// one slot by the link (COMMAND_SLOTS), so refusing it protects nothing: a stop is never refused
// for the rate, and each loopback connection has a rate of its own. On a clock that stands still
// (nothing refills); traffic stays on 127.0.0.1.
import { describe, expect, it } from 'vitest';
import type { ConsoleCommand } from '../src/console/protocol.js';
import { startConsoleServer } from '../src/console/server/index.js';
import type { ConsoleServer } from '../src/console/server/index.js';
import { FLOOD_EXCESS_MESSAGES, RATE_BURST_MESSAGES } from '../src/console/server/rate.js';
import { closedAfterEach, connect } from './helpers/ws-client.js';
import type { TestClient } from './helpers/ws-client.js';
import { tempDirMaker } from './helpers/temp.js';

const newDataDir = tempDirMaker('console-kiosk-stop-');
const { servers, clients } = closedAfterEach();

async function serve(): Promise<{ server: ConsoleServer; forwarded: ConsoleCommand[] }> {
  const forwarded: ConsoleCommand[] = [];
  const server = await startConsoleServer({
    host: '127.0.0.1',
    port: 0,
    dataDir: newDataDir(),
    log: () => undefined,
    onCommand: (command) => forwarded.push(command),
    nowMs: () => 0,
  });
  servers.push(server);
  return { server, forwarded };
}

async function client(server: ConsoleServer): Promise<TestClient> {
  const c = await connect(server.url);
  clients.push(c);
  await c.next('access');
  return c;
}

/** The replies to the next `n` messages `c` sends. */
async function replies(c: TestClient, messages: unknown[]): Promise<string[]> {
  const before = c.messages.length;
  for (const m of messages) c.send(m);
  for (let i = 0; i < 200 && c.messages.length - before < messages.length; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  return c.messages.slice(before).map((m) => (m.kind === 'accepted' ? `accepted ${m.command}` : m.kind === 'refused' ? `refused ${m.reason.slice(0, 10)}` : m.kind));
}

describe('the kiosk STOP', () => {
  it("is not refused for another local client's rate", async () => {
    const { server, forwarded } = await serve();
    const kiosk = await client(server);
    const tool = await client(server);
    // A local tool (or a second kiosk tab) spends its burst and more.
    const toolReplies = await replies(tool, Array.from({ length: RATE_BURST_MESSAGES + 1 }, () => ({ type: 'acknowledge' })));
    expect(toolReplies.at(-1)).toBe('refused rate limit');
    expect(await replies(kiosk, [{ type: 'stop' }])).toEqual(['accepted stop']);
    expect(forwarded.filter((c) => c.type === 'stop')).toHaveLength(1);
  });

  it("is not refused for the client's own rate, while its other messages are", async () => {
    const { server, forwarded } = await serve();
    const kiosk = await client(server);
    await replies(kiosk, Array.from({ length: RATE_BURST_MESSAGES }, () => ({ type: 'acknowledge' })));
    expect(await replies(kiosk, [{ type: 'acknowledge' }, { type: 'stop' }, { type: 'start' }])).toEqual([
      'refused rate limit',
      'accepted stop',
      'refused rate limit',
    ]);
    expect(forwarded.filter((c) => c.type === 'stop')).toHaveLength(1);
  });

  it('still counts toward flood detection: a flood of stops is closed', async () => {
    const { server, forwarded } = await serve();
    const kiosk = await client(server);
    const closed = new Promise<number>((resolve) => kiosk.ws.once('close', resolve));
    for (let i = 0; i < RATE_BURST_MESSAGES + FLOOD_EXCESS_MESSAGES + 10; i++) kiosk.send({ type: 'stop' });
    expect(await closed).toBe(1008);
    expect(forwarded).toHaveLength(RATE_BURST_MESSAGES + FLOOD_EXCESS_MESSAGES);
  });
});
