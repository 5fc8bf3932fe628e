// The MQTT broker of the console bench's telemetry variant (issue 10 section 3): aedes in the
// bench's own process, on a free port of 127.0.0.1, counting what the console publishes, so a run
// whose telemetry never connected is refused rather than measured.
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { Aedes } from 'aedes';

export interface BenchBroker {
  readonly url: string;
  /** Sparkplug messages published by the console, by type (NBIRTH, NDATA, NDEATH). */
  readonly published: Map<string, number>;
  close(): Promise<void>;
}

export async function startBenchBroker(): Promise<BenchBroker> {
  const broker = await Aedes.createBroker();
  const published = new Map<string, number>();
  broker.on('publish', (packet, client) => {
    if (client === null) return;
    const type = packet.topic.split('/')[2] ?? '';
    published.set(type, (published.get(type) ?? 0) + 1);
  });
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    broker.handle(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => { resolve(); }));
  const { port } = server.address() as AddressInfo;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    published,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => { resolve(); }));
      await new Promise<void>((resolve) => { broker.close(() => { resolve(); }); });
    },
  };
}
