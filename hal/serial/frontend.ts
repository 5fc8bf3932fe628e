// The thermocouple front-end back-end: a TipSource over a serial line (docs/serial-protocol.md).
// It opens the port, handshakes, keeps the latest sample per channel stamped with the host's
// monotonic clock at receipt, and supervises the link: any loss (port error, close, unplug,
// silence, a burst of corrupt lines, a failed handshake) sets fault() and schedules a reconnect
// with exponential backoff. Each reconnect is a new session with a new handshake. It never
// decides safety: the controller turns fault() into HAL_FAULT and old samples into SENSOR_STALE.

import type { ThermocoupleType } from '../../kernel/probe.js';
import type { SerialPortStream } from '@serialport/stream';
import type { TipSample, TipSource } from '../contract.js';
import type { Clock } from '../../kernel/clock.js';
import { LineFramer } from './framer.js';
import { LinkStats, type SerialFrontendStats } from './link-stats.js';
import { RECONNECT_FACTOR, resolveFrontendLimits, type FrontendLimits } from './limits.js';
import type { PortFactory } from './ports.js';
import {
  MAX_CHANNELS, PROTOCOL_VERSION, decodeLine, encodeLine, tcFaultOf,
  type DeviceHello, type SampleLine,
} from './protocol.js';
import { realTimers, type CancelTimer, type Timers } from '../../kernel/timers.js';
import { ReconnectBackoff } from '../../kernel/reconnect.js';

export interface SerialFrontendOptions {
  /** Names the device in fault texts, e.g. the port path. */
  readonly name: string;
  readonly openPort: PortFactory;
  /** Channels the board uses (0..channels-1); the device must report at least this many. */
  readonly channels: number;
  /** The device must linearise for this type; a mismatch would read the wrong temperature. */
  readonly thermocoupleType: ThermocoupleType;
  readonly clock: Clock;
  readonly timers?: Timers;
  readonly limits?: Partial<FrontendLimits>;
}

type State = 'opening' | 'handshaking' | 'streaming' | 'backoff' | 'closed';

/** A channel that has never reported: NaN and infinitely old, so SENSOR_STALE trips on it. */
const NO_SAMPLE: TipSample = Object.freeze({ tipC: Number.NaN, coldJunctionC: Number.NaN, fault: null, atMs: Number.NEGATIVE_INFINITY });

export class SerialFrontend implements TipSource {
  readonly #options: SerialFrontendOptions;
  readonly #limits: FrontendLimits;
  readonly #timers: Timers;
  readonly #stats: LinkStats;
  readonly #framer: LineFramer;
  readonly #latest: TipSample[];
  #state: State = 'opening';
  /** Incremented whenever a session ends: callbacks from an older port see a stale number. */
  #session = 0;
  #port: SerialPortStream | null = null;
  #fault: string | null;
  #device: DeviceHello | null = null;
  /** The first connect is not counted: if it fails, the first retry waits reconnectInitialMs. */
  readonly #reconnect: ReconnectBackoff;
  #lastLineAtMs = 0;
  #cancelHandshake: CancelTimer | null = null;
  #cancelSilence: CancelTimer | null = null;

  /** Starts connecting at once. Throws RangeError for bad options. */
  constructor(options: SerialFrontendOptions) {
    if (!(Number.isInteger(options.channels) && options.channels >= 1 && options.channels <= MAX_CHANNELS)) {
      throw new RangeError(`serial front-end ${options.name}: channels = ${options.channels} (1..${MAX_CHANNELS} expected)`);
    }
    this.#options = options;
    this.#limits = resolveFrontendLimits(options.limits);
    this.#timers = options.timers ?? realTimers;
    this.#stats = new LinkStats(this.#limits.corruptBurstCount, this.#limits.corruptBurstWindowMs);
    this.#framer = new LineFramer((line) => { this.#onLine(line); });
    this.#latest = Array.from({ length: options.channels }, () => NO_SAMPLE);
    this.#reconnect = new ReconnectBackoff(
      { initialMs: this.#limits.reconnectInitialMs, maxMs: this.#limits.reconnectMaxMs, factor: RECONNECT_FACTOR },
      this.#timers,
    );
    this.#fault = `${options.name}: connecting (no session yet)`;
    this.#connect();
  }

  tips(): readonly TipSample[] {
    return this.#latest.slice();
  }

  fault(): string | null {
    return this.#fault;
  }

  stats(): SerialFrontendStats {
    return { ...this.#stats.snapshot(), overlongLines: this.#framer.stats().overlongLines };
  }

  /** The device of the current session, or null between sessions. */
  device(): DeviceHello | null {
    return this.#device;
  }

  get state(): State {
    return this.#state;
  }

  /** The delay before the next reconnect attempt (for diagnostics and tests). */
  get backoffMs(): number {
    return this.#reconnect.nextDelayMs;
  }

  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    const port = this.#port;
    this.#endSession();
    this.#reconnect.cancel();
    this.#state = 'closed';
    this.#fault = `${this.#options.name}: closed`;
    if (port?.isOpen === true) await new Promise<void>((resolve) => { port.close(() => { resolve(); }); });
  }

