// The console's web server (issue 9), run in the console worker, never on the loop's thread: the
// built page and one WebSocket. Node's http and `ws` rather than fastify: one page of static
// files and one socket need no router, plugins or schema layer, and every byte of the handshake
// stays visible here for the security checks (Host, Origin, address class, token).
//
// The socket, Moonraker style (shared/domain.md section 10): on connect the client's access, the
// full snapshot and the tip trend; then at every publish (SNAPSHOT_PERIOD_MS, 10 a second) the
// changed top-level fields. Each message is serialised once and sent to every client.
//
// Nothing a client sends may end the worker's thread (that stops a freeze: CONSOLE_LOST): every
// handler a client can reach (a request, an upgrade, a message, a socket's error or close) runs
// under a guard that logs what it threw and answers 500 or closes that one connection.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { MAX_CLIENT_MESSAGE_BYTES } from '../protocol.js';
import type { ClientOrigin, ConsoleCommand, Snapshot } from '../protocol.js';
import type { TreatmentTarget } from '../../records/types.js';
import { nerveChoices } from '../records-view.js';
import type { RecentTreatments, ServerMessage } from '../wire.js';
import { loadAssets } from './assets.js';
import { checkHost, checkOrigin, classifyAddress } from './origin.js';
import { AddressRates, FLOOD_COOLDOWN_MS, TokenBucket } from './rate.js';
import { REFUSAL_LOG_WINDOW_MS, RefusalLog } from './refusal-log.js';
import { ClientSession } from './session.js';
import { readOrCreateToken, tokensEqual } from './token.js';
import { TrendRing } from './trend.js';

export { classifyAddress } from './origin.js';

/** The socket's path; everything else is a static file. */
export const SOCKET_PATH = '/ws';
/** ws closes a connection whose frame is larger than this, unread; between it and
 * MAX_CLIENT_MESSAGE_BYTES a message is refused with a reason instead. */
export const HARD_MAX_PAYLOAD_BYTES = 64 * MAX_CLIENT_MESSAGE_BYTES;
/** A client this far behind (a stalled tab, a slow link) is dropped rather than buffered for: it
 * reconnects and gets a full snapshot. About 10 s of changes. */
export const MAX_CLIENT_BUFFERED_BYTES = 4 * 1024 * 1024;
/** Clients on this machine (loopback): the kiosk, a reloaded kiosk page whose old socket has not
 * closed yet, local tools, and the console benchmark's 20 clients (issue 9's load) with room for
 * those. Remote clients never take these slots: a loopback client is refused only by other
 * loopback clients. */
export const MAX_LOOPBACK_CLIENTS = 24;
/** Clients from other machines, all together (read-only watchers, a remote operator with the
 * token): a few screens in a treatment room, with room to spare. */
export const MAX_REMOTE_CLIENTS = 32;
/** Connections from one remote address: a few tabs of one watcher, not a flood from one machine. */
export const MAX_CLIENTS_PER_REMOTE_ADDRESS = 4;
/** Parallel HTTP requests a browser makes to one server while loading a page (HTTP/1.1: 6). */
export const BROWSER_PARALLEL_REQUESTS = 6;
/** Open TCP connections from one remote address, whatever they are (a page load, a WebSocket, a
 * request never finished): its WebSocket clients and a page load besides. The WebSocket caps count
 * only clients; a connection that never becomes one is held until HTTP_HEADERS_TIMEOUT_MS. */
export const MAX_SOCKETS_PER_REMOTE_ADDRESS = MAX_CLIENTS_PER_REMOTE_ADDRESS + BROWSER_PARALLEL_REQUESTS;
/** Open TCP connections from other machines, all together: their clients and a few page loads. */
export const MAX_REMOTE_SOCKETS = MAX_REMOTE_CLIENTS + 4 * BROWSER_PARALLEL_REQUESTS;
/** Open TCP connections from this machine, counted apart from the remote ones (which never take
 * these): the loopback clients and two page loads (a reloading kiosk, a tool). */
