// The telemetry worker (issue 10 section 2): a thread of its own that runs the MQTT client, so no
// socket wait ever lands on the control loop's thread. It lowers its own priority first (as the
// console worker does), opens the outbox in the records database, and runs the Sparkplug edge node
// (node.ts). Frames from the loop are published or discarded at once and acknowledged (the loop's
// credit); events and summaries are acknowledged once kept in the outbox. Commands go back to the
// loop, which applies them at the start of a tick.
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger } from '../../kernel/log.js';
import { lowerThreadPriority } from '../console/worker-priority.js';
import { recordsPath } from '../records/store.js';
import { VERSION } from '../version.js';
import { TelemetryNode } from './node.js';
import type { LogLevel } from './node.js';
import { Outbox } from './outbox.js';
import { TelemetryWorkerDataSchema } from './protocol.js';
import type { FromTelemetry, ToTelemetry } from './protocol.js';

/** The process's standard error, written by this thread itself (not piped through the loop's). */
const STDERR_FD = 2;

function main(): void {
  const port = parentPort;
  if (port === null) throw new Error('src/telemetry/worker.ts runs as a worker thread (new Worker), not on its own');
  const post = (m: FromTelemetry): void => {
    port.postMessage(m);
  };
  const parsed = TelemetryWorkerDataSchema.safeParse(workerData);
  if (!parsed.success) {
    post({ kind: 'failed', message: `telemetry worker data: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` });
    return;
  }
  const data = parsed.data;
  const logger = createLogger({ fd: STDERR_FD });
  const log = (level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void => {
    logger[level]({ ...fields, thread: 'telemetry' }, msg);
  };
  const priority = lowerThreadPriority();
  if (!priority.ok) log('warn', priority.message);
  const outbox = new Outbox(recordsPath(data.dataDir));
  const consoleId = outbox.consoleId();
  const c = data.config;
  const edgeNodeId = c.edgeNodeId ?? `console-${consoleId}`;
  const node = new TelemetryNode({
    url: c.url,
    groupId: c.groupId,
    edgeNodeId,
    clientId: c.clientId ?? edgeNodeId,
    username: c.username,
    password: c.password,
    ca: data.tls.ca === undefined ? undefined : Buffer.from(data.tls.ca),
    cert: data.tls.cert === undefined ? undefined : Buffer.from(data.tls.cert),
    key: data.tls.key === undefined ? undefined : Buffer.from(data.tls.key),
    outbox,
    properties: { consoleId, softwareVersion: data.softwareVersion || VERSION, board: data.board },
    nowEpochMs: () => Date.now(),
    log,
    onCommand: (command, from) => { post({ kind: 'command', command, from }); },
    onRefused: (command, from, reason) => { post({ kind: 'refused', command, from, reason }); },
    onConnection: (connected, detail) => { post({ kind: 'connected', connected, detail }); },
  });
  port.on('message', (m: ToTelemetry) => {
    switch (m.kind) {
      case 'frame':
        if (m.state !== null) node.state(m.state);
        if (m.telemetry !== null) node.telemetry(m.telemetry);
        post({ kind: 'frame-ack', seq: m.seq });
        return;
      case 'record':
        // A write that fails throws: the thread ends, the loop's side restarts it and sends again
        // what was not acknowledged.
        node.record(m.type, m.atEpochMs, m.body);
        post({ kind: 'record-ack', id: m.id });
        return;
      case 'stop':
        void node.stop().finally(() => {
          outbox.close();
          post({ kind: 'stopped' });
          port.close();
        });
        return;
    }
  });
  log('info', `telemetry: edge node ${c.groupId}/${edgeNodeId} publishing to ${c.url}`);
  node.start();
}

main();
