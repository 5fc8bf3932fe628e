import { createRequire } from 'node:module';
import type { MockBindingInterface, MockPortBinding } from '@serialport/binding-mock' with { 'resolution-mode': 'require' };
import { SerialPortStream } from '@serialport/stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SerialFrontend } from '../hal/serial/frontend.js';
import { crc16Hex } from '../hal/serial/crc16.js';
import { CORRUPT_BURST_COUNT, HANDSHAKE_TIMEOUT_MS, LINK_SILENCE_MS, RECONNECT_INITIAL_MS } from '../hal/serial/limits.js';
import { encodeLine } from '../hal/serial/protocol.js';
import { ManualTimers } from '../kernel/timers.js';
import { VirtualClock } from '../kernel/clock.js';

// binding-mock 10 ships types only for its CommonJS entry, so it is loaded (and typed) as CommonJS.
const { MockBinding } = createRequire(import.meta.url)('@serialport/binding-mock') as { MockBinding: MockBindingInterface };

const PATH = '/dev/ttyFE0';
const DEVICE_HELLO = encodeLine({ kind: 'device-hello', version: 1, deviceId: 'FE-0042', firmwareVersion: '1.0.3', channelCount: 2, thermocoupleType: 'T' });
const sample = (seq: number, channel: number, tempC: number, faultBits = 0): string =>
  encodeLine({ kind: 'sample', seq, channel, tempC, coldJunctionC: 24.75, faultBits });

