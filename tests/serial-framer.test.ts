import { describe, expect, it } from 'vitest';
import { LineFramer } from '../hal/serial/framer.js';
import { MAX_LINE_BYTES } from '../hal/serial/protocol.js';

function frame(chunks: readonly string[], maxLineBytes = MAX_LINE_BYTES): { lines: string[]; overlong: number } {
  const lines: string[] = [];
  const framer = new LineFramer((line) => lines.push(line), maxLineBytes);
  for (const chunk of chunks) framer.push(Buffer.from(chunk, 'latin1'));
  return { lines, overlong: framer.stats().overlongLines };
}

describe('line framer', () => {
  const stream = 'S 1234 0 -78.50 24.75 0*8D25\r\nH 65535*C325\n';

  it('yields the same lines wherever the stream is split in two chunks', () => {
    for (let at = 0; at <= stream.length; at++) {
      expect(frame([stream.slice(0, at), stream.slice(at)]).lines).toEqual(['S 1234 0 -78.50 24.75 0*8D25', 'H 65535*C325']);
    }
  });

  it('yields the same lines when every byte arrives alone', () => {
    expect(frame(Array.from({ length: stream.length }, (_, i) => stream.charAt(i))).lines).toEqual(['S 1234 0 -78.50 24.75 0*8D25', 'H 65535*C325']);
  });

  it('strips one CR before LF and keeps a lone CR elsewhere for the decoder to reject', () => {
    expect(frame(['a\r\nb\n', 'c\rd\n']).lines).toEqual(['a', 'b', 'c\rd']);
  });

  it('holds a partial line until its LF arrives', () => {
    expect(frame(['H 65535*C3']).lines).toEqual([]);
  });

  it('accepts a line of exactly the maximum length, with LF or CRLF', () => {
    const line = 'x'.repeat(MAX_LINE_BYTES);
    expect(frame([`${line}\n${line}\r\n`])).toEqual({ lines: [line, line], overlong: 0 });
  });

  it('discards an overlong line up to its LF, counts it once, and resumes with the next line', () => {
    const long = 'y'.repeat(MAX_LINE_BYTES * 50);
    expect(frame([long.slice(0, 500), `${long.slice(500)}\nH 1*ABCD\n`])).toEqual({ lines: ['H 1*ABCD'], overlong: 1 });
  });

  it('counts a line one byte over the maximum as overlong', () => {
    expect(frame([`${'z'.repeat(MAX_LINE_BYTES + 1)}\n`])).toEqual({ lines: [], overlong: 1 });
  });

  it('passes bytes above 0x7F through one character per byte so the decoder can reject them', () => {
    const lines: string[] = [];
    new LineFramer((line) => lines.push(line)).push(Uint8Array.from([0x41, 0xff, 0x0a]));
    expect(lines).toEqual(['A\u00ff']);
  });
});
