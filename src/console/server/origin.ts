// Who a console client is, from the server's side: the kiosk on this machine (loopback) or
// anything else (remote), and whether a browser request comes from the console's own page.
// These are the seams the tests use to make a client "remote" without sending traffic to a
// non-loopback address of the machine (issue 9, security).
import { isIP } from 'node:net';
import type { ClientOrigin } from '../protocol.js';

/** 127.0.0.0/8, ::1 and IPv4-mapped ::ffff:127.x.y.z are this machine; everything else
 * (including an unknown address) is remote, the stricter class. */
export function classifyAddress(remoteAddress: string | undefined): ClientOrigin {
  if (remoteAddress === undefined) return 'remote';
  const address = remoteAddress.toLowerCase();
  if (address === '::1') return 'loopback';
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  if (isIP(v4) === 4 && v4.split('.')[0] === '127') return 'loopback';
  return 'remote';
}

/** The host part of a Host header (`127.0.0.1:8080`, `[::1]:8080`, `localhost`). */
function hostName(hostHeader: string): string {
  if (hostHeader.startsWith('[')) {
    const end = hostHeader.indexOf(']');
    return end < 0 ? hostHeader : hostHeader.slice(1, end);
  }
  const colon = hostHeader.lastIndexOf(':');
  return colon < 0 ? hostHeader : hostHeader.slice(0, colon);
}

/**
 * DNS rebinding (a page on evil.example whose name later resolves to 127.0.0.1) reaches the
 * server with its own name in Host. The console is reached by address, or as `localhost` by the
 * kiosk, never by a DNS name: a Host that is not an IP literal or `localhost` is refused. The
 * choice keeps working with no network and no name service, which is how the device runs.
 * Returns null when acceptable, else the reason.
 */
export function checkHost(hostHeader: string | undefined): string | null {
  if (hostHeader === undefined || hostHeader === '') return 'no Host header';
  const name = hostName(hostHeader.toLowerCase());
  if (name === 'localhost' || isIP(name) !== 0) return null;
  return `Host '${hostHeader.slice(0, 80)}' is not an IP address or localhost (DNS rebinding guard)`;
}

/**
 * A browser always sends Origin on a WebSocket handshake; a page from another site carries its
 * own origin, so a cross-site page cannot open the console's socket (it could otherwise send
 * stop or acknowledge with the kiosk's loopback address). The origin must be this server's own,
 * http://<Host>. No Origin at all is a non-browser client (a script on a machine that can reach
 * the port), which the address class and the token govern. Returns null when acceptable.
 */
export function checkOrigin(originHeader: string | undefined, hostHeader: string | undefined): string | null {
  if (originHeader === undefined) return null;
  if (hostHeader !== undefined && originHeader.toLowerCase() === `http://${hostHeader.toLowerCase()}`) return null;
  return `Origin '${originHeader.slice(0, 80)}' is not this console's page (cross-site request refused)`;
}
