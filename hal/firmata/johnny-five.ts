// The one adapter between johnny-five (untyped JavaScript) and the typed PinIo surface. Every
// loosely typed value stays in this file.
import five from 'johnny-five';
import type { FirmataConnector, FirmataLink, IoPin, PinIo, PinMode, SessionHandlers } from './pin-io.js';

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
  transport?: { close?(cb?: () => void): void; isOpen?: boolean };
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

/**
 * A connector over johnny-five. `source` is asked for a fresh IO source at every attempt (a new
 * session); a rejection is reported as a lost board with its message.
 */
export function johnnyFiveConnector(source: () => Promise<IoSource>): FirmataConnector {
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
      close: () => {
        done = true;
        const b = board;
        if (b === null) return;
        try {
          b.removeAllListeners();
          // Keep a no-op error listener: a late transport error must not become an uncaught one.
          b.on('error', () => undefined);
          b.io?.transport?.close?.();
        } catch {
          // Already closed.
        }
      },
    };
  };
}
