import { describe, expect, it } from 'vitest';
import { findPort } from '../hal/serial/ports.js';

const LISTING = [
  { path: '/dev/ttyACM0', vendorId: '2341', productId: '0043' },
  { path: '/dev/ttyUSB0', vendorId: '0403', productId: '6001' },
  { path: '/dev/ttyUSB1', vendorId: '0403', productId: '6015' },
];

describe('findPort', () => {
  it('uses a given path without listing ports', async () => {
    const list = (): Promise<never> => Promise.reject(new Error('must not be called'));
    expect(await findPort({ path: '/dev/ttyFE0', vendorId: '2341' }, list)).toEqual({ ok: true, path: '/dev/ttyFE0' });
  });

  it('finds the single port with a vendor id, ignoring case', async () => {
    expect(await findPort({ vendorId: '2341' }, () => Promise.resolve(LISTING))).toEqual({ ok: true, path: '/dev/ttyACM0' });
    expect(await findPort({ vendorId: '0403', productId: '6015' }, () => Promise.resolve(LISTING))).toEqual({ ok: true, path: '/dev/ttyUSB1' });
  });

  it('reports a failing list() as a value naming the fix, never a rejection', async () => {
    const result = await findPort({ vendorId: '2341' }, () => Promise.reject(new Error('udev not available')));
    expect(result).toEqual({ ok: false, error: expect.stringMatching(/cannot list ports \(udev not available\).*give the port path/) as unknown });
  });

  it('refuses to guess between two matching ports', async () => {
    const result = await findPort({ vendorId: '0403' }, () => Promise.resolve(LISTING));
    expect(result.ok ? '' : result.error).toMatch(/2 ports with vendor id 0403 \(\/dev\/ttyUSB0, \/dev\/ttyUSB1\)/);
  });

  it('reports no match with the number of ports listed', async () => {
    const result = await findPort({ vendorId: 'beef' }, () => Promise.resolve(LISTING));
    expect(result.ok ? '' : result.error).toMatch(/no port with vendor id beef among 3 listed/);
  });

  it('never rejects with the real SerialPort.list(), whatever this machine has', async () => {
    const result = await findPort({ vendorId: 'ffff' });
    expect(result.ok).toBe(false);
  });
});
