import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { loadAnyBoardFile, type HardwareBoard } from '../src/board.js';
import { VirtualClock } from '../kernel/clock.js';
import { FirmataBackend } from '../hal/firmata/board.js';
import { ioSourceFor } from '../hal/firmata/io-source.js';
import { johnnyFiveConnector, pinIoOver } from '../hal/firmata/johnny-five.js';
import type { J5Io } from '../hal/firmata/johnny-five.js';

// mock-firmata ships no types: load it untyped and describe the part used here.
const mockFirmata = createRequire(import.meta.url)('mock-firmata') as { Firmata: new () => MockIo };
const UNO = loadAnyBoardFile('boards/arduino-uno.json') as HardwareBoard;

interface MockIo {
  emit(event: string, data?: unknown): void;
  digitalWrite(pin: number, value: number): void;
  pinMode(pin: number, mode: number): void;
  analogRead(pin: number, cb: (v: number) => void): void;
  digitalRead(pin: number, cb: (v: number) => void): void;
}

/** A mock-firmata io whose pin operations are recorded in order. */
function mockIo(): { io: MockIo; calls: string[]; analog: Map<number, (v: number) => void> } {
  const io = new mockFirmata.Firmata();
  const calls: string[] = [];
  const analog = new Map<number, (v: number) => void>();
  io.digitalWrite = (pin, value) => void calls.push(`write ${pin} ${value}`);
  io.pinMode = (pin, mode) => void calls.push(`mode ${pin} ${mode}`);
  io.analogRead = (pin, cb) => void analog.set(pin, cb);
  io.digitalRead = () => undefined;
  return { io, calls, analog };
}

async function connected(board: HardwareBoard) {
  const m = mockIo();
  const clock = new VirtualClock(0);
  const backend = new FirmataBackend({ board, clock, connector: johnnyFiveConnector(() => Promise.resolve({ io: m.io })) });
  await new Promise((r) => setImmediate(r));
  m.io.emit('connect');
  m.io.emit('ready');
  await new Promise((r) => setImmediate(r));
  return { ...m, clock, backend };
}

describe('Firmata back-end through johnny-five and mock-firmata', () => {
  it.each([
    ['active-high', 0],
    ['active-low', 1],
  ] as const)('writes the %s valves closed before any other pin operation', async (valvePolarity, closed) => {
    const r = await connected({ ...UNO, valvePolarity });
    expect(r.calls.slice(0, 6)).toEqual([`write 7 ${closed}`, 'mode 7 1', `write 7 ${closed}`, `write 8 ${closed}`, 'mode 8 1', `write 8 ${closed}`]);
    await r.backend.close();
  });

  it('scales the analog reports johnny-five delivers', async () => {
    const r = await connected(UNO);
    r.clock.advanceMs(20);
    r.analog.get(0)!(511.5);
    expect(r.backend.inputs().supply.barGauge).toBeCloseTo(50, 6);
    await r.backend.close();
  });

  it('reports the board lost and writes the safe state when the io closes', async () => {
    const r = await connected(UNO);
    r.backend.write({ supplyValveOpen: true, safetyValveOpen: true, heartbeat: true, lamps: { high: false, medium: false, low: false }, buzzer: false });
    r.io.emit('close');
    expect(r.backend.fault()).toMatch(/firmata: board \(auto\) lost: close/);
    for (const pin of [7, 8, 9]) expect(r.calls.filter((c) => c.startsWith(`write ${pin} `)).at(-1)).toBe(`write ${pin} 0`);
    await r.backend.close();
  });

  it('reports a missing raspi-io with a clear message', async () => {
    const source = ioSourceFor({ ...UNO, firmata: { ...UNO.firmata, io: 'raspi' } }, { loadRaspi: () => Promise.reject(new Error("Cannot find package 'raspi-io'")) });
    await expect(source()).rejects.toThrow(/firmata.io "raspi" needs the optional raspi-io package/);
  });

  it('reports a failing serial port listing instead of throwing', async () => {
    const source = ioSourceFor(UNO, { list: () => Promise.reject(new Error('udev unavailable')) });
    await expect(source()).rejects.toThrow(/cannot list serial ports \(udev unavailable\)/);
  });

  it('never picks the front-end port when looking for the Uno', async () => {
    const board: HardwareBoard = { ...UNO, firmata: { ...UNO.firmata, port: null }, frontend: { ...UNO.frontend, port: '/dev/ttyUSB0' } };
    const source = ioSourceFor(board, { list: () => Promise.resolve([{ path: '/dev/ttyUSB0' }, { path: '/dev/ttyACM0' }]) });
    await expect(source()).resolves.toEqual({ port: '/dev/ttyACM0' });
  });

  it('refuses to guess between two Arduino-like ports', async () => {
    const board: HardwareBoard = { ...UNO, firmata: { ...UNO.firmata, port: null }, frontend: { ...UNO.frontend, port: '/dev/ttyUSB0' } };
    const source = ioSourceFor(board, { list: () => Promise.resolve([{ path: '/dev/ttyACM0' }, { path: '/dev/ttyACM1' }, { path: '/dev/ttyUSB0' }]) });
    await expect(source()).rejects.toThrow('firmata.port null: several Arduino-like serial ports [/dev/ttyACM0, /dev/ttyACM1]: give firmata.port in the board file');
  });

  it("opens the emulated rig's Uno as the serial path it is, like a real board's", async () => {
    const source = ioSourceFor({ ...UNO, rig: { seed: 1, exitWhenIdleS: 600 }, firmata: { ...UNO.firmata, port: '/tmp/cryo-rig/uno' } });
    await expect(source()).resolves.toEqual({ port: '/tmp/cryo-rig/uno' });
  });
});

describe('pull-up inputs on a board without the PULLUP pin mode', () => {
  /** A johnny-five io whose capability report has, or has not, PULLUP on pin 3. */
  function capabilityIo(pullupListed: boolean): { io: J5Io; calls: string[] } {
    const calls: string[] = [];
    const MODES = { INPUT: 0, OUTPUT: 1, ANALOG: 2, PULLUP: 11 };
    const io: J5Io = {
      MODES,
      pins: [undefined, undefined, undefined, { supportedModes: pullupListed ? [0, 1, 11] : [0, 1] }],
      pinMode: (pin, mode) => void calls.push(`mode ${pin} ${mode}`),
      digitalWrite: (pin, value) => void calls.push(`write ${pin} ${value}`),
      digitalRead: () => undefined,
      analogRead: () => undefined,
    };
    return { io, calls };
  }

  it('sets INPUT then writes HIGH when the capability report lacks PULLUP (StandardFirmata 2.4: buttons read pressed for ever otherwise)', () => {
    const { io, calls } = capabilityIo(false);
    pinIoOver(io).pinMode(3, 'pullup');
    expect(calls).toEqual(['mode 3 0', 'write 3 1']);
  });

  it('uses the PULLUP mode when the board lists it', () => {
    const { io, calls } = capabilityIo(true);
    pinIoOver(io).pinMode(3, 'pullup');
    expect(calls).toEqual(['mode 3 11']);
  });
});
