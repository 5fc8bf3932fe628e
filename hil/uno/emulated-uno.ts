/**
 * An emulated Arduino Uno: an ATmega328P at 16 MHz (avr8js) running a real firmware image, its
 * USART bridged to a Node Duplex stream (for johnny-five / firmata), its GPIO and ADC exposed.
 *
 * The CPU runs in chunks on the event loop (one chunk per macrotask), paced to real time by
 * default (`speed: 1`); `speed: 4` runs four emulated seconds per wall second when the host keeps
 * up, `speed: Infinity` runs as fast as it can.
 */
import { Duplex } from 'node:stream';
import {
  ADCMuxInputType,
  AVRADC,
  AVREEPROM,
  AVRIOPort,
  AVRTimer,
  AVRUSART,
  CPU,
  EEPROMMemoryBackend,
  PinState,
  adcConfig,
  avrInstruction,
  portBConfig,
  portCConfig,
  portDConfig,
  timer0Config,
  timer1Config,
  timer2Config,
  usart0Config,
} from 'avr8js';
import type { ADCMuxInput } from 'avr8js';
import { UNO, unoPinNumber as unoPinOf } from '../../hal/chips.js';
import { loadHexProgram } from './intel-hex.js';

export { PinState } from 'avr8js';

export const UNO_CLOCK_HZ = 16_000_000;

export type UnoPinMode = 'output-low' | 'output-high' | 'input' | 'input-pullup';
/** Called when a pin's mode or driven level changes. `high` is true only for an output driven high. */
export type UnoPinListener = (pin: number, mode: UnoPinMode, high: boolean) => void;

export interface EmulatedUnoOptions {
  /** Intel HEX text of the firmware, or a program already loaded into 16-bit words. */
  firmware: string | Uint16Array;
  /** Emulated seconds per wall second when the host keeps up; default 1 (real time). Infinity: unpaced. */
  speed?: number;
  /** Largest number of CPU cycles run in one macrotask; default 80 000 (5 ms emulated). */
  chunkCycles?: number;
  /**
   * When the emulation falls behind its pace by more than this many wall milliseconds (slow host,
   * blocked event loop), it gives up catching up instead of bursting; default 100.
   */
  maxLagMs?: number;
  /** AVCC (ADC reference) in volts; default 5. */
  vcc?: number;
}

export interface UnoStats {
  /** Emulated time since the last reset, from the CPU cycle counter. */
  emulatedSeconds: number;
  /** Wall time the emulator has been running (stopped periods excluded). */
  wallSeconds: number;
  /** emulatedSeconds / wallSeconds since start(). */
  speedRatio: number;
  cycles: number;
  rxBytes: number;
  txBytes: number;
}

/** Maps an Arduino Uno pin (0-19, or 'A0'-'A5') to its AVR port letter and bit. */
export function unoPinLocation(pin: number | string): { port: 'B' | 'C' | 'D'; bit: number; pin: number } {
  const n = unoPinNumber(pin);
  if (n < 8) return { port: 'D', bit: n, pin: n };
  if (n < UNO.firstAnalogPin) return { port: 'B', bit: n - 8, pin: n };
  return { port: 'C', bit: n - UNO.firstAnalogPin, pin: n };
}

export function unoPinNumber(pin: number | string): number {
  const text = typeof pin === 'string' ? pin.trim().toUpperCase() : null;
  const n = unoPinOf(text === null ? pin : /^[0-9]+$/.test(text) ? Number(text) : text);
  if (n === null) throw new RangeError(`not an Arduino Uno pin: ${String(pin)}`);
  return n;
}

function analogChannel(channel: number | string): number {
  const n = typeof channel === 'string' ? unoPinNumber(channel) - UNO.firstAnalogPin : channel;
  if (!Number.isInteger(n) || n < 0 || n >= UNO.analogChannels) throw new RangeError(`not an Uno analog input: ${String(channel)}`);
  return n;
}

function modeOf(state: PinState): UnoPinMode {
  switch (state) {
    case PinState.High:
      return 'output-high';
    case PinState.Low:
      return 'output-low';
    case PinState.InputPullUp:
      return 'input-pullup';
    case PinState.Input:
      return 'input';
  }
}

interface Machine {
  cpu: CPU;
  usart: AVRUSART;
  adc: AVRADC;
  ports: Record<'B' | 'C' | 'D', AVRIOPort>;
}

/** The serial side of the Uno: what the firmware transmits is readable; what is written is received by it. */
export class UnoSerialStream extends Duplex {
  constructor(private readonly onWrite: (bytes: Buffer) => void) {
    super({ allowHalfOpen: false });
  }
  override _read(): void {
    // Data is pushed as the firmware transmits it.
  }
  override _write(chunk: Buffer | string, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.onWrite(typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk);
    callback();
  }
  /** Serialport-like surface some clients probe for. */
  get isOpen(): boolean {
    return !this.destroyed;
  }
}

