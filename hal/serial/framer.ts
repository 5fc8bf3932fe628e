// Splits a byte stream into lines with a hard maximum length. @serialport/parser-readline has no
// limit, so a device that never sends LF would grow its buffer without bound; this framer holds
// at most MAX_LINE_BYTES + 1 bytes in one preallocated buffer and never allocates per byte.

import { MAX_LINE_BYTES } from './protocol.js';

const LF = 0x0a;
const CR = 0x0d;

export interface FramerStats {
  readonly lines: number;
  readonly overlongLines: number;
}

export class LineFramer {
  readonly #maxLineBytes: number;
  readonly #onLine: (line: string) => void;
  /** One spare byte holds a CR that may precede the LF of a maximum-length line. */
  readonly #buffer: Buffer;
  #length = 0;
  /** True while skipping the rest of an overlong line up to its LF. */
  #discarding = false;
  #lines = 0;
  #overlongLines = 0;

  constructor(onLine: (line: string) => void, maxLineBytes = MAX_LINE_BYTES) {
    if (!(Number.isInteger(maxLineBytes) && maxLineBytes >= 1)) {
      throw new RangeError(`line framer: maximum line length ${maxLineBytes} must be a positive integer`);
    }
    this.#maxLineBytes = maxLineBytes;
    this.#onLine = onLine;
    this.#buffer = Buffer.alloc(maxLineBytes + 1);
  }

  /** Feed one chunk; `onLine` runs synchronously for each complete line, in order. */
  push(chunk: Uint8Array): void {
    for (const byte of chunk) {
      if (byte === LF) {
        this.#endLine();
      } else if (this.#discarding) {
        continue;
      } else if (this.#length < this.#buffer.length) {
        this.#buffer[this.#length++] = byte;
      } else {
        this.#discarding = true;
        this.#overlongLines++;
      }
    }
  }

  #endLine(): void {
    if (this.#discarding) {
      this.#discarding = false;
      this.#length = 0;
      return;
    }
    let end = this.#length;
    if (end > 0 && this.#buffer[end - 1] === CR) end--;
    this.#length = 0;
    if (end > this.#maxLineBytes) {
      this.#overlongLines++;
      return;
    }
    this.#lines++;
    // latin1 keeps one character per byte, so the decoder sees (and rejects) non-ASCII bytes.
    this.#onLine(this.#buffer.toString('latin1', 0, end));
  }

  /** Forget a partial line (a new session starts mid-stream). */
  reset(): void {
    this.#length = 0;
    this.#discarding = false;
  }

  stats(): FramerStats {
    return { lines: this.#lines, overlongLines: this.#overlongLines };
  }
}
