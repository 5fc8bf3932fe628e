// The one adapter between johnny-five (untyped JavaScript) and the typed PinIo surface. Every
// loosely typed value stays in this file.
import five from 'johnny-five';
import { keepAliveTimers, type Timers } from '../../kernel/timers.js';
import type { FirmataConnector, FirmataLink, IoPin, PinIo, PinMode, SessionHandlers } from './pin-io.js';

/**
 * How long closing a link waits for the transport to drain before it closes the port anyway. The
 * safe state (valves closed, heartbeat low, lamps off) leaves as a few 3-byte Firmata messages,
 * about 4 ms at StandardFirmata's 57600 baud; closing the port at once could drop them (the valves
 * then closed only when the board reset on the port closing, or when the watchdog cut their
 * power). 200 ms is fifty times that, with room for a loaded event loop and a USB-serial
 * adapter's latency timer (16 ms by default on FTDI); it is bounded because a dead port's drain
 * may never call back, and the shutdown must not hang on it (the hardware watchdog is the
 * defence for writes that never leave).
 */
export const CLOSE_DRAIN_MAX_MS = 200;

/** What closing needs from the transport (a serialport stream, or a test's fake). */
export interface J5Transport {
  close?(cb?: () => void): void;
  /** serialport: calls back once every queued write has reached the device (tcdrain). */
  drain?(cb: (err?: Error | null) => void): void;
  /** Node's Writable: bytes still queued in the stream, behind the write a drain waits for. */
  readonly writableLength?: number;
  isOpen?: boolean;
}

/** What johnny-five connects to: an IO plugin instance, or a serial path / duplex stream. */
export type IoSource = { readonly io: unknown } | { readonly port: unknown };

export interface J5Io {
  MODES: Record<string, number | undefined>;
  /** The board's capability report, per pin (firmata.js fills it in before 'ready'). */
  pins?: readonly ({ supportedModes?: readonly number[] } | undefined)[];
  pinMode(pin: IoPin, mode: number): void;
  digitalWrite(pin: IoPin, value: number): void;
  digitalRead(pin: IoPin, cb: (value: number) => void): void;
  analogRead(pin: IoPin, cb: (value: number) => void): void;
  setSamplingInterval?(ms: number): void;
  transport?: J5Transport;
  removeAllListeners?(): void;
}

interface J5Board {
  io: J5Io | null;
  on(event: string, cb: (data?: unknown) => void): void;
  removeAllListeners(): void;
}

const LOSS_EVENTS = ['close', 'disconnect', 'error', 'fail', 'exit'] as const;

function describe(event: string, data: unknown): string {
  if (data instanceof Error) return `${event}: ${data.message}`;
  if (typeof data === 'object' && data !== null && 'message' in data) return `${event}: ${String((data).message)}`;
  return event;
}

export function pinIoOver(io: J5Io): PinIo {
  const modes = io.MODES;
  const mode = (m: PinMode): number => {
    const code = { input: modes.INPUT, pullup: modes.PULLUP ?? modes.INPUT, output: modes.OUTPUT, analog: modes.ANALOG }[m];
    if (code === undefined) throw new Error(`johnny-five io has no ${m} mode`);
    return code;
  };
  /**
   * firmata.js always defines MODES.PULLUP, but a board only has it when its capability report
   * lists it: StandardFirmata before protocol 2.5 (the emulated Uno's build) does not, ignores the
   * mode and leaves the pin out of its digital reports, so every active-low button read 0, that
   * is pressed, for ever (stop held, start held). Without it, INPUT then a HIGH write turns the
   * pull-up on.
   */
  const hasPullup = (pin: IoPin): boolean => {
    if (modes.PULLUP === undefined) return false;
    const caps = typeof pin === 'number' ? io.pins?.[pin]?.supportedModes : undefined;
    return caps === undefined || caps.includes(modes.PULLUP);
  };
  return {
    pinMode: (pin, m) => {
      if (m === 'pullup' && !hasPullup(pin)) {
        io.pinMode(pin, mode('input'));
        io.digitalWrite(pin, 1);
        return;
      }
      io.pinMode(pin, mode(m));
    },
    digitalWrite: (pin, level) => {
      io.digitalWrite(pin, level);
    },
    digitalRead: (pin, onLevel) => {
      io.digitalRead(pin, (v) => {
        onLevel((v === 0 ? 0 : 1));
      });
    },
    analogRead: (channel, onRaw) => {
      io.analogRead(channel, onRaw);
    },
    setSamplingInterval: (ms) => {
      io.setSamplingInterval?.(ms);
    },
  };
}

