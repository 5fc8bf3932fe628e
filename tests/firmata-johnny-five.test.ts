import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { loadAnyBoardFile, type HardwareBoard } from '../src/board.js';
import { VirtualClock } from '../kernel/clock.js';
import { ManualTimers } from '../kernel/timers.js';
import { FirmataBackend } from '../hal/firmata/board.js';
import { ioSourceFor } from '../hal/firmata/io-source.js';
import { CLOSE_DRAIN_MAX_MS, CLOSE_DRAIN_MAX_TRIES, drainBounded, johnnyFiveConnector, pinIoOver } from '../hal/firmata/johnny-five.js';
import type { J5Io, J5Transport } from '../hal/firmata/johnny-five.js';

// mock-firmata ships no types: load it untyped and describe the part used here.
const mockFirmata = createRequire(import.meta.url)('mock-firmata') as { Firmata: new () => MockIo };
const UNO = loadAnyBoardFile('boards/arduino-uno.json') as HardwareBoard;

interface MockIo {
  transport?: J5Transport;
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

async function connected(board: HardwareBoard, clock = new VirtualClock(0), timers?: ManualTimers) {
  const m = mockIo();
  const backend = new FirmataBackend({ board, clock, connector: johnnyFiveConnector(() => Promise.resolve({ io: m.io }), timers) });
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

/** A serial transport whose drain and close are recorded in the io's call list; its drain calls
 * back only when the test says so. */
class FakeTransport implements J5Transport {
  readonly drains: ((err?: Error | null) => void)[] = [];
  writableLength = 0;
  constructor(private readonly calls: string[]) {}
  drain(cb: (err?: Error | null) => void): void {
    this.calls.push('drain');
    this.drains.push(cb);
  }
  close(): void {
    this.calls.push('close');
  }
}

const GAS_OPEN = { supplyValveOpen: true, safetyValveOpen: true, heartbeat: true, lamps: { high: false, medium: false, low: false }, buzzer: false };

describe('closing the Firmata back-end', () => {
  /** A connected Uno with both valves open, its transport given by `transport`, on manual timers. */
  async function openValves(transport: (calls: string[]) => J5Transport) {
    const clock = new VirtualClock(0);
    const timers = new ManualTimers(clock);
    const r = await connected(UNO, clock, timers);
    r.io.transport = transport(r.calls);
    r.backend.write(GAS_OPEN);
    let closed = false;
    const close = (): Promise<void> => r.backend.close().then(() => void (closed = true));
    return { ...r, timers, close, closed: () => closed };
  }
  const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  /** The valve writes, drains and closes after the valves were opened: the safe state's closing
   * writes (pins 7 and 8), then the transport's drain and close. */
  const fromSafeState = (calls: string[]): string[] =>
    calls.slice(calls.lastIndexOf('write 8 1') + 1).filter((c) => /^(write [78] |drain$|close$)/.test(c));

  it('closes the port only after the transport has drained the safe state', async () => {
    let fake: FakeTransport | null = null;
    const r = await openValves((calls) => (fake = new FakeTransport(calls)));
    const closing = r.close();
    await flush();
    expect(fromSafeState(r.calls)).toEqual(['write 7 0', 'write 8 0', 'drain']);
    expect(r.closed()).toBe(false);
    fake!.drains[0]!(null);
    await closing;
    expect(fromSafeState(r.calls)).toEqual(['write 7 0', 'write 8 0', 'drain', 'close']);
  });

  it('drains again while writes are still queued behind the drained one', async () => {
    let fake: FakeTransport | null = null;
    const r = await openValves((calls) => (fake = new FakeTransport(calls)));
    const closing = r.close();
    await flush();
    fake!.writableLength = 3;
    fake!.drains[0]!(null);
    await flush();
    expect(r.calls.slice(-2)).toEqual(['drain', 'drain']);
    fake!.writableLength = 0;
    fake!.drains[1]!(null);
    await closing;
    expect(r.calls.slice(-3)).toEqual(['drain', 'drain', 'close']);
  });

  it(`closes the port anyway ${CLOSE_DRAIN_MAX_MS} ms after a drain that never calls back`, async () => {
    const r = await openValves((calls) => new FakeTransport(calls));
    const closing = r.close();
    await flush();
    r.timers.advanceMs(CLOSE_DRAIN_MAX_MS - 1);
    await flush();
    expect(r.calls.at(-1)).toBe('drain');
    expect(r.closed()).toBe(false);
    r.timers.advanceMs(1);
    await closing;
    expect(r.calls.at(-1)).toBe('close');
    expect(r.timers.pendingCount).toBe(0);
  });

  /** A transport whose drain calls back by `when`, always with bytes still queued (a transport
   * that never empties), counting its drains. */
  function neverEmpty(when: 'at once' | 'microtask' | 'nextTick' | 'twice', calls: string[]): J5Transport & { count: number } {
    const t = {
      count: 0,
      writableLength: 1,
      drain(cb: (err?: Error | null) => void): void {
        t.count++;
        if (when === 'at once') cb(null);
        else if (when === 'microtask') void Promise.resolve().then(() => { cb(null); });
        else if (when === 'nextTick') process.nextTick(() => { cb(null); });
        else {
          cb(null);
          cb(null);
        }
      },
      close: () => void calls.push('close'),
    };
    return t;
  }

  for (const when of ['at once', 'microtask', 'nextTick', 'twice'] as const) {
    it(`closes after at most ${CLOSE_DRAIN_MAX_TRIES} drains when a drain calling back ${when} always leaves bytes queued`, async () => {
      let t: (J5Transport & { count: number }) | null = null;
      const r = await openValves((calls) => (t = neverEmpty(when, calls)));
      // No timer is advanced: the cap on tries alone ends the wait, neither recursing (a drain
      // calling back at once) nor starving the event loop (one calling back on a microtask).
      await r.close();
      expect(r.calls.at(-1)).toBe('close');
      expect(t!.count).toBeLessThanOrEqual(CLOSE_DRAIN_MAX_TRIES);
      expect(r.timers.pendingCount).toBe(0);
    });
  }

  it('closes at once when its bound cannot be scheduled, and when reading the queued bytes throws in a later callback', async () => {
    const calls: string[] = [];
    const brokenTimers = { schedule: (): (() => void) => { throw new Error('no timers'); } };
    const t = { drain: (): void => undefined, close: (): void => void calls.push('close') };
    await expect(drainBounded(t, brokenTimers)).resolves.toBeUndefined();
    let later: ((err?: Error | null) => void) | null = null;
    const throwing = {
      drain: (cb: (err?: Error | null) => void): void => {
        later = cb;
      },
      get writableLength(): number {
        throw new Error('getter');
      },
    };
    const timers = new ManualTimers(new VirtualClock(0));
    const draining = drainBounded(throwing, timers);
    expect(() => { later!(null); }).not.toThrow();
    await expect(draining).resolves.toBeUndefined();
    expect(timers.pendingCount).toBe(0);
  });

  it('closes a transport without drain at once', async () => {
    const r = await openValves((calls) => ({ close: () => void calls.push('close') }));
    await r.close();
    expect(fromSafeState(r.calls)).toEqual(['write 7 0', 'write 8 0', 'close']);
    expect(r.timers.pendingCount).toBe(0);
    expect(r.clock.nowMs()).toBe(0);
  });
});
