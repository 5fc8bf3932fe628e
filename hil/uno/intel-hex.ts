/**
 * Intel HEX parser for AVR flash images.
 *
 * Supports record types 00 (data), 01 (end of file), 02 (extended segment address) and
 * 04 (extended linear address); 03 and 05 (start addresses) are accepted and ignored.
 * Every record's checksum is verified; a malformed file throws with the offending line number.
 */

export class IntelHexError extends Error {
  constructor(message: string, readonly line: number) {
    super(`Intel HEX line ${line}: ${message}`);
    this.name = 'IntelHexError';
  }
}

/** ATmega328P flash size in bytes. */
export const ATMEGA328P_FLASH_BYTES = 32 * 1024;

/**
 * Parses Intel HEX text into a flash image of `flashBytes` bytes (erased flash reads 0xFF).
 * Throws IntelHexError on a bad record, a bad checksum, data outside the flash, or a missing
 * end-of-file record.
 */
export function parseIntelHex(text: string, flashBytes: number = ATMEGA328P_FLASH_BYTES): Uint8Array {
  const flash = new Uint8Array(flashBytes).fill(0xff);
  let base = 0;
  let sawEof = false;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = (lines[i] ?? '').trim();
    if (line === '') continue;
    if (sawEof) throw new IntelHexError('data after end-of-file record', lineNo);
    if (!line.startsWith(':')) throw new IntelHexError('record does not start with ":"', lineNo);
    const hex = line.slice(1);
    if (hex.length < 10 || hex.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(hex)) {
      throw new IntelHexError('malformed record', lineNo);
    }
    const bytes = new Uint8Array(hex.length / 2);
    for (let j = 0; j < bytes.length; j++) bytes[j] = Number.parseInt(hex.slice(2 * j, 2 * j + 2), 16);
    const count = bytes[0] ?? 0;
    if (bytes.length !== count + 5) throw new IntelHexError(`byte count ${count} does not match record length`, lineNo);
    let sum = 0;
    for (const b of bytes) sum = (sum + b) & 0xff;
    if (sum !== 0) throw new IntelHexError('checksum mismatch', lineNo);
    const address = ((bytes[1] ?? 0) << 8) | (bytes[2] ?? 0);
    const type = bytes[3] ?? 0;
    const data = bytes.subarray(4, 4 + count);
    switch (type) {
      case 0x00: {
        const start = base + address;
        if (start + count > flashBytes) {
          throw new IntelHexError(`data at 0x${start.toString(16)} beyond flash size ${flashBytes}`, lineNo);
        }
        flash.set(data, start);
        break;
      }
      case 0x01:
        sawEof = true;
        break;
      case 0x02:
        if (count !== 2) throw new IntelHexError('extended segment address needs 2 bytes', lineNo);
        base = (((data[0] ?? 0) << 8) | (data[1] ?? 0)) * 16;
        break;
      case 0x04:
        if (count !== 2) throw new IntelHexError('extended linear address needs 2 bytes', lineNo);
        base = (((data[0] ?? 0) << 8) | (data[1] ?? 0)) << 16;
        break;
      case 0x03:
      case 0x05:
        break;
      default:
        throw new IntelHexError(`unknown record type ${type}`, lineNo);
    }
  }
  if (!sawEof) throw new IntelHexError('missing end-of-file record', lines.length);
  return flash;
}

/** Parses Intel HEX text into AVR program memory: little-endian 16-bit words. */
export function loadHexProgram(text: string, flashBytes: number = ATMEGA328P_FLASH_BYTES): Uint16Array {
  const flash = parseIntelHex(text, flashBytes);
  const words = new Uint16Array(flashBytes / 2);
  for (let i = 0; i < words.length; i++) words[i] = (flash[2 * i] ?? 0xff) | ((flash[2 * i + 1] ?? 0xff) << 8);
  return words;
}
