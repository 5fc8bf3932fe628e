// CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection, no final xor. Check value: the
// nine ASCII bytes "123456789" give 0x29B1. It detects every error burst of up to 16 bits, so
// any single corrupted byte in a line is caught (docs/serial-protocol.md, "Checksum").

const CRC16_POLY = 0x1021;
const CRC16_INIT = 0xffff;

function buildTable(): Uint16Array {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit++) {
      crc = (crc & 0x8000) !== 0 ? ((crc << 1) ^ CRC16_POLY) & 0xffff : (crc << 1) & 0xffff;
    }
    table[byte] = crc;
  }
  return table;
}

/** Immutable after construction: a lookup table, not state. */
const CRC16_TABLE: Readonly<Uint16Array> = buildTable();

/** CRC over the character codes of `text` (each must be below 256: callers pass ASCII/latin1). */
export function crc16CcittFalse(text: string, end = text.length): number {
  let crc = CRC16_INIT;
  for (let i = 0; i < end; i++) {
    const index = ((crc >>> 8) ^ text.charCodeAt(i)) & 0xff;
    crc = ((crc << 8) & 0xffff) ^ (CRC16_TABLE[index] ?? 0);
  }
  return crc;
}

/** The CRC as the protocol writes it: exactly four uppercase hex digits. */
export function crc16Hex(text: string, end = text.length): string {
  return crc16CcittFalse(text, end).toString(16).toUpperCase().padStart(4, '0');
}
