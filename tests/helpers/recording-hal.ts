// A HAL that records what the control loop does to it (read, write, safe) and answers reads from
// a function of the read count: for the runtime's own tests, without a plant.
import type { Hal, Outputs, Readings } from '../../hal/contract.js';

/** A board's nominal readings at `atMs`: tip 37 C, supply 56 bar, return 1 atm, probe P1 in, no buttons. */
export function nominalHalReadings(atMs: number, overrides: Partial<Readings> = {}): Readings {
  return {
    tips: [{ tipC: 37, coldJunctionC: 25, fault: null, atMs }],
    supply: { barGauge: 56, atMs },
    returnLine: { barAbs: 1.013, atMs },
    probe: { present: true, id: 'P1', atMs },
    operator: { start: false, stop: false, acknowledge: false, audioPause: false, newSite: false, footswitch: false, estop: false, atMs },
    halFault: null,
    ...overrides,
  };
}

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