/** How many times closing asks the transport to drain before it closes the port anyway: once for
 * the write under way, then again while writes are still queued behind it (the safe state is a
 * few messages). A transport that keeps reporting queued bytes cannot keep the close waiting. */
export const CLOSE_DRAIN_MAX_TRIES = 8;

/**
 * Resolves when the transport has drained, or after CLOSE_DRAIN_MAX_MS, or after
 * CLOSE_DRAIN_MAX_TRIES drains, whichever is first; at once for a transport without drain.
 * serialport's drain waits for the write under way only: writes queued behind it in the stream
 * (writableLength) are drained again, each time from a fresh turn of the event loop
 * (setImmediate), so a drain that calls back at once or on a microtask can neither recurse nor
 * starve the timer of the bound (review of stop 23, M1). Never rejects: a drain that fails or
 * throws ends the wait.
 */
export function drainBounded(transport: J5Transport | undefined, timers: Timers): Promise<void> {
  if (typeof transport?.drain !== 'function') return Promise.resolve();
  return new Promise((resolve) => {
    let done = false;
    let tries = 0;
    let cancel: () => void = () => undefined;
    const finish = (): void => {
      if (done) return;
      done = true;
      resolve();
      cancel();
    };
    try {
      cancel = timers.schedule(CLOSE_DRAIN_MAX_MS, finish);
    } catch {
      // No bound can be kept: no wait at all.
      finish();
      return;
    }
    const drain = (): void => {
      if (done) return;
      tries++;
      try {
        transport.drain?.((err) => {
          if (done) return;
          try {
            if ((err ?? null) === null && (transport.writableLength ?? 0) > 0 && tries < CLOSE_DRAIN_MAX_TRIES) setImmediate(drain);
            else finish();
          } catch {
            finish();
          }
        });
      } catch {
        finish();
      }
    };
    drain();
  });
}

/**
 * A connector over johnny-five. `source` is asked for a fresh IO source at every attempt (a new
 * session); a rejection is reported as a lost board with its message. `timers` bound the drain
 * on close (default: Node's, ref'd, so the process waits for the bounded drain).
 */
export function johnnyFiveConnector(source: () => Promise<IoSource>, timers: Timers = keepAliveTimers): FirmataConnector {
  return (handlers: SessionHandlers): FirmataLink => {
    let board: J5Board | null = null;
    let done = false;
    const lost = (reason: string): void => {
      if (done) return;
      done = true;
      handlers.lost(reason);
    };
    source().then(
      (src) => {
        if (done) return;
        // sigint: false: johnny-five would otherwise exit the process on Ctrl-C behind the
        // fail-safe handlers' back.
        board = new five.Board({ ...src, repl: false, debug: false, sigint: false, timeout: 10_000 }) as J5Board;
        const b = board;
        b.on('ready', () => {
          if (!done && b.io !== null) handlers.ready(pinIoOver(b.io));
        });
        for (const event of LOSS_EVENTS) {
          b.on(event, (data) => {
            lost(describe(event, data));
          });
        }
      },
      (err: unknown) => {
        lost(err instanceof Error ? err.message : String(err));
      },
    );
    return {
      close: async () => {
        done = true;
        const b = board;
        if (b === null) return;
        let transport: J5Transport | undefined;
        try {
          b.removeAllListeners();
          // Keep a no-op error listener: a late transport error must not become an uncaught one.
          b.on('error', () => undefined);
          transport = b.io?.transport;
        } catch {
          // Already closed.
        }
        // The writes queued last (the safe state) leave before the port closes, within the bound.
        await drainBounded(transport, timers);
        try {
          transport?.close?.();
        } catch {
          // Already closed.
        }
      },
    };
  };
}
