// The console worker (issue 9): a thread of its own that hosts the page's server, so nothing the
// server does (parsing, clients, garbage) runs on the control loop's thread. It receives snapshots
// from the loop (src/console/link.ts), hands each to the server and acknowledges it (the ack is the
// loop's credit and the worker's heartbeat), and forwards client commands to the loop. A start or
// an audio pause from anywhere but this machine is refused here already; the loop refuses it again.
//
// Nothing a client does may end this thread (the loop would see CONSOLE_LOST and stop a freeze):
// the server guards every handler a client can reach (server/index.ts). The loop's own messages
// are not guarded: a fault of the server there is a fault of the console side, and ending the
// thread hands it to the loop's fail-safe (CONSOLE_LOST, restart).
import { parentPort, workerData } from 'node:worker_threads';
import { z } from 'zod';
import { createLogger } from '../../kernel/log.js';
import { kioskOnlyRefusal } from './commands.js';
import { TreatmentTargetSchema } from './protocol.js';
import type { FromConsole, ToConsole } from './protocol.js';
import { RECENT_POLL_MS, RecentPoller } from './records-view.js';
import { startConsoleServer } from './server/index.js';
import type { ConsoleServer, LogLevel } from './server/index.js';
import { lowerThreadPriority } from './worker-priority.js';

/** What the loop hands the worker; validated here, where it crosses into the worker. */
export const ConsoleWorkerDataSchema = z
  .object({
    host: z.string().min(1).max(253),
    port: z.number().int().min(0).max(65_535),
    dataDir: z.string().min(1),
    /** `cryo run --target`: the start dialog preselects it. */
    defaultTarget: TreatmentTargetSchema.nullable().default(null),
  })
  .strict();
export type ConsoleWorkerData = z.infer<typeof ConsoleWorkerDataSchema>;

/** The process's standard error, written by this thread itself (see the logger below). */
const STDERR_FD = 2;
/** A client address as the loop logs it (FromConsoleSchema bounds it). */
const MAX_CLIENT_NAME = 80;

async function main(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('src/console/worker.ts runs as a worker thread (new Worker), not on its own');
  const post = (message: FromConsole): void => {
    port.postMessage(message);
  };
  const parsed = ConsoleWorkerDataSchema.safeParse(workerData);
  if (!parsed.success) {
    post({ kind: 'failed', message: `console worker data: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` });
    return;
  }
  const data = parsed.data;
  // Straight to fd 2 from this thread: a worker's process.stderr is piped through the thread that
  // started it (the control loop's), so a client's flood of refusals would become the loop's work.
  const logger = createLogger({ fd: STDERR_FD });
  const log = (level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void => {
    logger[level]({ ...fields, thread: 'console' }, msg);
  };
  // Before the server starts: everything it does runs below the loop's priority.
  const priority = lowerThreadPriority();
  if (!priority.ok) log('warn', priority.message);
  let server: ConsoleServer | null = null;
  // An object, not a let: the message handler sets it while the server starts.
  const life = { stopping: false };
  // Set once the server runs; the stop handler (registered before) clears it.
  const recentTimer: { id?: ReturnType<typeof setInterval> } = {};
  port.on('message', (message: ToConsole) => {
    if (message.kind === 'stop') {
      life.stopping = true;
      clearInterval(recentTimer.id);
      void (server?.close() ?? Promise.resolve()).finally(() => {
        port.close();
      });
      return;
    }
    server?.publish(message.snapshot);
    post({ kind: 'ack', seq: message.snapshot.seq });
  });
  try {
    server = await startConsoleServer({
      host: data.host,
      port: data.port,
      dataDir: data.dataDir,
      defaultTarget: data.defaultTarget,
      log,
      onCommand: (command, origin, client) => {
        const refusal = kioskOnlyRefusal(command.type, origin, client);
        if (refusal !== null) {
          log('warn', refusal, { client });
          return;
        }
        post({ kind: 'command', command, origin, client: client.slice(0, MAX_CLIENT_NAME) });
      },
    });
  } catch (err) {
    post({ kind: 'failed', message: `--listen ${data.host}:${data.port}: ${(err as Error).message}` });
    return;
  }
  if (life.stopping) {
    await server.close();
    return;
  }
  post({ kind: 'ready', url: server.url });
  // The latest treatments for the page, read here (never on the loop's thread) at connect of the
  // worker and every RECENT_POLL_MS. readRecent never throws; a fault of the server's broadcast is
  // logged, not left to end this thread.
  const running = server;
  const recent = new RecentPoller(data.dataDir, (r) => {
    running.publishRecent(r);
  });
  const poll = (): void => {
    recent.poll().catch((err: unknown) => {
      log('error', 'console: reading the recent treatments failed', { error: err instanceof Error ? err.message : String(err) });
    });
  };
  poll();
  recentTimer.id = setInterval(poll, RECENT_POLL_MS);
}

void main();