  #connect(): void {
    this.#state = 'opening';
    this.#stats.counts.connectAttempts++;
    const session = this.#session;
    let port: SerialPortStream;
    try {
      port = this.#options.openPort();
    } catch (error) {
      this.#lost(session, `cannot create the port (${errorText(error)})`);
      return;
    }
    this.#port = port;
    this.#framer.reset();
    port.on('data', (chunk: Buffer) => { if (session === this.#session) this.#framer.push(chunk); });
    port.on('error', (error: Error) => { this.#lost(session, `port error (${error.message})`); });
    port.on('close', (error: Error | null | undefined) => {
      this.#lost(session, error ? `disconnected (${error.message})` : 'port closed');
    });
    port.open((error) => {
      if (session !== this.#session) {
        // Closed or lost while opening: release the port that has just opened.
        if (!error && port.isOpen) port.close(() => { /* nothing left to report to */ });
        return;
      }
      if (error) { this.#lost(session, `cannot open the port (${error.message})`); return; }
      this.#state = 'handshaking';
      port.write(encodeLine({ kind: 'host-hello', version: PROTOCOL_VERSION }));
      this.#cancelHandshake = this.#timers.schedule(this.#limits.handshakeTimeoutMs, () => {
        this.#lost(session, `no HELLO from the device within ${this.#limits.handshakeTimeoutMs} ms`);
      });
    });
  }

  #onLine(line: string): void {
    const nowMs = this.#options.clock.nowMs();
    const decoded = decodeLine(line);
    // Only a line that decodes shows the link alive: a trickle of garbage must not hide silence.
    if (decoded.kind !== 'error') this.#lastLineAtMs = nowMs;
    if (this.#state === 'handshaking') {
      if (decoded.kind === 'device-hello') this.#handshake(decoded, nowMs);
      else this.#stats.counts.preHandshakeLines++;
      return;
    }
    if (this.#state !== 'streaming') return;
    switch (decoded.kind) {
      case 'sample': this.#sample(decoded, nowMs); break;
      case 'heartbeat': this.#stats.counts.heartbeats++; this.#stats.sequence(decoded.seq); break;
      case 'unknown': this.#stats.counts.unknownLines++; break;
      case 'device-hello': this.#lost(this.#session, 'device sent HELLO mid-session (it restarted)'); break;
      case 'host-hello': this.#corrupt(nowMs, 'host HELLO received (echo or loopback?)'); break;
      case 'error': this.#corrupt(nowMs, `${decoded.reason}: ${decoded.detail}`); break;
    }
  }

  #handshake(hello: DeviceHello, nowMs: number): void {
    const session = this.#session;
    const { channels, thermocoupleType } = this.#options;
    if (hello.version !== PROTOCOL_VERSION) {
      this.#lost(session, `refused: device speaks protocol ${hello.version}, host speaks ${PROTOCOL_VERSION}`); return;
    }
    if (hello.channelCount < channels) {
      this.#lost(session, `refused: device ${hello.deviceId} has ${hello.channelCount} channels, the board uses ${channels}`); return;
    }
    if (hello.thermocoupleType !== thermocoupleType) {
      this.#lost(session, `refused: device ${hello.deviceId} is set for type ${hello.thermocoupleType}, the board expects type ${thermocoupleType}`); return;
    }
    this.#cancelHandshake?.();
    this.#cancelHandshake = null;
    this.#device = hello;
    this.#state = 'streaming';
    this.#fault = null;
    this.#reconnect.reset();
    this.#stats.newSession();
    this.#stats.counts.sessions++;
    this.#lastLineAtMs = nowMs;
    this.#armSilence(session);
  }

  #sample(sample: SampleLine, nowMs: number): void {
    const device = this.#device;
    if (device === null || sample.channel >= device.channelCount) {
      this.#corrupt(nowMs, `sample for channel ${sample.channel}, device has ${device?.channelCount ?? 0}`);
      return;
    }
    this.#stats.sequence(sample.seq);
    this.#stats.counts.samples++;
    if (sample.channel >= this.#latest.length) return;
    this.#latest[sample.channel] = {
      tipC: sample.tempC, coldJunctionC: sample.coldJunctionC, fault: tcFaultOf(sample.faultBits), atMs: nowMs,
    };
  }

  #corrupt(nowMs: number, detail: string): void {
    if (this.#stats.corrupt(nowMs, detail)) {
      const { corruptBurstCount, corruptBurstWindowMs } = this.#limits;
      this.#lost(this.#session, `${corruptBurstCount} corrupt lines within ${corruptBurstWindowMs} ms (last: ${detail})`);
    }
  }

  /** Check for silence at the moment the link would have been silent too long; re-arm if not. */
  #armSilence(session: number): void {
    const dueInMs = this.#lastLineAtMs + this.#limits.linkSilenceMs - this.#options.clock.nowMs();
    this.#cancelSilence = this.#timers.schedule(Math.max(1, dueInMs), () => {
      if (session !== this.#session) return;
      const silentMs = this.#options.clock.nowMs() - this.#lastLineAtMs;
      if (silentMs >= this.#limits.linkSilenceMs) this.#lost(session, `no line for ${silentMs.toFixed(0)} ms`);
      else this.#armSilence(session);
    });
  }

  /** End the session `session` (if still current) for `reason` and schedule a reconnect. */
  #lost(session: number, reason: string): void {
    if (session !== this.#session || this.#state === 'closed') return;
    this.#fault = `${this.#options.name}: ${reason}`;
    const port = this.#port;
    this.#endSession();
    if (port?.isOpen === true) port.close(() => { /* errors on a dying port change nothing */ });
    this.#state = 'backoff';
    this.#reconnect.retry(() => { this.#connect(); });
  }

  /** Invalidate callbacks of the current port and stop its timers. Listeners stay attached (and
   * ignore everything) so a late 'error' from the old port is never an unhandled exception. */
  #endSession(): void {
    this.#session++;
    this.#device = null;
    this.#cancelHandshake?.();
    this.#cancelSilence?.();
    this.#cancelHandshake = null;
    this.#cancelSilence = null;
    this.#port = null;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
