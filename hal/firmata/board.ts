// The Firmata back-end: valves, heartbeat, lamps, buzzer, operator inputs, probe presence and
// pressure transducers on a board driven through johnny-five. It samples and drives; it never
// decides safety. Losing the board is a fault until a new session is ready; a new session starts
// from the safe state (the board lost its state) and never resumes anything.
import type { HardwareBoard } from '../hardware-board.js';
import type { Clock } from '../../kernel/clock.js';
import { DOUBLING_BACKOFF_FACTOR, ReconnectBackoff } from '../../kernel/reconnect.js';
import { keepAliveTimers, type Timers } from '../../kernel/timers.js';
import type { AbsPressureSample, GaugePressureSample, OperatorSample, Outputs, ProbeSample } from '../contract.js';
import { DebouncedInput } from './button.js';
import { Heartbeat } from './heartbeat.js';
import { Lamps } from './lamps.js';
import type { FirmataConnector, FirmataLink, PinIo } from './pin-io.js';
import { analogChannel, digitalIoPin } from './pins.js';
import { PressureInput } from './pressure.js';
import { Valve } from './valve.js';

/** Firmata's backoff doubles per failed attempt, from reconnectMinMs up to reconnectMaxMs. */
const RECONNECT_FACTOR = DOUBLING_BACKOFF_FACTOR;

/** Everything the Firmata board contributes to one tick's readings. */
export interface FirmataInputs {
  readonly supply: GaugePressureSample;
  readonly returnLine: AbsPressureSample | null;
  readonly probe: ProbeSample;
  readonly operator: OperatorSample;
}

/** What the composite HAL needs from a board back-end. */
export interface FirmataLike {
  inputs(): FirmataInputs;
  write(outputs: Outputs): void;
  toSafeState(): void;
  fault(): string | null;
  close(): Promise<void>;
}

export interface FirmataBackendOptions {
  readonly board: HardwareBoard;
  readonly clock: Clock;
  readonly connector: FirmataConnector;
  /** Default: Node's timers, ref'd (a pending reconnect keeps the process alive, as it always has). */
  readonly timers?: Timers;
}

interface Session {
  readonly supplyValve: Valve;
  readonly safetyValve: Valve;
  readonly heartbeat: Heartbeat;
  readonly lamps: Lamps;
}

type OperatorInputs = Record<'start' | 'stop' | 'acknowledge' | 'footswitch' | 'estop', DebouncedInput>;

export class FirmataBackend implements FirmataLike {
  readonly #board: HardwareBoard;
  readonly #clock: Clock;
  readonly #connector: FirmataConnector;
  readonly #reconnect: ReconnectBackoff;
  #link: FirmataLink | null = null;
  #session: Session | null = null;
  #operator!: OperatorInputs;
  #probe!: DebouncedInput;
  #supply!: PressureInput;
  #returnLine: PressureInput | null = null;
  #lastReportMs = 0;
  #lostReason: string | null = 'not connected yet';
  #closed = false;
  #generation = 0;
  /** A configured feature this back-end cannot serve: a fault for as long as the board is used. */
  #unsupported: string | null = null;
  /** Sessions started so far; each reconnect is a new one. */
  sessions = 0;

