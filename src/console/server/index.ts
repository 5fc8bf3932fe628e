// REPLACED BY THE FULL SERVER AT MERGE (issue 9, section 2): a minimal stand-in with the full
// server's signature, so the console worker (src/console/worker.ts) runs on this branch. It only
// opens a WebSocket server (ws) on the address, sends each published snapshot as JSON to the
// connected clients and passes commands that parse (ConsoleCommandSchema) to onCommand, with the
// origin from the socket's remote address. No page, no token, no rate limit: those are the full
// server's.
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import type { ClientOrigin, ConsoleCommand, Snapshot } from '../protocol.js';
import { ConsoleCommandSchema, MAX_CLIENT_MESSAGE_BYTES } from '../protocol.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface ConsoleServerOptions {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly log: (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void;
  readonly onCommand: (command: ConsoleCommand, origin: ClientOrigin, client: string) => void;
}

export interface ConsoleServer {
  readonly url: string;
  publish(snapshot: Snapshot): void;
  close(): Promise<void>;
}

/** A client further behind than this is skipped for a snapshot (a newer one follows in 100 ms). */
const MAX_BUFFERED_BYTES = 256 * 1024;

/** 127.0.0.0/8, ::1, and IPv4 loopback mapped into IPv6. */
export function isLoopbackAddress(address: string): boolean {
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return v4.startsWith('127.') || address === '::1';
}

export async function startConsoleServer(options: ConsoleServerOptions): Promise<ConsoleServer> {
  const wss = new WebSocketServer({ host: options.host, port: options.port, maxPayload: MAX_CLIENT_MESSAGE_BYTES });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  const address = wss.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  wss.on('connection', (socket, request) => {
    const client = request.socket.remoteAddress ?? 'unknown';
    const origin: ClientOrigin = isLoopbackAddress(client) ? 'loopback' : 'remote';
    socket.on('message', (data, isBinary) => {
      const text = isBinary ? null : Buffer.from(data as Buffer).toString('utf8');
      let parsed: unknown = null;
      try {
        parsed = text === null ? null : JSON.parse(text);
      } catch {
        parsed = null;
      }
      const command = ConsoleCommandSchema.safeParse(parsed);
      if (!command.success) {
        options.log('warn', `console client ${client}: message refused: not a command`, { client });
        socket.send(JSON.stringify({ error: 'not a command' }));
        return;
      }
      options.onCommand(command.data, origin, client);
    });
  });
  return {
    url: `http://${host}:${address.port}`,
    publish(snapshot: Snapshot): void {
      if (wss.clients.size === 0) return;
      const text = JSON.stringify(snapshot);
      for (const c of wss.clients) if (c.readyState === WebSocket.OPEN && c.bufferedAmount < MAX_BUFFERED_BYTES) c.send(text);
    },
    close(): Promise<void> {
      for (const c of wss.clients) c.terminate();
      return new Promise((resolve) => {
        wss.close(() => {
          resolve();
        });
      });
    },
  };
}
