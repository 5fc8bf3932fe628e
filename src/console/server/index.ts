// The console's web server (issue 9), run in the console worker, never on the loop's thread: the
// built page and one WebSocket. Node's http and `ws` rather than fastify: one page of static
// files and one socket need no router, plugins or schema layer, and every byte of the handshake
// stays visible here for the security checks (Host, Origin, address class, token).
//
// The socket, Moonraker style (shared/domain.md section 10): on connect the client's access, the
// full snapshot and the tip trend; then at every publish (SNAPSHOT_PERIOD_MS, 10 a second) the
// changed top-level fields. Each message is serialised once and sent to every client.
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { MAX_CLIENT_MESSAGE_BYTES } from '../protocol.js';
import type { ClientOrigin, ConsoleCommand, Snapshot } from '../protocol.js';
import type { ServerMessage } from '../wire.js';
import { loadAssets } from './assets.js';
import { checkHost, checkOrigin, classifyAddress } from './origin.js';
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
/** Bounds the clients one server serves (a kiosk, a few watchers, a benchmark's 20). */
export const MAX_CLIENTS = 64;

export type LogLevel = 'info' | 'warn' | 'error';
type Log = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void;

export interface ConsoleServerOptions {
  host: string;
  port: number;
  dataDir: string;
  log: Log;
  onCommand: (command: ConsoleCommand, origin: ClientOrigin, client: string) => void;
  /** Test seam: the address class of a client (default classifyAddress). */
  classify?: (remoteAddress: string | undefined) => ClientOrigin;
}

export interface ConsoleServer {
  url: string;
  publish(snapshot: Snapshot): void;
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
  socket.end(`HTTP/1.1 ${status}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${reason}\n`);
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
  readOrCreateToken(options.dataDir);
  const currentToken = (): string => readOrCreateToken(options.dataDir);
  const assets = loadAssets();
  if (assets.size === 0) log('warn', 'console: the page is not built (dist/console-page/ is empty): run npm run build');

  const previousFields = new Map<string, string>();
  let last: Snapshot | null = null;
  const trend = new TrendRing();
  const clients = new Map<WebSocket, ClientSession>();
  let clientCount = 0;

  const http = createServer((req, res) => {
    const hostProblem = checkHost(req.headers.host);
    if (hostProblem !== null) {
      refuseHttp(res, 403, hostProblem);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      refuseHttp(res, 405, `${req.method ?? '?'}: only GET`);
      return;
    }
    const path = new URL(req.url ?? '/', 'http://console').pathname;
    const asset = assets.get(path);
    if (asset === undefined) {
      refuseHttp(res, assets.size === 0 ? 503 : 404, assets.size === 0 ? 'console page not built: run npm run build' : 'not found');
      return;
    }
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': asset.contentType, 'Content-Length': asset.body.length });
    res.end(req.method === 'HEAD' ? undefined : asset.body);
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: HARD_MAX_PAYLOAD_BYTES });

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://console');
    const problem =
      url.pathname !== SOCKET_PATH ? `no socket at ${url.pathname.slice(0, 80)}` : (checkHost(req.headers.host) ?? checkOrigin(req.headers.origin, req.headers.host));
    if (problem !== null || clients.size >= MAX_CLIENTS) {
      const reason = problem ?? `too many clients (${MAX_CLIENTS})`;
      log('warn', 'console: refused a connection', { address: req.socket.remoteAddress, reason });
      refuseUpgrade(socket, problem === null ? '503 Service Unavailable' : '403 Forbidden', reason);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      accept(ws, req, url.searchParams.get('token'));
    });
  });

  function accept(ws: WebSocket, req: IncomingMessage, queryToken: string | null): void {
    const origin = classify(req.socket.remoteAddress);
    clientCount++;
    const id = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? 0}#${clientCount}`.slice(0, 80);
    const hasToken = queryToken !== null && tokensEqual(queryToken, currentToken());
    const session = new ClientSession(id, origin, hasToken, performance.now(), currentToken);
    clients.set(ws, session);
    log('info', 'console: client connected', { client: id, origin, token: hasToken });
    send(ws, { kind: 'access', access: session.access() });
    if (last !== null) send(ws, { kind: 'full', snapshot: last, trend: trend.columns() });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      onMessage(ws, session, data, isBinary);
    });
    ws.on('close', () => {
      clients.delete(ws);
      log('info', 'console: client disconnected', { client: id });
    });
    ws.on('error', (error) => {
      log('warn', 'console: client socket error', { client: id, error: error.message });
    });
  }

  function onMessage(ws: WebSocket, session: ClientSession, data: Buffer, isBinary: boolean): void {
    const verdict = session.judge(data, isBinary, performance.now());
    switch (verdict.kind) {
      case 'refused':
        log('warn', 'console: refused a message', { client: session.id, origin: session.origin, command: verdict.command, reason: verdict.reason });
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
          const reason = `not delivered to the controller: ${error instanceof Error ? error.message : String(error)}`.slice(0, 200);
          log('error', 'console: command not delivered', { client: session.id, command: verdict.command.type, reason });
          send(ws, { kind: 'refused', command: verdict.command.type, reason });
          return;
        }
        send(ws, { kind: 'accepted', command: verdict.command.type });
        return;
    }
  }

  function broadcast(text: string): void {
    for (const [ws, session] of clients) {
      if (ws.readyState !== ws.OPEN) continue;
      if (ws.bufferedAmount > MAX_CLIENT_BUFFERED_BYTES) {
        log('warn', 'console: dropped a client that fell behind', { client: session.id, bufferedBytes: ws.bufferedAmount });
        ws.terminate();
        continue;
      }
      ws.send(text);
    }
  }

  function publish(snapshot: Snapshot): void {
    trend.push(snapshot.atMs, snapshot.tipC);
    const changes = changedFields(previousFields, snapshot);
    const message: ServerMessage =
      last === null ? { kind: 'full', snapshot, trend: trend.columns() } : { kind: 'changes', changes, point: [snapshot.atMs, snapshot.tipC] };
    last = snapshot;
    if (clients.size > 0) broadcast(JSON.stringify(message));
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

  return { url, publish, close };
}
