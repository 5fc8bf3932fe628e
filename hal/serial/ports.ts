// Opening and finding real serial ports. `SerialPort.list()` rejects where udev is missing
// (containers, some CI images; shared/domain.md section 9), so it is always wrapped.

import { SerialPort } from 'serialport';
import type { SerialPortStream } from '@serialport/stream';

/** Makes a new, unopened port for each session (`autoOpen: false`; the front-end opens it). */
export type PortFactory = () => SerialPortStream;

/** A factory for a real serial port (or a pty) at `path`. */
export function serialPortFactory(path: string, baudRate: number): PortFactory {
  return () => new SerialPort({ path, baudRate, autoOpen: false });
}

export interface PortQuery {
  /** Use this path directly (no enumeration needed). */
  readonly path?: string;
  /** USB vendor id, hex as the OS reports it (e.g. "2341" for Arduino); case-insensitive. */
  readonly vendorId?: string;
  readonly productId?: string;
}

export interface PortListing { readonly path: string; readonly vendorId?: string | undefined; readonly productId?: string | undefined }

export type FindPortResult = { readonly ok: true; readonly path: string } | { readonly ok: false; readonly error: string };

/** Find a port by path or vendor/product id. Never throws or rejects: failures are values. */
export async function findPort(
  query: PortQuery,
  list: () => Promise<readonly PortListing[]> = () => SerialPort.list(),
): Promise<FindPortResult> {
  if (query.path !== undefined) return { ok: true, path: query.path };
  if (query.vendorId === undefined) return { ok: false, error: 'serial port: give a path or a vendor id' };
  let ports: readonly PortListing[];
  try {
    ports = await list();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, error: `serial port: cannot list ports (${reason}); without udev, give the port path instead of a vendor id` };
  }
  const wantVendor = query.vendorId.toLowerCase();
  const wantProduct = query.productId?.toLowerCase();
  const matches = ports.filter((p) => p.vendorId?.toLowerCase() === wantVendor
    && (wantProduct === undefined || p.productId?.toLowerCase() === wantProduct));
  const label = `vendor id ${query.vendorId}${wantProduct === undefined ? '' : ` product id ${query.productId ?? ''}`}`;
  const [first] = matches;
  if (first === undefined) return { ok: false, error: `serial port: no port with ${label} among ${ports.length} listed; check the cable` };
  if (matches.length > 1) return { ok: false, error: `serial port: ${matches.length} ports with ${label} (${matches.map((m) => m.path).join(', ')}); give the path` };
  return { ok: true, path: first.path };
}
