// Structured logs (pino): pretty on a terminal, JSON lines otherwise. Every phase change, trip,
// acknowledge and operator input is logged with its id by the runtime (src/runtime/loop.ts).
import { pino } from 'pino';
import type { Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger } from 'pino';

export interface LoggerOptions {
  readonly level?: string;
  /** Where log lines go; defaults to stderr so stdout stays free for JSON results. */
  readonly destination?: NodeJS.WritableStream;
  /** Force pretty or JSON; by default pretty when the destination is a terminal. */
  readonly pretty?: boolean;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? process.stderr;
  const isTty = (destination as { isTTY?: boolean }).isTTY === true;
  const level = options.level ?? 'info';
  if (options.pretty ?? isTty) {
    return pino({ level }, pretty({ destination, sync: true, singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }));
  }
  return pino({ level }, destination);
}

/** A logger that writes nothing (simulations that print only their JSON result). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
