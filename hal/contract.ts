// The hardware abstraction layer contract. A back-end (simulated, Firmata, serial) implements
// `Hal` and nothing else: it samples inputs, drives outputs and never decides safety.

/** Thermocouple front-end fault bits (MAX31856-style): any of them makes the sample unusable. */
export type TcFault = 'open' | 'short-gnd' | 'short-vcc' | 'cj-range';
export const TC_FAULTS: readonly TcFault[] = ['open', 'short-gnd', 'short-vcc', 'cj-range'];

/** One tip thermocouple channel, stamped with the monotonic time it was sampled. */
export interface TipSample {
  readonly tipC: number;
  readonly coldJunctionC: number;
  readonly fault: TcFault | null;
  readonly atMs: number;
}

/** A gauge pressure reading (relative to the atmosphere), stamped with its sample time. */
export interface GaugePressureSample {
  readonly barGauge: number;
  readonly atMs: number;
}

/** An absolute pressure reading, stamped with its sample time. */
export interface AbsPressureSample {
  readonly barAbs: number;
  readonly atMs: number;
}

export interface ProbeSample {
  readonly present: boolean;
  /** Probe id where the probe carries one (an ID chip); null otherwise. */
  readonly id: string | null;
  readonly atMs: number;
}

/**
 * Operator inputs as levels (true = pressed / closed). Start, stop and acknowledge are
 * momentary buttons: the controller acts on their rising edge. The emergency stop is a
 * latching mushroom switch: true while pressed in. The footswitch is true while held down.
 */
export interface OperatorSample {
  readonly start: boolean;
  readonly stop: boolean;
  readonly acknowledge: boolean;
  /** Momentary: silence every audible alarm signal for alarms.audioPauseS (IEC 60601-1-8 audio
   * pause); the visual signals stay. A press while paused ends the pause. */
  readonly audioPause: boolean;
  /** Momentary: the probe has been moved to a new treatment site (resets the site's freeze total
   * and cycle count; refused until the probe is safe to withdraw). */
  readonly newSite: boolean;
  readonly footswitch: boolean;
  readonly estop: boolean;
  readonly atMs: number;
}

/** Everything the controller reads in one tick. */
export interface Readings {
  /** Tip thermocouple channels; channel 0 is the control channel. */
  readonly tips: readonly TipSample[];
  /** Supply (cylinder/regulator side) pressure, bar gauge as the transducer reports it. */
  readonly supply: GaugePressureSample;
  /** Return (exhaust) line pressure, bar absolute; null when the board has no transducer. */
  readonly returnLine: AbsPressureSample | null;
  readonly probe: ProbeSample;
  readonly operator: OperatorSample;
  /** Non-null when a back-end has lost its device: a text naming it. */
  readonly halFault: string | null;
}

export interface AlarmLamps {
  readonly high: boolean;
  readonly medium: boolean;
  readonly low: boolean;
}

/** Everything the controller drives in one tick. */
export interface Outputs {
  /** Normally-closed CO2 supply solenoid: true = energised = open. */
  readonly supplyValveOpen: boolean;
  /** Independent normally-closed safety shut-off in series (double block): true = open. */
  readonly safetyValveOpen: boolean;
  /** Level for the external watchdog; it must toggle every tick or the watchdog cuts valve power. */
  readonly heartbeat: boolean;
  readonly lamps: AlarmLamps;
  readonly buzzer: boolean;
}

/**
 * The safe state of every output: both valves de-energised (closed, they are normally closed),
 * heartbeat low (the watchdog then cuts valve power too), lamps and buzzer off (the alarm logic,
 * not the safe state, decides what the operator is shown).
 */
export const SAFE_OUTPUTS: Outputs = Object.freeze({
  supplyValveOpen: false,
  safetyValveOpen: false,
  heartbeat: false,
  lamps: Object.freeze({ high: false, medium: false, low: false }),
  buzzer: false,
});

export interface Hal {
  /** What kind of board this is; `sim` boards accept `--speed` and fault injection. */
  readonly kind: 'sim' | 'hardware';
  /** The latest sample of every input. Synchronous: it never waits for a device. */
  read(): Readings;
  /** Drive every output. Synchronous; a back-end that has lost its device records HAL_FAULT. */
  write(outputs: Outputs): void;
  /**
   * Put every output in its safe state (SAFE_OUTPUTS). Synchronous and idempotent: called at
   * start-up, on any fault, on exit, on signals and on uncaught errors. Never throws.
   */
  toSafeState(): void;
  /** Release devices after `toSafeState()`. */
  close(): Promise<void>;
}

/**
 * A source of thermocouple samples, such as the serial front-end (hal/serial). A hardware board
 * combines one with the Firmata back-end (valves, buttons, pressures) into one `Hal`.
 */
export interface TipSource {
  /** The latest sample of each channel; a channel with no new data keeps its old `atMs` (the
   * controller's SENSOR_STALE judges age). Synchronous: never waits for the device. */
  tips(): readonly TipSample[];
  /** Non-null while the device is lost or its data is unusable (a burst of corrupt lines): a
   * text naming the device and the reason; the controller trips HAL_FAULT. */
  fault(): string | null;
  close(): Promise<void>;
}