/**
 * Wall time one macrotask may spend running the CPU, ms. The rig's other timers (the front-end's
 * samples, the watchdog, the plant) then wait no longer than this, however slow the emulation runs:
 * before the JIT has compiled avr8js, one 80 000-cycle chunk took 834 ms (measured, beside a CPU
 * hog), and the front-end's samples stopped for as long.
 */
export const CHUNK_WALL_BUDGET_MS = 4;
/** CPU cycles run between two looks at the wall clock (about 0.1 ms of emulated time). */
const BUDGET_CHECK_CYCLES = 2_000;

export class EmulatedUno {
  readonly serial: UnoSerialStream;
  readonly speed: number;
  private readonly program: Uint16Array;
  private readonly chunkCycles: number;
  private readonly maxLagCycles: number;
  private readonly vcc: number;
  private machine!: Machine;
  private readonly eeprom = new EEPROMMemoryBackend(1024);
  private readonly rxQueue: number[] = [];
  private rxHead = 0;
  private txBuffer: number[] = [];
  private running = false;
  private openEmitted = false;
  private closed = false;
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private timerIsImmediate = false;
  private paceBaseWall = 0;
  private paceBaseCycles = 0;
  private wallRunningMs = 0;
  private runningSinceWall = 0;
  private rxBytes = 0;
  private txBytes = 0;
  private readonly listeners = new Set<UnoPinListener>();
  private readonly lastModes: UnoPinMode[] = new Array<UnoPinMode>(UNO.pinCount).fill('input');
  /** External input level per pin; undefined = nothing drives it (floats: reads its pull-up, else low). */
  private readonly inputLevels: (boolean | undefined)[] = new Array<boolean | undefined>(UNO.pinCount).fill(undefined);
  private readonly analogVolts: number[] = new Array<number>(UNO.analogChannels).fill(0);
  private readonly analogSources: ((() => number) | undefined)[] = new Array<(() => number) | undefined>(UNO.analogChannels).fill(undefined);

  constructor(options: EmulatedUnoOptions) {
    this.program = typeof options.firmware === 'string' ? loadHexProgram(options.firmware) : options.firmware;
    this.speed = options.speed ?? 1;
    if (!(this.speed > 0)) throw new RangeError(`speed must be > 0, got ${this.speed}`);
    this.chunkCycles = options.chunkCycles ?? 80_000;
    this.maxLagCycles = ((options.maxLagMs ?? 100) / 1000) * UNO_CLOCK_HZ * (Number.isFinite(this.speed) ? this.speed : 1);
    this.vcc = options.vcc ?? 5;
    this.serial = new UnoSerialStream((bytes) => {
      if (this.closed) return;
      for (const b of bytes) this.rxQueue.push(b);
      this.feedRx();
    });
    this.serial.on('close', () => {
      this.close();
    });
    this.build();
  }

  /** Power-on reset: a fresh CPU and peripherals (EEPROM and external pin inputs are kept). */
  reset(): void {
    this.flushTx();
    this.rxQueue.length = 0;
    this.rxHead = 0;
    const before = [...this.lastModes];
    this.build();
    this.paceBaseWall = performance.now();
    this.paceBaseCycles = 0;
    // Every pin is an input again: outputs that were driven are released.
    before.forEach((mode, pin) => {
      if (mode === 'input') return;
      for (const listener of this.listeners) listener(pin, 'input', false);
    });
  }

  private build(): void {
    const cpu = new CPU(new Uint16Array(this.program), 0x800);
    new AVRTimer(cpu, timer0Config);
    new AVRTimer(cpu, timer1Config);
    new AVRTimer(cpu, timer2Config);
    new AVREEPROM(cpu, this.eeprom);
    const usart = new AVRUSART(cpu, usart0Config, UNO_CLOCK_HZ);
    const adc = new AVRADC(cpu, adcConfig);
    adc.avcc = this.vcc;
    const ports = {
      B: new AVRIOPort(cpu, portBConfig),
      C: new AVRIOPort(cpu, portCConfig),
      D: new AVRIOPort(cpu, portDConfig),
    };
    this.machine = { cpu, usart, adc, ports };

    usart.onByteTransmit = (value) => {
      this.txBuffer.push(value);
      this.txBytes++;
    };
    // RXEN set (Serial.begin): bytes written while the receiver was off start flowing.
    usart.onConfigurationChange = () => {
      this.feedRx();
    };
    usart.onRxComplete = () => {
      this.rxBytes++;
      this.feedRx();
    };
    const defaultRead = adc.onADCRead;
    adc.onADCRead = (input: ADCMuxInput) => {
      if (input.type === ADCMuxInputType.SingleEnded && input.channel < UNO.analogChannels) {
        const source = this.analogSources[input.channel];
        const volts = source ? source() : this.analogVolts[input.channel];
        adc.channelValues[input.channel] = Number.isFinite(volts) ? volts : 0;
      }
      defaultRead(input);
    };
    for (let ch = 0; ch < UNO.analogChannels; ch++) adc.channelValues[ch] = this.analogVolts[ch];

    for (const [letter, port] of Object.entries(ports) as ['B' | 'C' | 'D', AVRIOPort][]) {
      port.addListener(() => {
        this.onPortWrite(letter, port);
      });
    }
    this.lastModes.fill('input');
    for (let pin = 0; pin < UNO.pinCount; pin++) this.applyInput(pin);
  }

