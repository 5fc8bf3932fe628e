// A hardware board as one HAL: the Firmata back-end (valves, heartbeat, lamps, buzzer, buttons,
// probe presence, pressures) plus a thermocouple TipSource (the serial front-end). Either
// back-end's fault is the HAL's fault, named; this class decides nothing about safety.
import type { Hal, Outputs, Readings, TipSource } from './contract.js';
import type { HardwareBoard } from './hardware-board.js';
import type { Clock } from '../kernel/clock.js';
import { FirmataBackend, type FirmataLike } from './firmata/board.js';
import { ioSourceFor, type IoSourceOptions } from './firmata/io-source.js';
import { johnnyFiveConnector } from './firmata/johnny-five.js';

export class HardwareHal implements Hal {
  readonly kind = 'hardware' as const;
  readonly #board: FirmataLike;
  readonly #tips: TipSource;

  constructor(board: FirmataLike, tips: TipSource) {
    this.#board = board;
    this.#tips = tips;
  }

  read(): Readings {
    const inputs = this.#board.inputs();
    const faults = [this.#board.fault(), this.#tipFault()].filter((f) => f !== null);
    return {
      tips: this.#tips.tips(),
      supply: inputs.supply,
      returnLine: inputs.returnLine,
      probe: inputs.probe,
      operator: inputs.operator,
      halFault: faults.length === 0 ? null : faults.join('; '),
    };
  }

  write(outputs: Outputs): void {
    this.#board.write(outputs);
  }

  /** Synchronous, idempotent, never throws: it runs from signal and crash handlers. */
  toSafeState(): void {
    try {
      this.#board.toSafeState();
    } catch {
      // The back-end must not throw here; if it does, the hardware watchdog still cuts valve power.
    }
  }

  async close(): Promise<void> {
    this.toSafeState();
    await Promise.allSettled([this.#board.close(), this.#tips.close()]);
  }

  #tipFault(): string | null {
    const fault = this.#tips.fault();
    return fault === null ? null : `thermocouple front-end: ${fault}`;
  }
}

export interface HardwareHalOptions {
  readonly board: HardwareBoard;
  readonly tips: TipSource;
  readonly clock: Clock;
  /** Serial listing and raspi-io loading (hal/firmata/io-source.ts). */
  readonly io?: IoSourceOptions;
}

/** A HardwareHal over johnny-five for a validated hardware board file; it starts connecting now. */
export function createHardwareHal(options: HardwareHalOptions): HardwareHal {
  const connector = johnnyFiveConnector(ioSourceFor(options.board, options.io));
  const backend = new FirmataBackend({ board: options.board, clock: options.clock, connector });
  return new HardwareHal(backend, options.tips);
}
