// What the Firmata components need from one connected board session: typed pin operations.
// hal/firmata/johnny-five.ts implements it over a johnny-five Board; tests use a recording fake.

export type Level = 0 | 1;
export type PinMode = 'input' | 'pullup' | 'output' | 'analog';
/** A pin as the IO plugin names it: a Firmata pin number or analog channel, or a Pi 'GPIO17'. */
export type IoPin = number | string;

export interface PinIo {
  pinMode(pin: IoPin, mode: PinMode): void;
  digitalWrite(pin: IoPin, level: Level): void;
  /** Reports the level now and on every change (Firmata reports digital ports on change). */
  digitalRead(pin: IoPin, onLevel: (level: Level) => void): void;
  /** Reports the raw ADC count every sampling period. */
  analogRead(channel: IoPin, onRaw: (raw: number) => void): void;
  setSamplingInterval(ms: number): void;
}

/** One connection attempt. `close` releases the device: it never throws or rejects, and resolves
 * once the writes already queued have left (or a bounded wait for them has passed). */
export interface FirmataLink {
  close(): Promise<void>;
}

export interface SessionHandlers {
  /** The board answered and its pins can be driven: a new session (the board lost its state). */
  ready(io: PinIo): void;
  /** The board is gone (close, disconnect, error, fail, timeout): called at most once per link. */
  lost(reason: string): void;
}

/** Opens one session to the board; reports through the handlers, never throws. */
export type FirmataConnector = (handlers: SessionHandlers) => FirmataLink;

export const levelOf = (on: boolean, polarity: 'active-high' | 'active-low'): Level =>
  (on === (polarity === 'active-high') ? 1 : 0);
