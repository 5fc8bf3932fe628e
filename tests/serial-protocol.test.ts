import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { crc16CcittFalse, crc16Hex } from '../hal/serial/crc16.js';
import {
  FAULT_BITS, MAX_LINE_BYTES, decodeLine, encodeLine, faultBitsOf, formatTempC, tcFaultOf, type Message,
} from '../hal/serial/protocol.js';
import { TC_FAULTS } from '../hal/contract.js';

/** Golden lines; the first four are the worked examples in docs/serial-protocol.md. */
const GOLDEN: readonly (readonly [Message, string])[] = [
  [{ kind: 'sample', seq: 1234, channel: 0, tempC: -78.5, coldJunctionC: 24.75, faultBits: 0 }, 'S 1234 0 -78.50 24.75 0*8D25\n'],
  [{ kind: 'host-hello', version: 1 }, 'HELLO 1*3C7B\n'],
  [{ kind: 'device-hello', version: 1, deviceId: 'FE-0042', firmwareVersion: '1.0.3', channelCount: 2, thermocoupleType: 'T' }, 'HELLO 1 FE-0042 1.0.3 2 T*08E8\n'],
  [{ kind: 'heartbeat', seq: 65535 }, 'H 65535*C325\n'],
];

describe('CRC-16/CCITT-FALSE', () => {
  it('gives the standard check value 0x29B1 for "123456789"', () => {
    expect(crc16CcittFalse('123456789')).toBe(0x29b1);
    expect(crc16Hex('123456789')).toBe('29B1');
  });

  it('gives 0xFFFF (the init value) for no bytes and pads to four digits', () => {
    expect(crc16Hex('')).toBe('FFFF');
    expect(crc16Hex('S 1234 0 -78.50 24.75 0')).toBe('8D25');
  });
});

describe('encoder and decoder golden lines', () => {
  for (const [message, line] of GOLDEN) {
    it(`encodes ${message.kind} as ${JSON.stringify(line)} and decodes it back`, () => {
      expect(encodeLine(message)).toBe(line);
      expect(decodeLine(line.slice(0, -1))).toEqual(message);
    });
  }

  it('encodes a faulted channel with an unknown temperature as NAN and decodes it as NaN with the fault', () => {
    const line = encodeLine({ kind: 'sample', seq: 1235, channel: 1, tempC: Number.NaN, coldJunctionC: 24.75, faultBits: 1 });
    expect(line).toBe('S 1235 1 NAN 24.75 1*F500\n');
    const decoded = decodeLine(line.trimEnd());
    expect(decoded.kind === 'sample' && Number.isNaN(decoded.tempC) && tcFaultOf(decoded.faultBits)).toBe('open');
  });

  it('writes -0.004 C as 0.00, never as -0.00', () => {
    expect(formatTempC(-0.004)).toBe('0.00');
  });

  it('decodes a line of type it does not know as unknown when the checksum is good', () => {
    const body = 'CAL 3 0.12';
    expect(decodeLine(`${body}*${crc16Hex(body)}`)).toEqual({ kind: 'unknown', type: 'CAL' });
  });
});

describe('decoder rejections', () => {
  const withCrc = (body: string): string => `${body}*${crc16Hex(body)}`;
  const cases: readonly (readonly [string, string, string])[] = [
    ['a wrong checksum', 'S 1234 0 -78.50 24.75 0*8D24', 'checksum'],
    ['a lower-case checksum', 'S 1234 0 -78.50 24.75 0*8d25', 'framing'],
    ['no checksum', 'S 1234 0 -78.50 24.75 0', 'framing'],
    ['an empty line', '', 'length'],
    ['a line over the maximum length', `${'X'.repeat(MAX_LINE_BYTES)}*0000`, 'length'],
    ['a non-ASCII byte', withCrc('S 1234 0 -78.50 24.75 \u00e9'), 'non-ascii'],
    ['a control byte', withCrc('S 1234 0 -78.50\t24.75 0'), 'non-ascii'],
    ['a missing field', withCrc('S 1234 0 -78.50 24.75'), 'fields'],
    ['an extra field', withCrc('S 1234 0 -78.50 24.75 0 0'), 'fields'],
    ['a double space', withCrc('S 1234  0 -78.50 24.75 0'), 'fields'],
    ['one decimal', withCrc('S 1234 0 -78.5 24.75 0'), 'fields'],
    ['a leading zero', withCrc('S 01234 0 -78.50 24.75 0'), 'fields'],
    ['a sequence of 65536', withCrc('S 65536 0 -78.50 24.75 0'), 'range'],
    ['channel 8', withCrc('S 1 8 -78.50 24.75 0'), 'range'],
    ['a temperature below -270 C', withCrc('S 1 0 -270.01 24.75 0'), 'range'],
    ['a cold junction above 150 C', withCrc('S 1 0 -78.50 150.01 0'), 'range'],
    ['NAN without a fault bit', withCrc('S 1 0 NAN 24.75 0'), 'fields'],
    ['lower-case fault bits', withCrc('S 1 0 -78.50 24.75 a'), 'fields'],
    ['a HELLO with 3 fields', withCrc('HELLO 1 FE 1.0'), 'fields'],
    ['an unknown thermocouple type', withCrc('HELLO 1 FE 1.0 2 X'), 'fields'],
    ['zero channels', withCrc('HELLO 1 FE 1.0 0 T'), 'range'],
    ['a lower-case line type', withCrc('hello 1'), 'fields'],
    ['two stars', withCrc('S 1 0 -78.50 24.75 0*'), 'framing'],
  ];
  for (const [what, line, reason] of cases) {
    it(`rejects ${what} (${reason})`, () => {
      const decoded = decodeLine(line);
      expect(decoded.kind).toBe('error');
      expect(decoded.kind === 'error' ? decoded.reason : null).toBe(reason);
    });
  }
});

describe('fault bits', () => {
  it('maps every TcFault to its bit and back', () => {
    for (const fault of TC_FAULTS) expect(tcFaultOf(faultBitsOf(fault))).toBe(fault);
    expect(tcFaultOf(0)).toBeNull();
  });

  it('reports the first fault in TC_FAULTS order when several bits are set', () => {
    expect(tcFaultOf(FAULT_BITS['cj-range'] | FAULT_BITS['short-vcc'])).toBe('short-vcc');
  });
});

describe('docs/serial-protocol.md', () => {
  const doc = readFileSync('docs/serial-protocol.md', 'utf8');

  it('shows every golden line exactly as the encoder writes it', () => {
    for (const [, line] of GOLDEN) expect(doc).toContain(`\`${line.slice(0, -1)}\``);
    expect(doc).toContain('`S 1235 1 NAN 24.75 1*F500`');
  });

  it('shows the bytes of the worked example as hex', () => {
    const hex = [...Buffer.from('S 1234 0 -78.50 24.75 0', 'latin1')].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    expect(doc).toContain(hex);
    expect(doc).toContain('0x8D25');
  });
});