export const MAX_LOOPBACK_SOCKETS = MAX_LOOPBACK_CLIENTS + 2 * BROWSER_PARALLEL_REQUESTS;
/** A request's headers must arrive within this (Node's default is 60 s: a slow client held a
 * connection that long). The page's requests are a few hundred bytes on a local network. */
export const HTTP_HEADERS_TIMEOUT_MS = 5_000;
/** A whole request must arrive within this (the page only GETs: no body). */
export const HTTP_REQUEST_TIMEOUT_MS = 10_000;
/** How often Node checks the two timeouts above (its default, 30 s, would let them run that long). */
export const HTTP_TIMEOUT_CHECK_MS = 1_000;
/** WebSocket close code for a client closed for flooding (RFC 6455: policy violation). */
export const FLOOD_CLOSE_CODE = 1008;
/** A flooding client gets its close frame, then this long to go before its socket is cut (it is
 * no longer read meanwhile). */
export const FLOOD_CLOSE_GRACE_MS = 1_000;
/** Every client one server serves at most. */
export const MAX_CLIENTS = MAX_LOOPBACK_CLIENTS + MAX_REMOTE_CLIENTS;

export type LogLevel = 'info' | 'warn' | 'error';
type Log = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void;

export interface ConsoleServerOptions {
  host: string;
  port: number;
  dataDir: string;
  log: Log;
  onCommand: (command: ConsoleCommand, origin: ClientOrigin, client: string) => void;
  /** The run's `--target`, preselected in the page's start dialog (default none). */
  defaultTarget?: TreatmentTarget | null;
  /** Test seam: the address class of a client (default classifyAddress). */
  classify?: (remoteAddress: string | undefined) => ClientOrigin;
  /** Test seam: a monotonic clock in ms (default performance.now). */
  nowMs?: () => number;
}

export interface ConsoleServer {
  url: string;
  publish(snapshot: Snapshot): void;
  /** The latest treatments (or why they cannot be read): kept for new clients, sent to all. */
  publishRecent(recent: RecentTreatments): void;
  close(): Promise<void>;
}

/** Changed top-level fields, compared by their JSON (snapshots arrive structured-cloned). */
function changedFields(previous: Map<string, string>, snapshot: Snapshot): Partial<Snapshot> {
  const changes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(snapshot)) {
    const text = JSON.stringify(value);
    if (previous.get(key) !== text) changes[key] = value;
    previous.set(key, text);
  }
  return changes;
}

function send(ws: WebSocket, message: ServerMessage | string): void {
  ws.send(typeof message === 'string' ? message : JSON.stringify(message));
}

function refuseHttp(res: ServerResponse, status: number, reason: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${reason}\n`);
}

function refuseUpgrade(socket: Duplex, status: string, reason: string): void {
  if (socket.destroyed || !socket.writable) return;
  socket.end(`HTTP/1.1 ${status}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${reason}\n`);
}

/** The path of a request target, or null when it is not one (`//[` is an invalid URL). */
function pathOf(target: string | undefined): URL | null {
  try {
    return new URL(target ?? '/', 'http://console');
  } catch {
    return null;
  }
}

/** One key per client machine: an IPv4-mapped IPv6 address is its IPv4 address. */
function addressKey(remoteAddress: string | undefined): string {
  if (remoteAddress === undefined) return 'unknown';
  const address = remoteAddress.toLowerCase();
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice('::ffff:'.length) : address;
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 200);
}

/** Only this server's own files and its own socket: no inline script, no framing by others. */
const SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