/** Let MockBinding's nextTick/promise chains run; no wall-clock time passes. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}

interface Rig {
  readonly frontend: SerialFrontend;
  readonly clock: VirtualClock;
  readonly timers: ManualTimers;
  readonly ports: SerialPortStream<typeof MockBinding>[];
  binding(): MockPortBinding;
  send(text: string): Promise<void>;
  connect(): Promise<void>;
}

function rig(): Rig {
  const clock = new VirtualClock(1_000);
  const timers = new ManualTimers(clock);
  const ports: SerialPortStream<typeof MockBinding>[] = [];
  const openPort = (): SerialPortStream<typeof MockBinding> => {
    const port = new SerialPortStream({ binding: MockBinding, path: PATH, baudRate: 115_200, autoOpen: false });
    ports.push(port);
    return port;
  };
  const frontend = new SerialFrontend({ name: PATH, openPort, channels: 2, thermocoupleType: 'T', clock, timers });
  const binding = (): MockPortBinding => ports.at(-1)!.port!;
  const send = async (text: string): Promise<void> => { binding().emitData(Buffer.from(text, 'latin1')); await settle(); };
  const connect = async (): Promise<void> => { await settle(); await send(DEVICE_HELLO); };
  return { frontend, clock, timers, ports, binding, send, connect };
}

describe('SerialFrontend over MockBinding', () => {
  let r: Rig;
  beforeEach(() => {
    MockBinding.createPort(PATH, { echo: false, record: true });
    r = rig();
  });
  afterEach(async () => {
    await r.frontend.close();
    MockBinding.reset();
  });

  it('sends HELLO and reports a fault until the device answers', async () => {
    await settle();
    expect(r.binding().recording.toString('latin1')).toBe('HELLO 1*3C7B\n');
    expect(r.frontend.fault()).toMatch(/connecting/);
    await r.send(DEVICE_HELLO);
    expect(r.frontend.fault()).toBeNull();
    expect(r.frontend.device()?.deviceId).toBe('FE-0042');
  });

  it('reports channels that never sent a sample as infinitely old', async () => {
    await r.connect();
    expect(r.frontend.tips()[1]!.atMs).toBe(Number.NEGATIVE_INFINITY);
  });

  it('keeps the latest sample per channel stamped with the host clock at receipt', async () => {
    await r.connect();
    r.clock.advanceMs(5);
    await r.send(sample(0, 0, -78.5) + sample(1, 1, -60.25));
    r.clock.advanceMs(5);
    await r.send(sample(2, 0, -79));
    expect(r.frontend.tips()).toEqual([
      { tipC: -79, coldJunctionC: 24.75, fault: null, atMs: 1_010 },
      { tipC: -60.25, coldJunctionC: 24.75, fault: null, atMs: 1_005 },
    ]);
  });

  it('decodes the same samples wherever the stream is split', async () => {
    await r.connect();
    const stream = `${sample(0, 0, -78.5).replace('\n', '\r\n')}${sample(1, 1, -12.25)}`;
    for (let at = 1; at < stream.length; at += 7) {
      await r.send(stream.slice(0, at));
      await r.send(stream.slice(at));
    }
    expect(r.frontend.tips().map((t) => t.tipC)).toEqual([-78.5, -12.25]);
    expect(r.frontend.stats().corruptLines).toBe(0);
  });

  it('shows a thermocouple fault bit as the sample fault', async () => {
    await r.connect();
    await r.send(sample(0, 0, Number.NaN, 0x1));
    expect(r.frontend.tips()[0]!.fault).toBe('open');
    expect(r.frontend.fault()).toBeNull();
  });

  it('drops lines before the device HELLO without counting them as corrupt', async () => {
    await settle();
    await r.send('0 -78.50 24.75 0*8D25\n' + sample(7, 0, -70));
    await r.send(DEVICE_HELLO);
    expect(r.frontend.stats()).toMatchObject({ preHandshakeLines: 2, corruptLines: 0 });
    expect(r.frontend.tips()[0]!.atMs).toBe(Number.NEGATIVE_INFINITY);
  });

  it('counts and drops a bad checksum, garbage and an overlong line without a fault', async () => {
    await r.connect();
    await r.send('S 0 0 -78.50 24.75 0*0000\n\u00ff\u00fe\n' + 'x'.repeat(500) + '\n' + sample(0, 0, -50));
    expect(r.frontend.stats()).toMatchObject({ corruptLines: 2, overlongLines: 1, samples: 1 });
    expect(r.frontend.tips()[0]!.tipC).toBe(-50);
    expect(r.frontend.fault()).toBeNull();
  });

  it('counts sequence gaps and the lines missed, across the 65535 -> 0 wrap', async () => {
    await r.connect();
    await r.send(sample(65_534, 0, -1) + sample(65_535, 0, -1) + sample(0, 0, -1) + sample(4, 0, -1));
    expect(r.frontend.stats()).toMatchObject({ sequenceGaps: 1, missedLines: 3 });
  });

  it('ignores and counts a valid line of an unknown type', async () => {
    await r.connect();
    await r.send(`CAL 1*${crc16Hex('CAL 1')}\n`);
    expect(r.frontend.stats()).toMatchObject({ unknownLines: 1, corruptLines: 0 });
  });

  it('treats a sample for a channel the device does not have as corrupt', async () => {
    await r.connect();
    await r.send(sample(0, 5, -1));
    expect(r.frontend.stats().corruptLines).toBe(1);
  });

  it(`raises a fault on ${CORRUPT_BURST_COUNT} corrupt lines within the window, then reconnects`, async () => {
    await r.connect();
    await r.send('garbage\n'.repeat(CORRUPT_BURST_COUNT));
    expect(r.frontend.fault()).toMatch(/corrupt lines within/);
    expect(r.ports[0]!.isOpen).toBe(false);
    r.timers.advanceMs(RECONNECT_INITIAL_MS);
    await r.connect();
    expect(r.ports).toHaveLength(2);
    expect(r.frontend.fault()).toBeNull();
    expect(r.frontend.stats().sessions).toBe(2);
  });

  it('does not fault on corrupt lines spread wider than the window', async () => {
    await r.connect();
    for (let i = 0; i < CORRUPT_BURST_COUNT * 2; i++) {
      await r.send(`garbage\n${sample(i, 0, -1)}`);
      r.timers.advanceMs(300);
    }
    expect(r.frontend.fault()).toBeNull();
  });

  it('faults on unplug and reconnects with exponential backoff while the port stays away', async () => {
    await r.connect();
    r.ports[0]!._disconnected(new Error('device unplugged'));
    await settle();
    expect(r.frontend.fault()).toMatch(/disconnected \(device unplugged\)/);
    MockBinding.reset(); // the device node is gone: opening fails
    const attemptsAt: number[] = [];
    for (let i = 0; i < 40; i++) {
      const before = r.frontend.stats().connectAttempts;
      r.timers.advanceMs(50);
      await settle();
      if (r.frontend.stats().connectAttempts > before) attemptsAt.push(r.clock.nowMs());
    }
    expect(attemptsAt.slice(0, 3).map((t, i, a) => (i === 0 ? t : t - a[i - 1]!))).toEqual([1_250, 500, 1_000]);
    expect(r.frontend.fault()).toMatch(/cannot open the port/);
    MockBinding.createPort(PATH, { echo: false, record: true });
    r.timers.advanceMs(r.frontend.backoffMs);
    await r.connect();
    expect(r.frontend.fault()).toBeNull();
    expect(r.frontend.backoffMs).toBe(RECONNECT_INITIAL_MS);
  });

  it('faults when the port reports an error', async () => {
    await r.connect();
    r.ports[0]!.emit('error', new Error('EIO'));
    expect(r.frontend.fault()).toMatch(/port error \(EIO\)/);
  });

  it('faults when the device does not answer HELLO in time', async () => {
    await settle();
    r.timers.advanceMs(HANDSHAKE_TIMEOUT_MS);
    expect(r.frontend.fault()).toMatch(/no HELLO/);
  });

  it('refuses a device speaking another protocol version', async () => {
    await settle();
    await r.send(encodeLine({ kind: 'device-hello', version: 2, deviceId: 'FE-9', firmwareVersion: '9.0', channelCount: 2, thermocoupleType: 'T' }));
    expect(r.frontend.fault()).toMatch(/refused: device speaks protocol 2, host speaks 1/);
  });

  it('refuses a device set for another thermocouple type', async () => {
    await settle();
    await r.send(encodeLine({ kind: 'device-hello', version: 1, deviceId: 'FE-9', firmwareVersion: '1.0', channelCount: 2, thermocoupleType: 'K' }));
    expect(r.frontend.fault()).toMatch(/type K, the board expects type T/);
  });

  it('faults when the link goes silent, and heartbeats keep it alive without refreshing samples', async () => {
    await r.connect();
    await r.send(sample(0, 0, -78.5));
    for (let i = 1; i <= 10; i++) {
      r.timers.advanceMs(100);
      await r.send(encodeLine({ kind: 'heartbeat', seq: i }));
    }
    expect(r.frontend.fault()).toBeNull();
    expect(r.frontend.tips()[0]!.atMs).toBe(1_000);
    expect(r.frontend.stats().heartbeats).toBe(10);
    r.timers.advanceMs(LINK_SILENCE_MS);
    expect(r.frontend.fault()).toMatch(/no line for 500 ms/);
  });

  it('faults on silence even while garbage trickles in below the corrupt-burst limit', async () => {
    await r.connect();
    await r.send(sample(0, 0, -78.5));
    for (let i = 1; i <= 4; i++) {
      r.timers.advanceMs(100);
      await r.send('garbage\n');
    }
    expect(r.frontend.fault()).toBeNull();
    r.timers.advanceMs(100);
    expect(r.frontend.fault()).toMatch(/no line for 500 ms/);
  });

  it('stops reconnecting once closed', async () => {
    await r.connect();
    await r.frontend.close();
    r.timers.advanceMs(60_000);
    expect(r.ports).toHaveLength(1);
    expect(r.timers.pendingCount).toBe(0);
    expect(r.frontend.fault()).toMatch(/closed/);
  });
});

describe('SerialFrontend closed while the port is opening', () => {
  it('releases the port once it opens', async () => {
    MockBinding.createPort(PATH, { echo: false, record: true });
    const r = rig();
    await r.frontend.close();
    await settle();
    expect(r.ports[0]!.isOpen).toBe(false);
    MockBinding.reset();
  });
});