  /** Starts (or resumes) the CPU loop. */
  start(): this {
    if (this.closed) throw new Error('EmulatedUno is closed');
    if (this.running) return this;
    this.running = true;
    const now = performance.now();
    this.runningSinceWall = now;
    this.paceBaseWall = now;
    this.paceBaseCycles = this.machine.cpu.cycles;
    if (!this.openEmitted) {
      this.openEmitted = true;
      queueMicrotask(() => this.serial.emit('open'));
    }
    this.schedule(true);
    return this;
  }

  /** Pauses the CPU loop (emulated time stops). */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.wallRunningMs += performance.now() - this.runningSinceWall;
    this.clearTimer();
    this.flushTx();
  }

  /** Stops the CPU and closes the serial stream (the client sees 'close'). Idempotent. */
  close(): void {
    if (this.closed) return;
    this.stop();
    this.closed = true;
    this.listeners.clear();
    if (!this.serial.destroyed) {
      this.serial.push(null);
      this.serial.destroy();
    }
  }

  get isRunning(): boolean {
    return this.running;
  }

  get cpu(): CPU {
    return this.machine.cpu;
  }

  stats(): UnoStats {
    const wallMs = this.wallRunningMs + (this.running ? performance.now() - this.runningSinceWall : 0);
    const emulatedSeconds = this.machine.cpu.cycles / UNO_CLOCK_HZ;
    return {
      emulatedSeconds,
      wallSeconds: wallMs / 1000,
      speedRatio: wallMs > 0 ? emulatedSeconds / (wallMs / 1000) : 0,
      cycles: this.machine.cpu.cycles,
      rxBytes: this.rxBytes,
      txBytes: this.txBytes,
    };
  }

  /** Runs the CPU synchronously for `seconds` of emulated time (tests, benchmarks). */
  runFor(seconds: number): void {
    this.runUntil(this.machine.cpu.cycles + Math.round(seconds * UNO_CLOCK_HZ));
    this.flushTx();
  }

  /** Resolves once emulated time has advanced by `seconds` (the loop must be running). */
  waitEmulated(seconds: number): Promise<void> {
    const target = this.machine.cpu.cycles + seconds * UNO_CLOCK_HZ;
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (this.machine.cpu.cycles >= target) resolve();
        else if (this.closed) reject(new Error('EmulatedUno closed'));
        else setTimeout(check, 2);
      };
      check();
    });
  }

  // ---- pins ----------------------------------------------------------------------------------

  /** Subscribes to pin mode / output level changes; returns an unsubscribe function. */
  onPinChange(listener: UnoPinListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  pinMode(pin: number | string): UnoPinMode {
    const { port, bit } = unoPinLocation(pin);
    return modeOf(this.machine.ports[port].pinState(bit));
  }

  /** True when the firmware drives the pin as an output, high. */
  isDrivenHigh(pin: number | string): boolean {
    return this.pinMode(pin) === 'output-high';
  }

  /**
   * Sets the level an external circuit puts on a pin (a button), or `undefined` to release it:
   * a released pin reads high when the firmware enabled its pull-up, low otherwise.
   */
  setDigitalInput(pin: number | string, level: boolean | undefined): void {
    const n = unoPinNumber(pin);
    this.inputLevels[n] = level;
    this.applyInput(n);
  }

  /** Sets the voltage on analog input A0-A5 (channel 0-5 or 'A0'-'A5'), clamped to 0..VCC by the ADC. */
  setAnalogVoltage(channel: number | string, volts: number): void {
    const ch = analogChannel(channel);
    this.analogVolts[ch] = volts;
    this.machine.adc.channelValues[ch] = volts;
  }

  /** Samples `source()` at each conversion of the channel (live transducer voltage); undefined removes it. */
  setAnalogSource(channel: number | string, source: (() => number) | undefined): void {
    this.analogSources[analogChannel(channel)] = source;
  }

  analogVoltage(channel: number | string): number {
    const ch = analogChannel(channel);
    return this.analogSources[ch]?.() ?? this.analogVolts[ch] ?? 0;
  }

  // ---- internals -----------------------------------------------------------------------------

  private applyInput(pin: number): void {
    const { port, bit } = unoPinLocation(pin);
    const p = this.machine.ports[port];
    const level = this.inputLevels[pin] ?? p.pinState(bit) === PinState.InputPullUp;
    p.setPin(bit, level);
  }

  private onPortWrite(letter: 'B' | 'C' | 'D', port: AVRIOPort): void {
    const first = letter === 'D' ? 0 : letter === 'B' ? 8 : UNO.firstAnalogPin;
    const count = letter === 'D' ? 8 : 6;
    for (let bit = 0; bit < count; bit++) {
      const pin = first + bit;
      const mode = modeOf(port.pinState(bit));
      if (mode === this.lastModes[pin]) continue;
      this.lastModes[pin] = mode;
      if (this.inputLevels[pin] === undefined) port.setPin(bit, mode === 'input-pullup');
      for (const listener of this.listeners) listener(pin, mode, mode === 'output-high');
    }
  }

  private feedRx(): void {
    const { usart } = this.machine;
    while (this.rxHead < this.rxQueue.length && !usart.rxBusy && usart.rxEnable) {
      const byte = this.rxQueue[this.rxHead] ?? 0;
      if (usart.writeByte(byte) !== true) break;
      this.rxHead++;
    }
    if (this.rxHead > 4096 && this.rxHead * 2 > this.rxQueue.length) {
      this.rxQueue.splice(0, this.rxHead);
      this.rxHead = 0;
    }
  }

  /** Runs the CPU up to `targetCycles`, or until `wallBudgetMs` of wall time has passed. */
  private runUntil(targetCycles: number, wallBudgetMs = Number.POSITIVE_INFINITY): void {
    const { cpu } = this.machine;
    const deadline = performance.now() + wallBudgetMs;
    while (cpu.cycles < targetCycles) {
      const stepTarget = Math.min(targetCycles, cpu.cycles + BUDGET_CHECK_CYCLES);
      while (cpu.cycles < stepTarget) {
        avrInstruction(cpu);
        cpu.tick();
      }
      if (performance.now() >= deadline) return;
    }
  }

  private flushTx(): void {
    if (this.txBuffer.length === 0) return;
    const bytes = Buffer.from(this.txBuffer);
    this.txBuffer = [];
    if (!this.serial.destroyed) this.serial.push(bytes);
  }

  private clearTimer(): void {
    if (this.timer === undefined) return;
    if (this.timerIsImmediate) clearImmediate(this.timer as NodeJS.Immediate);
    else clearTimeout(this.timer as NodeJS.Timeout);
    this.timer = undefined;
  }

  private schedule(immediate: boolean, delayMs = 0): void {
    this.timerIsImmediate = immediate;
    this.timer = immediate ? setImmediate(this.tick) : setTimeout(this.tick, delayMs);
  }

  private readonly tick = (): void => {
    this.timer = undefined;
    if (!this.running) return;
    const { cpu } = this.machine;
    this.feedRx();
    let target: number;
    let behind = true;
    if (Number.isFinite(this.speed)) {
      const now = performance.now();
      let wanted = this.paceBaseCycles + ((now - this.paceBaseWall) / 1000) * this.speed * UNO_CLOCK_HZ;
      if (wanted - cpu.cycles > this.maxLagCycles) {
        // Too far behind: drop the backlog rather than burst.
        this.paceBaseCycles = cpu.cycles + this.maxLagCycles;
        this.paceBaseWall = now;
        wanted = this.paceBaseCycles;
      }
      target = Math.min(wanted, cpu.cycles + this.chunkCycles);
      behind = wanted > target;
    } else {
      target = cpu.cycles + this.chunkCycles;
    }
    this.runUntil(target, CHUNK_WALL_BUDGET_MS);
    // Stopped by the wall-time budget short of the target: still behind.
    if (cpu.cycles < target) behind = true;
    this.flushTx();
    // flushTx runs the client's 'data' handlers synchronously; one of them may have stopped us.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
    if (!this.running) return;
    if (behind) {
      this.schedule(true);
    } else {
      // Ahead of the wall clock: sleep until roughly one chunk's worth of time is due.
      const dueMs = Math.min(this.chunkCycles / (UNO_CLOCK_HZ * this.speed) * 1000, 5);
      this.schedule(false, Math.max(1, Math.floor(dueMs)));
    }
  };
}