  constructor(options: FirmataBackendOptions) {
    this.#board = options.board;
    this.#clock = options.clock;
    this.#connector = options.connector;
    const f = options.board.firmata;
    this.#reconnect = new ReconnectBackoff(
      { initialMs: f.reconnectMinMs, maxMs: f.reconnectMaxMs, factor: RECONNECT_FACTOR },
      options.timers ?? keepAliveTimers,
    );
    this.#resetInputs();
    // The first connect counts as an attempt: if it fails, the first retry waits 2 x reconnectMinMs.
    this.#reconnect.noteAttempt();
    this.#connect();
  }

  fault(): string | null {
    if (this.#closed) return 'firmata: closed';
    this.#checkSilence();
    if (this.#lostReason !== null) return `firmata: board ${this.#portName()} lost: ${this.#lostReason}; reconnecting (attempt ${this.#reconnect.attempt})`;
    if (this.#unsupported !== null) return `firmata: ${this.#unsupported}`;
    const problems = [this.#supply.reading.fault, this.#returnLine?.reading.fault ?? null].filter((p) => p !== null);
    return problems.length === 0 ? null : `firmata: ${problems.join('; ')}`;
  }

  inputs(): FirmataInputs {
    const nowMs = this.#clock.nowMs();
    const op = this.#operator;
    const supply = this.#supply.reading;
    const ret = this.#returnLine?.reading ?? null;
    return {
      supply: { barGauge: supply.bar, atMs: supply.atMs },
      returnLine: ret === null ? null : { barAbs: ret.bar, atMs: ret.atMs },
      probe: { present: this.#probe.value(nowMs), id: null, atMs: this.#lastReportMs },
      operator: {
        start: op.start.value(nowMs),
        stop: op.stop.value(nowMs),
        acknowledge: op.acknowledge.value(nowMs),
        // No audio-pause button on the board files yet: the console page and the simulated
        // board's key give it (issue 9); an acknowledge still silences the alarms active now.
        audioPause: false,
        // No new-site button on the board files yet: on hardware the site total resets when the
        // console restarts (docs/safety.md, limits).
        newSite: false,
        footswitch: op.footswitch.value(nowMs),
        estop: op.estop.value(nowMs),
        atMs: this.#lastReportMs,
      },
    };
  }

  write(outputs: Outputs): void {
    this.#checkSilence();
    const s = this.#session;
    if (s === null) return;
    s.supplyValve.set(outputs.supplyValveOpen);
    s.safetyValve.set(outputs.safetyValveOpen);
    s.heartbeat.set(outputs.heartbeat);
    s.lamps.set(outputs.lamps, outputs.buzzer);
  }

  /** Synchronous, idempotent, never throws; a lost board cannot be written (the watchdog acts). */
  toSafeState(): void {
    const s = this.#session;
    if (s === null) return;
    try {
      s.supplyValve.close();
      s.safetyValve.close();
      s.heartbeat.low();
      s.lamps.allOff();
    } catch {
      // A dead transport may throw: the hardware watchdog is the defence then.
    }
  }

  /** The safe state's writes are queued first; the link's close lets them leave before the port
   * closes (bounded: hal/firmata/johnny-five.ts). */
  async close(): Promise<void> {
    this.toSafeState();
    this.#closed = true;
    this.#reconnect.cancel();
    this.#session = null;
    const link = this.#link;
    this.#link = null;
    await link?.close();
  }

  /** The analog inputs report every samplingMs: silence longer than dataTimeoutMs is a lost board. */
  #checkSilence(): void {
    if (this.#session === null || this.#board.pressure.adc !== 'board') return;
    const silentMs = this.#clock.nowMs() - this.#lastReportMs;
    if (silentMs > this.#board.firmata.dataTimeoutMs) this.#lose(`no report from the board for ${Math.round(silentMs)} ms`);
  }

  #portName(): string {
    return this.#board.firmata.port ?? '(auto)';
  }

  #resetInputs(): void {
    const b = this.#board.buttons;
    const button = (initial: boolean, polarity = b.polarity): DebouncedInput => new DebouncedInput({ polarity, debounceMs: b.debounceMs, initial });
    // Until the board reports, the e-stop reads pressed and the probe absent (fail-safe).
    this.#operator = {
      start: button(false),
      stop: button(false),
      acknowledge: button(false),
      footswitch: button(false),
      estop: button(true, b.estopPolarity),
    };
    this.#probe = button(false, b.probePolarity);
    const p = this.#board.pressure;
    this.#supply = new PressureInput('pressure.supply', p.supply, p.referenceV, p.adcBits);
    this.#returnLine = p.return === null ? null : new PressureInput('pressure.return', p.return, p.referenceV, p.adcBits);
  }

  #connect(): void {
    const generation = ++this.#generation;
    // Events from a link that has been given up (stale) are ignored.
    const current = (): boolean => generation === this.#generation && !this.#closed;
    const link = this.#connector({
      ready: (io) => {
        if (current()) this.#startSession(io);
      },
      lost: (reason) => {
        if (current()) this.#lose(reason);
      },
    });
    // A connector may report the loss before it returns: then this link is already dead.
    if (current()) this.#link = link;
    else void link.close();
  }

  #startSession(io: PinIo): void {
    const b = this.#board;
    const kind = b.firmata.io;
    const pin = (name: keyof typeof b.pins): number | string => {
      const p = b.pins[name];
      if (p === undefined) throw new Error(`board ${b.name}: pins.${name} missing after validation`);
      return digitalIoPin(p, kind);
    };
    // Valves first: Firmata writes whole 8-pin ports, so their bits must hold the closed level
    // before any other pin on the same port is written.
    const supplyValve = new Valve(io, pin('supplyValve'), b.valvePolarity);
    const safetyValve = new Valve(io, pin('safetyValve'), b.valvePolarity);
    const heartbeat = new Heartbeat(io, pin('heartbeat'));
    const lamps = new Lamps(io, { high: pin('lampHigh'), medium: pin('lampMedium'), low: pin('lampLow'), buzzer: pin('buzzer') });
    this.#resetInputs();
    const now = (): number => this.#clock.nowMs();
    const report = (): number => {
      this.#lastReportMs = now();
      return this.#lastReportMs;
    };
    for (const name of ['start', 'stop', 'acknowledge', 'footswitch', 'estop'] as const) {
      this.#operator[name].attach(io, pin(name), report);
    }
    this.#probe.attach(io, pin('probePresent'), report);
    if (b.pressure.adc === 'board') {
      io.setSamplingInterval(b.firmata.samplingMs);
      const analog = (input: PressureInput, p: typeof b.pressure.supply): void => {
        const channel = analogChannel(p.pin, kind);
        io.pinMode(channel, 'analog');
        io.analogRead(channel, (raw) => {
          input.onRaw(raw, report());
        });
      };
      analog(this.#supply, b.pressure.supply);
      if (this.#returnLine !== null && b.pressure.return !== null) analog(this.#returnLine, b.pressure.return);
    }
    this.#lastReportMs = now();
    this.#session = { supplyValve, safetyValve, heartbeat, lamps };
    this.#lostReason = null;
    this.#unsupported = b.pressure.adc === 'board' ? null : 'pressure.adc: the ADS1115 input is not implemented yet (pressures read NaN)';
    this.#reconnect.reset();
    this.sessions += 1;
  }

  #lose(reason: string): void {
    this.#generation += 1;
    // Best effort: if the transport still carries writes, leave the pins safe.
    this.toSafeState();
    this.#session = null;
    this.#lostReason = reason;
    this.#resetInputs();
    const link = this.#link;
    this.#link = null;
    // Not awaited: the reconnect does not wait for a lost port to drain (its wait is bounded).
    void link?.close();
    if (this.#closed) return;
    // A no-op while a retry is already pending.
    this.#reconnect.retry(() => {
      if (!this.#closed) this.#connect();
    });
  }
}
