// An emulated thermocouple front-end that speaks docs/serial-protocol.md over any serial port
// (normally one end of a socat pty pair). Fault injection: garbage lines, silence, paused
// conversions (heartbeats only), fault bits per channel, and unplugging its end.

import { SerialPort } from 'serialport';
import { LineFramer } from '../../hal/serial/framer.js';
import {
  MAX_CHANNELS, PROTOCOL_VERSION, SEQ_MODULO, decodeLine, encodeLine, type WireThermocoupleType,
} from '../../hal/serial/protocol.js';
import { realTimers, type CancelTimer, type Timers } from '../../kernel/timers.js';

/** 50 Hz per channel: one line per channel every 20 ms. */
export const EMULATOR_SAMPLE_PERIOD_MS = 20;
/** A heartbeat when no line has gone out for this long (paused conversions). */
export const EMULATOR_HEARTBEAT_MS = 100;

export interface EmulatedReading {
  readonly tempC: number;
  readonly coldJunctionC: number;
  readonly faultBits: number;
}

/** What channel `channel` reads now. */
export type SampleProvider = (channel: number) => EmulatedReading;

export interface FrontendEmulatorOptions {
  readonly provider: SampleProvider;
  readonly channels?: number;
  readonly thermocoupleType?: WireThermocoupleType;
  readonly deviceId?: string;
  readonly firmwareVersion?: string;
  /** The protocol version this device speaks (a different one exercises the refusal). */
  readonly protocolVersion?: number;
  readonly timers?: Timers;
}

/** What the emulator needs of its port: a serialport stream, or the rig's pty link (hil/rig/). */
export interface EmulatorPort {
  readonly isOpen: boolean;
  write(data: Buffer): unknown;
  close(callback: () => void): void;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'error' | 'close', listener: () => void): unknown;
}

export class FrontendEmulator {
  readonly #port: EmulatorPort;
  readonly #options: Required<Omit<FrontendEmulatorOptions, 'timers'>>;
  readonly #timers: Timers;
  readonly #framer: LineFramer;
  readonly #extraFaultBits: number[];
  #streaming = false;
  #silent = false;
  #converting = true;
  #seq = 0;
  #sinceLastLineMs = 0;
  #cancelTick: CancelTimer | null = null;
  #hellosReceived = 0;

  /** Open `path` (the device end of a pty pair) and wait for the host's HELLO. */
  static async open(path: string, options: FrontendEmulatorOptions, baudRate = 115_200): Promise<FrontendEmulator> {
    const port = new SerialPort({ path, baudRate, autoOpen: false });
    await new Promise<void>((resolve, reject) => { port.open((error) => { if (error) reject(error); else resolve(); }); });
    return new FrontendEmulator(port, options);
  }

  constructor(port: EmulatorPort, options: FrontendEmulatorOptions) {
    const channels = options.channels ?? 1;
    if (!(Number.isInteger(channels) && channels >= 1 && channels <= MAX_CHANNELS)) {
      throw new RangeError(`front-end emulator: channels = ${channels} (1..${MAX_CHANNELS} expected)`);
    }
    this.#port = port;
    this.#timers = options.timers ?? realTimers;
    this.#options = {
      provider: options.provider, channels, thermocoupleType: options.thermocoupleType ?? 'T',
      deviceId: options.deviceId ?? 'FE-EMU', firmwareVersion: options.firmwareVersion ?? '0.1.0-emu',
      protocolVersion: options.protocolVersion ?? PROTOCOL_VERSION,
    };
    this.#extraFaultBits = new Array<number>(channels).fill(0);
    this.#framer = new LineFramer((line) => { this.#onHostLine(line); });
    port.on('data', (chunk: Buffer) => { this.#framer.push(chunk); });
    // A host that goes away is not the emulator's problem: stop quietly.
    port.on('error', () => { this.#stop(); });
    port.on('close', () => { this.#stop(); });
  }

  get hellosReceived(): number {
    return this.#hellosReceived;
  }

  /** Write `count` lines of garbage (bad checksums, noise) into the stream. */
  injectGarbage(count: number): void {
    for (let i = 0; i < count; i++) this.#write(i % 2 === 0 ? 'S 1 0 -78.50 24.75 0*0000\n' : '\u00a7#noise\x01\n');
  }

  /** Stop sending anything at all (a hung device), or resume. */
  setSilent(silent: boolean): void {
    this.#silent = silent;
  }

  /** Pause conversions: only heartbeats go out (the link lives, the data goes stale). */
  setConverting(converting: boolean): void {
    this.#converting = converting;
  }

  /** OR extra fault bits into a channel's readings (0 clears). */
  setFaultBits(channel: number, bits: number): void {
    if (channel >= 0 && channel < this.#extraFaultBits.length) this.#extraFaultBits[channel] = bits & 0xf;
  }

  /** Close the emulator's end of the link. */
  async close(): Promise<void> {
    this.#stop();
    const port = this.#port;
    if (port.isOpen) await new Promise<void>((resolve) => { port.close(() => { resolve(); }); });
  }

  #onHostLine(line: string): void {
    const decoded = decodeLine(line);
    // A hung device answers nothing, not even HELLO.
    if (decoded.kind !== 'host-hello' || this.#silent) return;
    this.#hellosReceived++;
    const { protocolVersion, deviceId, firmwareVersion, channels, thermocoupleType } = this.#options;
    this.#stop();
    this.#seq = 0;
    this.#write(encodeLine({ kind: 'device-hello', version: protocolVersion, deviceId, firmwareVersion, channelCount: channels, thermocoupleType }));
    if (decoded.version !== protocolVersion) return;
    this.#streaming = true;
    this.#scheduleTick();
  }

  #scheduleTick(): void {
    this.#cancelTick = this.#timers.schedule(EMULATOR_SAMPLE_PERIOD_MS, () => {
      this.#tick();
      if (this.#streaming) this.#scheduleTick();
    });
  }

  #tick(): void {
    this.#sinceLastLineMs += EMULATOR_SAMPLE_PERIOD_MS;
    if (this.#silent) return;
    if (this.#converting) {
      for (let channel = 0; channel < this.#options.channels; channel++) {
        const reading = this.#options.provider(channel);
        const faultBits = (reading.faultBits | (this.#extraFaultBits[channel] ?? 0)) & 0xf;
        const tempC = faultBits !== 0 && !Number.isFinite(reading.tempC) ? Number.NaN : reading.tempC;
        this.#write(encodeLine({ kind: 'sample', seq: this.#nextSeq(), channel, tempC, coldJunctionC: reading.coldJunctionC, faultBits }));
      }
    } else if (this.#sinceLastLineMs >= EMULATOR_HEARTBEAT_MS) {
      this.#write(encodeLine({ kind: 'heartbeat', seq: this.#nextSeq() }));
    }
  }

  #nextSeq(): number {
    const seq = this.#seq;
    this.#seq = (this.#seq + 1) % SEQ_MODULO;
    return seq;
  }

  #write(line: string): void {
    if (!this.#port.isOpen) return;
    this.#sinceLastLineMs = 0;
    this.#port.write(Buffer.from(line, 'latin1'));
  }

  #stop(): void {
    this.#streaming = false;
    this.#cancelTick?.();
    this.#cancelTick = null;
  }
}
