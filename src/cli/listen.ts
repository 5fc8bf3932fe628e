// `cryo run --listen HOST:PORT`: where the console page is served (issue 9). Loopback by default:
// the kiosk on this machine; another address serves the network, which is allowed but warned.
import { isIP } from 'node:net';
import { UsageError } from './errors.js';
import { parseInteger } from './options.js';

export const DEFAULT_LISTEN = '127.0.0.1:8080';
/** Port 0 asks the system for any free port (tests; the URL printed says which). */
const PORT_MIN = 0;
const PORT_MAX = 65_535;

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
  /** Only this machine can reach it. */
  readonly loopback: boolean;
}

/** `HOST:PORT`, `[IPV6]:PORT` or `localhost:PORT`; HOST an IP address or localhost. */
export function parseListen(text: string): ListenAddress {
  const match = /^\[([^\]]+)\]:([^:]+)$/.exec(text) ?? /^([^:[\]]+):([^:]+)$/.exec(text);
  if (match === null) throw new UsageError(`--listen: '${text}' is not HOST:PORT (e.g. ${DEFAULT_LISTEN} or [::1]:8080)`);
  const host = match[1] ?? '';
  const port = parseInteger('--listen port', match[2] ?? '', PORT_MIN, PORT_MAX);
  if (host !== 'localhost' && isIP(host) === 0) throw new UsageError(`--listen: host '${host}' must be an IP address or localhost`);
  const loopback = host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
  return { host, port, loopback };
}
