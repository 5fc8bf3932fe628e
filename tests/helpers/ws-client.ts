// A WebSocket client for the console server's tests: records every server message and waits for
// one that matches, with a deadline (a missing message fails the test, it does not hang it).
import { afterEach } from 'vitest';
import { WebSocket } from 'ws';
import type { ClientOrigin, ConsoleCommand } from '../../src/console/protocol.js';
import { startConsoleServer } from '../../src/console/server/index.js';
import type { ConsoleServer } from '../../src/console/server/index.js';
import { readOrCreateToken } from '../../src/console/server/token.js';
import type { ServerMessage } from '../../src/console/wire.js';

/** The server's address-classification seam for tests: the kiosk is 127.0.0.1; every other
 * loopback address plays another machine, so the traffic never leaves loopback. */
export const kioskOnly = (address: string | undefined): ClientOrigin => (address === '127.0.0.1' || address === '::ffff:127.0.0.1' ? 'loopback' : 'remote');

/** Lists a test file fills with the servers and clients it opens; each is closed after each test
 * (clients first; a server's close bounded at 1 s: a socket a throwing handler left open could hold it). */
export function closedAfterEach(): { servers: ConsoleServer[]; clients: TestClient[] } {
  const servers: ConsoleServer[] = [];
  const clients: TestClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close().catch(() => undefined);
    for (const srv of servers.splice(0)) await Promise.race([srv.close(), new Promise((resolve) => setTimeout(resolve, 1_000))]);
  });
  return { servers, clients };
}

/** A console server on 127.0.0.1 with a hand-moved clock, what it forwards and logs, its token. */
export interface ServedConsole {
  readonly server: ConsoleServer;
  readonly forwarded: ConsoleCommand[];
  readonly logs: string[];
  readonly clock: { nowMs: number };
  readonly token: string;
}

/**
 * The console server tests' fixture: `serve` starts a server in a fresh data directory (from
 * `newDataDir`), `client` connects one (from `localAddress`, with `token` in the URL) and waits
 * for its access message; both are closed after each test.
 */
export function consoleServerFixture(newDataDir: () => string) {
  const { servers, clients } = closedAfterEach();
  const serve = async (classify: (address: string | undefined) => ClientOrigin = kioskOnly): Promise<ServedConsole> => {
    const forwarded: ConsoleCommand[] = [];
    const logs: string[] = [];
    const clock = { nowMs: 0 };
    const dataDir = newDataDir();
    const server = await startConsoleServer({
      host: '127.0.0.1',
      port: 0,
      dataDir,
      log: (level, msg, fields) => logs.push(`${level} ${msg} ${JSON.stringify(fields ?? {})}`),
      onCommand: (command) => forwarded.push(command),
      classify,
      nowMs: () => clock.nowMs,
    });
    servers.push(server);
    return { server, forwarded, logs, clock, token: readOrCreateToken(dataDir) };
  };
  const client = async (server: ConsoleServer, localAddress?: string, token?: string): Promise<TestClient> => {
    const c = await connect(server.url, { ...(localAddress === undefined ? {} : { localAddress }), ...(token === undefined ? {} : { path: `ws?token=${token}` }) });
    clients.push(c);
    await c.next('access');
    return c;
  };
  return { servers, clients, serve, client };
}

export interface TestClient {
  readonly ws: WebSocket;
  readonly messages: ServerMessage[];
  send(value: unknown): void;
  next<K extends ServerMessage['kind']>(kind: K, timeoutMs?: number): Promise<Extract<ServerMessage, { kind: K }>>;
  close(): Promise<void>;
}

/** `localAddress`: the loopback address to connect from (any of 127.0.0.0/8), to be another
 * client machine for the server's per-address limits while the traffic stays on loopback. */
export function connect(url: string, options: { path?: string; headers?: Record<string, string>; localAddress?: string } = {}): Promise<TestClient> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}${(options.path ?? 'ws').replace(/^\//, '')}`, {
    headers: options.headers ?? {},
    ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }),
  });
  const messages: ServerMessage[] = [];
  let read = 0;
  const waiters: (() => void)[] = [];
  ws.on('message', (data: Buffer) => {
    messages.push(JSON.parse(data.toString('utf8')) as ServerMessage);
    for (const w of waiters.splice(0)) w();
  });
  const client: TestClient = {
    ws,
    messages,
    send: (value) => {
      ws.send(typeof value === 'string' ? value : JSON.stringify(value));
    },
    next: async <K extends ServerMessage['kind']>(kind: K, timeoutMs = 2_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        while (read < messages.length) {
          const m = messages[read++]!;
          if (m.kind === kind) return m as Extract<ServerMessage, { kind: K }>;
        }
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no '${kind}' message within ${timeoutMs} ms (got ${messages.map((m) => m.kind).join(', ')})`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (ws.readyState === ws.CLOSED) {
          resolve();
          return;
        }
        ws.once('close', () => {
          resolve();
        });
        ws.close();
      }),
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      resolve(client);
    });
    ws.once('error', reject);
  });
}
