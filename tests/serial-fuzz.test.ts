// The decoder never throws and never accepts a corrupted line. A flipped byte is always caught
// (CRC-16 detects every burst of up to 16 bits). Inserting or cutting bytes shifts the rest of the
// line, which a CRC-16 misses with probability 2^-16; the property allows acceptance only when the
// corrupted line's checksum genuinely matches, and the fixed seed keeps the run reproducible.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc16CcittFalse } from '../hal/serial/crc16.js';
import { decodeLine, encodeLine, type Message } from '../hal/serial/protocol.js';

const SEED = 0x5e41a1;
const RUNS = 3_000;

const message: fc.Arbitrary<Message> = fc.oneof(
  fc.record({
    kind: fc.constant('sample' as const),
    seq: fc.integer({ min: 0, max: 65_535 }),
    channel: fc.integer({ min: 0, max: 7 }),
    tempC: fc.integer({ min: -27_000, max: 204_800 }).map((x) => x / 100),
    coldJunctionC: fc.integer({ min: -5_500, max: 15_000 }).map((x) => x / 100),
    faultBits: fc.integer({ min: 0, max: 15 }),
  }),
  fc.record({ kind: fc.constant('heartbeat' as const), seq: fc.integer({ min: 0, max: 65_535 }) }),
  fc.record({
    kind: fc.constant('device-hello' as const), version: fc.integer({ min: 1, max: 65_535 }),
    deviceId: fc.stringMatching(/^[A-Za-z0-9._-]{1,16}$/), firmwareVersion: fc.stringMatching(/^[A-Za-z0-9.+_-]{1,16}$/),
    channelCount: fc.integer({ min: 1, max: 8 }), thermocoupleType: fc.constantFrom('B', 'E', 'J', 'K', 'N', 'R', 'S', 'T' as const),
  }),
);

const validLine = message.map((m) => encodeLine(m).slice(0, -1));

function crcMatches(line: string): boolean {
  const star = line.lastIndexOf('*');
  return star > 0 && /^[0-9A-F]{4}$/.test(line.slice(star + 1)) && crc16CcittFalse(line, star) === Number.parseInt(line.slice(star + 1), 16);
}

describe('decoder fuzz', () => {
  it('decodes every encoded message back to itself', () => {
    fc.assert(fc.property(message, (m) => {
      expect(decodeLine(encodeLine(m).slice(0, -1))).toEqual(m);
    }), { seed: SEED, numRuns: RUNS });
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
      decodeLine(Buffer.from(bytes).toString('latin1'));
    }), { seed: SEED, numRuns: RUNS });
  });

  it('rejects every line with one byte changed', () => {
    fc.assert(fc.property(validLine, fc.nat(), fc.integer({ min: 1, max: 255 }), (line, at, mask) => {
      const i = at % line.length;
      const mutated = line.slice(0, i) + String.fromCharCode(line.charCodeAt(i) ^ mask) + line.slice(i + 1);
      expect(decodeLine(mutated).kind).toBe('error');
    }), { seed: SEED, numRuns: RUNS });
  });

  it('rejects every line cut short at the end', () => {
    fc.assert(fc.property(validLine, fc.nat(), (line, cut) => {
      const mutated = line.slice(0, cut % line.length);
      expect(decodeLine(mutated).kind).toBe('error');
    }), { seed: SEED, numRuns: RUNS });
  });

  it('accepts a line with bytes inserted or its start cut only when its checksum genuinely matches', () => {
    const mutation = fc.oneof(
      fc.tuple(fc.constant('insert' as const), fc.nat(), fc.integer({ min: 0, max: 255 })),
      fc.tuple(fc.constant('cut-start' as const), fc.nat(), fc.constant(0)),
    );
    fc.assert(fc.property(validLine, mutation, (line, [kind, at, byte]) => {
      const i = at % line.length;
      const mutated = kind === 'insert'
        ? line.slice(0, i) + String.fromCharCode(byte) + line.slice(i)
        : line.slice(i + 1);
      const decoded = decodeLine(mutated);
      if (decoded.kind !== 'error') expect(crcMatches(mutated)).toBe(true);
    }), { seed: SEED, numRuns: RUNS });
  });
});