export async function startConsoleServer(options: ConsoleServerOptions): Promise<ConsoleServer> {
  const { log, onCommand } = options;
  const classify = options.classify ?? classifyAddress;
  const nowMs = options.nowMs ?? (() => performance.now());
  readOrCreateToken(options.dataDir);
  const currentToken = (): string => readOrCreateToken(options.dataDir);
  const assets = loadAssets();
  if (assets.size === 0) log('warn', 'console: the page is not built (dist/console-page/ is empty): run npm run build');

  /** This server's life, in every `full`: a page compares seq only within one server's life. */
  const serverId = randomUUID();
  const previousFields = new Map<string, string>();
  let last: { snapshot: Snapshot; receivedMs: number } | null = null;
  /** Sent once to each client on connect: it changes only with the software. */
  const catalogText = JSON.stringify({ kind: 'catalog', nerves: nerveChoices(), defaultTarget: options.defaultTarget ?? null } satisfies ServerMessage);
  let recentText: string | null = null;
  const trend = new TrendRing();
  interface Client {
    readonly session: ClientSession;
    readonly address: string;
    readonly refusals: RefusalLog;
    /** Closed for flooding: what it still sends is not read. */
    closing: boolean;
  }
  const clients = new Map<WebSocket, Client>();
  /** Remote addresses that flooded, and until when their new connections are refused. */
  const floodedUntilMs = new Map<string, number>();
  const rates = new AddressRates();
  const count = { loopback: 0, remote: 0 };
  const remotePerAddress = new Map<string, number>();
  const sockets = { loopback: 0, remote: 0 };
  const remoteSocketsPerAddress = new Map<string, number>();
  /** Connections refused, logged a few at a time (a flood of connects). */
  const connectionRefusals = new RefusalLog();
  let clientCount = 0;

  /** Runs a handler a client can reach; what it throws is logged and handed to `recover`. */
  function guarded(what: string, handler: () => void, recover: () => void): void {
    try {
      handler();
    } catch (error) {
      log('error', `console: ${what} failed`, { error: messageOf(error) });
      try {
        recover();
      } catch (again) {
        log('error', `console: ${what}: recovery failed`, { error: messageOf(again) });
      }
    }
  }

  /** Why another machine's address may not connect now because it flooded; null when it may. */
  function floodProblem(address: string): string | null {
    const floodedUntil = floodedUntilMs.get(address);
    if (floodedUntil === undefined) return null;
    const leftMs = floodedUntil - nowMs();
    if (leftMs > 0) return `this address flooded the console: refused for ${Math.ceil(leftMs / 1000)} s more`;
    floodedUntilMs.delete(address);
    return null;
  }

  /** Refused connections are logged a few at a time (a flood of connects). */
  function logConnectionRefusal(fields: Record<string, unknown>): void {
    const decision = connectionRefusals.refused(nowMs());
    if (decision.summary > 0) log('warn', `console: ${decision.summary} more connections refused in the last ${REFUSAL_LOG_WINDOW_MS / 1000} s (not logged one by one)`);
    if (decision.log) log('warn', 'console: refused a connection', fields);
  }

  /** Why a client of this class and address may not connect now; null when it may. */
  function slotProblem(origin: ClientOrigin, address: string): string | null {
    if (origin === 'loopback') return count.loopback >= MAX_LOOPBACK_CLIENTS ? `too many clients on this machine (${MAX_LOOPBACK_CLIENTS})` : null;
    const flooded = floodProblem(address);
    if (flooded !== null) return flooded;
    if (count.remote >= MAX_REMOTE_CLIENTS) return `too many clients from other machines (${MAX_REMOTE_CLIENTS})`;
    if ((remotePerAddress.get(address) ?? 0) >= MAX_CLIENTS_PER_REMOTE_ADDRESS) return `too many clients from ${address.slice(0, 60)} (${MAX_CLIENTS_PER_REMOTE_ADDRESS})`;
    if (!rates.hasRoomFor(address, nowMs())) return 'too many client addresses at once';
    return null;
  }

  function serveHttp(req: IncomingMessage, res: ServerResponse): void {
    const hostProblem = checkHost(req.headers.host);
    if (hostProblem !== null) {
      refuseHttp(res, 403, hostProblem);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      refuseHttp(res, 405, `${req.method ?? '?'}: only GET`);
      return;
    }
    const url = pathOf(req.url);
    if (url === null) {
      refuseHttp(res, 400, `not a request target: ${(req.url ?? '').slice(0, 80)}`);
      return;
    }
    const asset = assets.get(url.pathname);
    if (asset === undefined) {
      refuseHttp(res, assets.size === 0 ? 503 : 404, assets.size === 0 ? 'console page not built: run npm run build' : 'not found');
      return;
    }
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': asset.contentType, 'Content-Length': asset.body.length });
    res.end(req.method === 'HEAD' ? undefined : asset.body);
  }

  /** Why a TCP connection of this class and address may not be held now; null when it may. */
  function socketProblem(origin: ClientOrigin, address: string): string | null {
    if (origin === 'loopback') return sockets.loopback >= MAX_LOOPBACK_SOCKETS ? `too many connections on this machine (${MAX_LOOPBACK_SOCKETS})` : null;
    const flooded = floodProblem(address);
    if (flooded !== null) return flooded;
    if (sockets.remote >= MAX_REMOTE_SOCKETS) return `too many connections from other machines (${MAX_REMOTE_SOCKETS})`;
    if ((remoteSocketsPerAddress.get(address) ?? 0) >= MAX_SOCKETS_PER_REMOTE_ADDRESS) return `too many connections from one address (${MAX_SOCKETS_PER_REMOTE_ADDRESS})`;
    return null;
  }

  /** Counts every TCP connection, before any byte is read; one over its cap is cut at once. */
  function onConnection(socket: Socket): void {
    const origin = classify(socket.remoteAddress);
    const address = addressKey(socket.remoteAddress);
    const problem = socketProblem(origin, address);
    if (problem !== null) {
      logConnectionRefusal({ address: socket.remoteAddress, origin, reason: problem });
      socket.destroy();
      return;
    }
    sockets[origin]++;
    if (origin === 'remote') remoteSocketsPerAddress.set(address, (remoteSocketsPerAddress.get(address) ?? 0) + 1);
    socket.once('close', () => {
      sockets[origin]--;
      if (origin === 'remote') {
        const left = (remoteSocketsPerAddress.get(address) ?? 1) - 1;
        if (left > 0) remoteSocketsPerAddress.set(address, left);
        else remoteSocketsPerAddress.delete(address);
      }
    });
  }

  const http = createServer({ headersTimeout: HTTP_HEADERS_TIMEOUT_MS, requestTimeout: HTTP_REQUEST_TIMEOUT_MS, connectionsCheckingInterval: HTTP_TIMEOUT_CHECK_MS }, (req, res) => {
    guarded(
      'a page request',
      () => {
        serveHttp(req, res);
      },
      () => {
        if (res.headersSent) res.destroy();
        else refuseHttp(res, 500, 'internal error (logged)');
      },
    );
  });
  http.on('connection', (socket: Socket) => {
    guarded(
      'a connection',
      () => {
        onConnection(socket);
      },
      () => {
        socket.destroy();
      },
    );
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: HARD_MAX_PAYLOAD_BYTES });

  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, onSocketError: (error: Error) => void): void {
    const url = pathOf(req.url);
    if (url === null) {
      logConnectionRefusal({ address: req.socket.remoteAddress, reason: 'not a request target' });
      refuseUpgrade(socket, '400 Bad Request', `not a request target: ${(req.url ?? '').slice(0, 80)}`);
      return;
    }
    const problem =
      url.pathname !== SOCKET_PATH ? `no socket at ${url.pathname.slice(0, 80)}` : (checkHost(req.headers.host) ?? checkOrigin(req.headers.origin, req.headers.host));
    const origin = classify(req.socket.remoteAddress);
    const address = addressKey(req.socket.remoteAddress);
    const full = problem === null ? slotProblem(origin, address) : null;
    if (problem !== null || full !== null) {
      const reason = problem ?? full ?? '';
      logConnectionRefusal({ address: req.socket.remoteAddress, origin, reason });
      refuseUpgrade(socket, problem === null ? '503 Service Unavailable' : '403 Forbidden', reason);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      // ws listens for the socket's errors from here on.
      socket.off('error', onSocketError);
      guarded(
        'a new client',
        () => {
          accept(ws, req, origin, address, url.searchParams.get('token'));
        },
        () => {
          ws.terminate();
        },
      );
    });
  }

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node's http stops listening for this socket's errors once it is handed over: without a
    // listener, a reset during the handshake would throw and end the thread.
    const onSocketError = (error: Error): void => {
      log('warn', 'console: connection error before the socket opened', { address: req.socket.remoteAddress, error: messageOf(error) });
    };
    socket.on('error', onSocketError);
    guarded(
      'a socket upgrade',
      () => {
        upgrade(req, socket, head, onSocketError);
      },
      () => {
        refuseUpgrade(socket, '500 Internal Server Error', 'internal error (logged)');
        socket.destroy();
      },
    );
  });

  function accept(ws: WebSocket, req: IncomingMessage, origin: ClientOrigin, address: string, queryToken: string | null): void {
    // Two handshakes may have passed slotProblem together: the count is taken here.
    const problem = slotProblem(origin, address);
    // A rate of its own for each connection on this machine: the kiosk shares 127.0.0.1 with every
    // local program, and another one's burst must not refuse its commands. Another machine's
    // connections share their address's, so reconnecting buys no fresh burst.
    const bucket = problem !== null ? null : origin === 'loopback' ? new TokenBucket(nowMs()) : rates.attach(address, nowMs());
    if (bucket === null) {
      logConnectionRefusal({ address: req.socket.remoteAddress, origin, reason: problem ?? 'too many client addresses at once' });
      ws.close(1013, (problem ?? 'too many client addresses at once').slice(0, 120));
      return;
    }
    count[origin]++;
    if (origin === 'remote') remotePerAddress.set(address, (remotePerAddress.get(address) ?? 0) + 1);
    clientCount++;
    const id = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? 0}#${clientCount}`.slice(0, 80);
    const hasToken = queryToken !== null && tokensEqual(queryToken, currentToken());
    const session = new ClientSession(id, origin, hasToken, bucket, currentToken, nowMs());
    const client: Client = { session, address, refusals: new RefusalLog(), closing: false };
    clients.set(ws, client);
    const onClose = (): void => {
      if (!clients.delete(ws)) return;
      const unlogged = client.refusals.takeSuppressed();
      if (unlogged > 0) log('warn', `console: ${unlogged} more refused messages from this client (not logged one by one)`, { client: id });
      count[origin]--;
      if (origin === 'remote') {
        rates.release(address);
        const left = (remotePerAddress.get(address) ?? 1) - 1;
        if (left > 0) remotePerAddress.set(address, left);
        else remotePerAddress.delete(address);
      }
      log('info', 'console: client disconnected', { client: id });
    };
    ws.on('close', () => {
      guarded('a client closing', onClose, () => undefined);
    });
    ws.on('error', (error) => {
      guarded(
        'a client socket error',
        () => {
          log('warn', 'console: client socket error', { client: id, error: messageOf(error) });
        },
        () => undefined,
      );
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (client.closing) return;
      guarded(
        'a client message',
        () => {
          onMessage(ws, client, data, isBinary);
        },
        () => {
          ws.terminate();
        },
      );
    });
    log('info', 'console: client connected', { client: id, origin, token: hasToken });
    send(ws, { kind: 'access', access: session.access() });
    send(ws, catalogText);
    if (recentText !== null) send(ws, recentText);
    if (last !== null) send(ws, fullMessage(last.snapshot, nowMs() - last.receivedMs));
  }

  /** The full snapshot, stamped with this server's life and the snapshot's age here. */
  function fullMessage(snapshot: Snapshot, ageMs: number): ServerMessage {
    return { kind: 'full', snapshot, trend: trend.columns(), server: serverId, ageMs: Math.max(0, Math.round(ageMs)) };
  }

  /** Closes a client that flooded: no more of its frames are read; another machine's address is
   * refused for FLOOD_COOLDOWN_MS. */
  function closeFlooder(ws: WebSocket, client: Client, reason: string): void {
    client.closing = true;
    const { session } = client;
    if (session.origin === 'remote') {
      const now = nowMs();
      for (const [address, untilMs] of floodedUntilMs) if (untilMs <= now) floodedUntilMs.delete(address);
      floodedUntilMs.set(client.address, now + FLOOD_COOLDOWN_MS);
    }
    log('warn', 'console: closed a flooding client', {
      client: session.id,
      origin: session.origin,
      reason,
      ...(session.origin === 'remote' ? { addressRefusedForMs: FLOOD_COOLDOWN_MS } : {}),
    });
    ws.pause();
    ws.close(FLOOD_CLOSE_CODE, reason);
    const cut = setTimeout(() => {
      ws.terminate();
    }, FLOOD_CLOSE_GRACE_MS);
    cut.unref();
    ws.once('close', () => {
      clearTimeout(cut);
    });
  }

  function logRefusal(client: Client, command: string | null, reason: string): void {
    const { session } = client;
    const decision = client.refusals.refused(nowMs());
    if (decision.summary > 0) {
      log('warn', `console: ${decision.summary} more refused messages in the last ${REFUSAL_LOG_WINDOW_MS / 1000} s (not logged one by one)`, { client: session.id });
    }
    if (decision.log) log('warn', 'console: refused a message', { client: session.id, origin: session.origin, command, reason });
  }

  function onMessage(ws: WebSocket, client: Client, data: Buffer, isBinary: boolean): void {
    const { session } = client;
    const verdict = session.judge(data, isBinary, nowMs());
    switch (verdict.kind) {
      case 'flood':
        closeFlooder(ws, client, verdict.reason);
        return;
      case 'refused':
        logRefusal(client, verdict.command, verdict.reason);
        send(ws, { kind: 'refused', command: verdict.command, reason: verdict.reason });
        return;
      case 'authenticated':
        log('info', 'console: client presented the token', { client: session.id });
        send(ws, { kind: 'access', access: session.access() });
        return;
      case 'forward':
        log('info', 'console: command', { client: session.id, origin: session.origin, command: verdict.command.type });
        try {
          onCommand(verdict.command, session.origin, session.id);
        } catch (error) {
          // The loop side could not take it (its channel closed or full): the client must not
          // believe it was sent. The socket and the server go on.
          const reason = `not delivered to the controller: ${messageOf(error)}`.slice(0, 200);
          log('error', 'console: command not delivered', { client: session.id, command: verdict.command.type, reason });
          send(ws, { kind: 'refused', command: verdict.command.type, reason });
          return;
        }
        send(ws, { kind: 'accepted', command: verdict.command.type });
        return;
    }
  }

  function broadcast(text: string): void {
    for (const [ws, { session }] of clients) {
      if (ws.readyState !== ws.OPEN) continue;
      if (ws.bufferedAmount > MAX_CLIENT_BUFFERED_BYTES) {
        log('warn', 'console: dropped a client that fell behind', { client: session.id, bufferedBytes: ws.bufferedAmount });
        ws.terminate();
        continue;
      }
      // One client's socket must not keep the snapshot from the others.
      guarded(
        'a send to a client',
        () => {
          ws.send(text);
        },
        () => {
          ws.terminate();
        },
      );
    }
  }

  function publish(snapshot: Snapshot): void {
    trend.push(snapshot.atMs, snapshot.tipC);
    const changes = changedFields(previousFields, snapshot);
    const message: ServerMessage =
      last === null ? fullMessage(snapshot, 0) : { kind: 'changes', changes, point: [snapshot.atMs, snapshot.tipC] };
    last = { snapshot, receivedMs: nowMs() };
    if (clients.size > 0) broadcast(JSON.stringify(message));
  }

  function publishRecent(recent: RecentTreatments): void {
    recentText = JSON.stringify({ kind: 'recent', recent } satisfies ServerMessage);
    if (clients.size > 0) broadcast(recentText);
  }

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, options.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const address = http.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const hostInUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${hostInUrl}:${port}/`;
  log('info', 'console: serving', { url });

  async function close(): Promise<void> {
    for (const ws of clients.keys()) ws.terminate();
    clients.clear();
    await new Promise<void>((resolve) => {
      wss.close(() => {
        resolve();
      });
    });
    http.closeAllConnections();
    await new Promise<void>((resolve) => {
      http.close(() => {
        resolve();
      });
    });
  }

  return { url, publish, publishRecent, close };
}
