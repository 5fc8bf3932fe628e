import { describe, expect, it } from 'vitest';
import { IntelHexError, loadHexProgram, parseIntelHex } from '../hil/uno/intel-hex.js';

// Hand-made: 4 data bytes at 0x0000, 2 at 0x0010, an extended linear address record of 0, EOF.
const TINY = [
  ':040000000C94340028',
  ':02001000AA55EF',
  ':020000040000FA',
  ':00000001FF',
].join('\r\n');

describe('Intel HEX parser', () => {
  it('places data records and leaves the rest of flash erased', () => {
    const flash = parseIntelHex(TINY, 64);
    expect(Array.from(flash.subarray(0, 6))).toEqual([0x0c, 0x94, 0x34, 0x00, 0xff, 0xff]);
    expect(Array.from(flash.subarray(0x10, 0x13))).toEqual([0xaa, 0x55, 0xff]);
  });

  it('loads little-endian program words', () => {
    const words = loadHexProgram(TINY, 64);
    expect(words.length).toBe(32);
    expect(words[0]).toBe(0x940c); // jmp
    expect(words[1]).toBe(0x0034);
    expect(words[8]).toBe(0x55aa);
    expect(words[9]).toBe(0xffff);
  });

  it('honours extended segment addresses', () => {
    const flash = parseIntelHex(':020000020001FB\n:0100000042BD\n:00000001FF\n', 64);
    expect(flash[0x10]).toBe(0x42);
  });

  it('rejects a bad checksum with the line number', () => {
    const bad = TINY.replace(':02001000AA55EF', ':02001000AA5542');
    expect(() => parseIntelHex(bad, 64)).toThrow(IntelHexError);
    expect(() => parseIntelHex(bad, 64)).toThrow(/line 2: checksum/);
  });

  it('rejects a missing EOF, data beyond flash, malformed and unknown records', () => {
    expect(() => parseIntelHex(':040000000C94340028\n', 64)).toThrow(/end-of-file/);
    expect(() => parseIntelHex(':02004000AA55BF\n:00000001FF', 64)).toThrow(/beyond flash/);
    expect(() => parseIntelHex('040000000C9434003A\n:00000001FF', 64)).toThrow(/":"/);
    expect(() => parseIntelHex(':0400000C9434003A\n:00000001FF', 64)).toThrow(/byte count/);
    expect(() => parseIntelHex(':00000007F9\n:00000001FF', 64)).toThrow(/unknown record type 7/);
  });
});
