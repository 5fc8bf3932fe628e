// A HAL that records what the control loop does to it (read, write, safe) and answers reads from
// a function of the read count: for the runtime's own tests, without a plant.
import type { Hal, Outputs, Readings } from '../../hal/contract.js';

export class RecordingHal implements Hal {
  readonly kind = 'sim' as const;
  readonly calls: string[] = [];
  written: Outputs[] = [];
  #n = 0;
  constructor(private readonly readings: (n: number) => Readings) {}
  read(): Readings {
    this.calls.push('read');
    return this.readings(this.#n++);
  }
  write(outputs: Outputs): void {
    this.calls.push('write');
    this.written.push(outputs);
  }
  toSafeState(): void {
    this.calls.push('safe');
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}
