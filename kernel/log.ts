// Structured logs (pino): pretty on a terminal, JSON lines otherwise. Every phase change, trip,
// acknowledge and operator input is logged with its id by the runtime (src/runtime/loop.ts).
import { createRequire } from 'node:module';
import { pino } from 'pino';
import type { Logger } from 'pino';
import type PinoPretty from 'pino-pretty';

/** pino-pretty is loaded only for a terminal: a console under a service manager, the page's
 * worker and every JSON run never use it, and it costs each thread that loads it ~1.5 MB (issue 9:
 * the console's RSS). It is CommonJS, so a synchronous require keeps createLogger synchronous. */
function loadPretty(): typeof PinoPretty {
  return createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
}

export type { Logger } from 'pino';

export interface LoggerOptions {
  readonly level?: string;
  /** Where log lines go; defaults to stderr so stdout stays free for JSON results. */
  readonly destination?: NodeJS.WritableStream;
  /** Force pretty or JSON; by default pretty when the destination is a terminal. */
  readonly pretty?: boolean;
  /** Write JSON lines straight to this file descriptor from the calling thread, asynchronously
   * (pino.destination), instead of `destination`. For a worker thread: its process.stderr is a
   * stream carried through the thread that started it (in `cryo run`, the control loop's), so
   * every line a worker logs there costs the loop's thread. Never pretty. */
  readonly fd?: number;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  if (options.fd !== undefined) return pino({ level: options.level ?? 'info' }, pino.destination({ fd: options.fd, sync: false }));
  const destination = options.destination ?? process.stderr;
  const isTty = (destination as { isTTY?: boolean }).isTTY === true;
  const level = options.level ?? 'info';
  if (options.pretty ?? isTty) {
    return pino({ level }, loadPretty()({ destination, sync: true, singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }));
  }
  return pino({ level }, destination);
}

/** A logger that writes nothing (simulations that print only their JSON result). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
