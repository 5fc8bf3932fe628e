// An in-process MQTT broker (aedes) on a free loopback port, and a watcher client that decodes
// every Sparkplug message of a group, for the telemetry tests. Close both after each test.
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { TlsOptions } from 'node:tls';
import { Aedes } from 'aedes';
import type { AuthenticateHandler } from 'aedes';
import mqtt from 'mqtt';
import type { MqttClient } from 'mqtt';
import { decodePayload } from '../../src/telemetry/sparkplug.js';
import type { InPayload } from '../../src/telemetry/sparkplug.js';

export interface TestBroker {
  readonly url: string;
  readonly port: number;
  /** Every TCP connection the broker holds now. */
  readonly sockets: Set<Socket>;
  /** Destroys the TCP connection of client `clientId` (as a killed process would leave it). */
  dropClient(clientId: string): boolean;
  close(): Promise<void>;
}

/** Starts aedes on 127.0.0.1 (`port` 0: a free one). */
export async function startBroker(options: { port?: number; authenticate?: AuthenticateHandler; tls?: TlsOptions } = {}): Promise<TestBroker> {
  const broker = await Aedes.createBroker(options.authenticate === undefined ? {} : { authenticate: options.authenticate });
  const sockets = new Set<Socket>();
  const onSocket = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    broker.handle(socket);
  };
  const server: Server = options.tls === undefined ? createServer(onSocket) : createTlsServer(options.tls, onSocket);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => { resolve(); });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${options.tls === undefined ? 'mqtt' : 'mqtts'}://127.0.0.1:${port}`,
    port,
    sockets,
    dropClient: (clientId) => {
      const client = (broker as unknown as { clients: Record<string, { conn: Socket } | undefined> }).clients[clientId];
      if (client === undefined) return false;
      client.conn.destroy();
      return true;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => { resolve(); }));
      await new Promise<void>((resolve) => { broker.close(() => { resolve(); }); });
    },
  };
}

export interface Seen {
  readonly topic: string;
  readonly type: string;
  readonly payload: InPayload;
}

export interface Watcher {
  readonly seen: Seen[];
  readonly client: MqttClient;
  /** Resolves with the first message (from index `from`) matching, or rejects after `timeoutMs`. */
  waitFor(match: (s: Seen) => boolean, timeoutMs?: number, from?: number): Promise<Seen>;
  close(): Promise<void>;
}

/** Subscribes to spBv1.0/GROUP/# and decodes every message. */
export async function watchGroup(url: string, groupId: string): Promise<Watcher> {
  const client = mqtt.connect(url, { clientId: `watcher-${process.pid}-${Math.random().toString(36).slice(2)}`, reconnectPeriod: 0 });
  const seen: Seen[] = [];
  const waiters: { match: (s: Seen) => boolean; resolve: (s: Seen) => void; from: number }[] = [];
  client.on('message', (topic, payload) => {
    let decoded: InPayload;
    try {
      decoded = decodePayload(payload);
    } catch {
      // A test's own malformed NCMD, seen on the way by: kept, with nothing decoded.
      decoded = { timestamp: null, seq: null, metrics: [] };
    }
    const s: Seen = { topic, type: topic.split('/')[2] ?? '', payload: decoded };
    seen.push(s);
    for (const w of [...waiters]) {
      if (seen.length - 1 >= w.from && w.match(s)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(s);
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => {
      client.subscribe(`spBv1.0/${groupId}/#`, { qos: 1 }, (err) => {
        if (err) reject(err);
        else resolve();
      });
    });
    client.once('error', reject);
  });
  return {
    seen,
    client,
    waitFor: (match, timeoutMs = 5_000, from = 0) => {
      const already = seen.slice(from).find(match);
      if (already !== undefined) return Promise.resolve(already);
      return new Promise<Seen>((resolve, reject) => {
        const w = { match, resolve: (s: Seen) => { clearTimeout(timer); resolve(s); }, from };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`no matching message within ${timeoutMs} ms; seen: ${seen.map((x) => `${x.type}#${x.payload.seq}`).join(' ')}`));
        }, timeoutMs);
        waiters.push(w);
      });
    },
    close: () => new Promise<void>((resolve) => client.end(true, {}, () => { resolve(); })),
  };
}

export const metricOf = (s: Seen, name: string) => s.payload.metrics.find((m) => m.name === name);
