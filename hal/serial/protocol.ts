// The thermocouple front-end line protocol (docs/serial-protocol.md): constants, message types,
// the encoder and a decoder that never throws and rejects anything it cannot fully validate.

import type { TcFault } from '../contract.js';
import { crc16CcittFalse, crc16Hex } from './crc16.js';

export const PROTOCOL_VERSION = 1;
/** Bytes before the terminator (LF or CR LF). The longest valid line is 54 bytes (a device HELLO). */
export const MAX_LINE_BYTES = 96;
export const SEQ_MODULO = 65_536;
/** Channel numbers are 0..MAX_CHANNELS-1; a device reports 1..MAX_CHANNELS channels. */
export const MAX_CHANNELS = 8;
/** Widest thermocouple span (type K/N up to 1372 C) plus the MAX31856 open-circuit rail (2048 C). */
export const MIN_TEMP_C = -270;
export const MAX_TEMP_C = 2048;
/** MAX31856 cold-junction sensor range -55..125 C, with margin for a reading at the rail. */
export const MIN_CJ_C = -55;
export const MAX_CJ_C = 150;
/** Fault bits, in the order of TC_FAULTS. */
export const FAULT_BITS: Readonly<Record<TcFault, number>> = Object.freeze({
  'open': 0x1, 'short-gnd': 0x2, 'short-vcc': 0x4, 'cj-range': 0x8,
});
export const WIRE_THERMOCOUPLE_TYPES = ['B', 'E', 'J', 'K', 'N', 'R', 'S', 'T'] as const;
export type WireThermocoupleType = (typeof WIRE_THERMOCOUPLE_TYPES)[number];

export interface HostHello { readonly kind: 'host-hello'; readonly version: number }
export interface DeviceHello {
  readonly kind: 'device-hello';
  readonly version: number;
  readonly deviceId: string;
  readonly firmwareVersion: string;
  readonly channelCount: number;
  readonly thermocoupleType: WireThermocoupleType;
}
export interface SampleLine {
  readonly kind: 'sample';
  readonly seq: number;
  readonly channel: number;
  /** NaN only when `faultBits` is non-zero and the device sent `NAN`. */
  readonly tempC: number;
  readonly coldJunctionC: number;
  readonly faultBits: number;
}
export interface HeartbeatLine { readonly kind: 'heartbeat'; readonly seq: number }
/** A line with a valid checksum whose type this host does not know (a newer device). */
export interface UnknownLine { readonly kind: 'unknown'; readonly type: string }
export type Decoded = HostHello | DeviceHello | SampleLine | HeartbeatLine | UnknownLine;
export type Message = Exclude<Decoded, UnknownLine>;

export type DecodeErrorReason = 'length' | 'non-ascii' | 'framing' | 'checksum' | 'fields' | 'range';
export interface DecodeError { readonly kind: 'error'; readonly reason: DecodeErrorReason; readonly detail: string }

const SMALL_INT_RE = /^(0|[1-9][0-9]{0,4})$/;
const TEMP_RE = /^-?(0|[1-9][0-9]{0,3})\.[0-9]{2}$/;
const ID_RE = /^[A-Za-z0-9._-]{1,16}$/;
const FIRMWARE_RE = /^[A-Za-z0-9.+_-]{1,16}$/;
const TYPE_TOKEN_RE = /^[A-Z]{1,8}$/;
const CRC_RE = /^[0-9A-F]{4}$/;
const CRC_SUFFIX_CHARS = 5; // '*' and four hex digits

function fail(reason: DecodeErrorReason, detail: string): DecodeError {
  return { kind: 'error', reason, detail };
}

/**
 * A fixed-point temperature with two decimals. Non-finite or out-of-range values are written
 * `NAN`, never clamped: a receiver accepts `NAN` only on a sample with a fault bit set.
 */
export function formatTempC(valueC: number, minC = MIN_TEMP_C, maxC = MAX_TEMP_C): string {
  if (!(valueC >= minC && valueC <= maxC)) return 'NAN';
  const text = valueC.toFixed(2);
  return text === '-0.00' ? '0.00' : text;
}

function body(message: Message): string {
  switch (message.kind) {
    case 'host-hello': return `HELLO ${message.version}`;
    case 'device-hello':
      return `HELLO ${message.version} ${message.deviceId} ${message.firmwareVersion} ${message.channelCount} ${message.thermocoupleType}`;
    case 'sample':
      return `S ${message.seq} ${message.channel} ${formatTempC(message.tempC)} ${formatTempC(message.coldJunctionC, MIN_CJ_C, MAX_CJ_C)} ${message.faultBits.toString(16).toUpperCase()}`;
    case 'heartbeat': return `H ${message.seq}`;
  }
}

/** The full line including `*CRC` and LF. The caller supplies in-range values. */
export function encodeLine(message: Message): string {
  const text = body(message);
  return `${text}*${crc16Hex(text)}\n`;
}

/** Check the characters, the `*CRC` trailer and the checksum; return the body or an error. */
function checkFrame(text: string): string | DecodeError {
  if (text.length === 0 || text.length > MAX_LINE_BYTES) return fail('length', `line of ${text.length} bytes (1..${MAX_LINE_BYTES} allowed)`);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code > 0x7e) return fail('non-ascii', `byte 0x${code.toString(16)} at offset ${i}`);
  }
  const star = text.length - CRC_SUFFIX_CHARS;
  if (star < 1 || text[star] !== '*' || text.indexOf('*') !== star) return fail('framing', 'no single "*" followed by 4 hex digits at the end');
  const crcText = text.slice(star + 1);
  if (!CRC_RE.test(crcText)) return fail('framing', `checksum "${crcText}" is not 4 uppercase hex digits`);
  const expected = crc16CcittFalse(text, star);
  if (expected !== Number.parseInt(crcText, 16)) return fail('checksum', `checksum ${crcText}, computed ${crc16Hex(text, star)}`);
  return text.slice(0, star);
}

function parseIntField(token: string, max: number, name: string): number | DecodeError {
  if (!SMALL_INT_RE.test(token)) return fail('fields', `${name} "${token}" is not a decimal integer`);
  const value = Number.parseInt(token, 10);
  return value <= max ? value : fail('range', `${name} ${value} above ${max}`);
}

function parseTempField(token: string, minC: number, maxC: number, name: string, nanAllowed: boolean): number | DecodeError {
  if (token === 'NAN') return nanAllowed ? Number.NaN : fail('fields', `${name} NAN without a fault bit`);
  if (!TEMP_RE.test(token)) return fail('fields', `${name} "${token}" is not a number with two decimals`);
  const value = Number.parseFloat(token);
  return value >= minC && value <= maxC ? value : fail('range', `${name} ${token} outside ${minC}..${maxC} C`);
}

function decodeHello(fields: readonly string[]): HostHello | DeviceHello | DecodeError {
  const version = parseIntField(fields[1] ?? '', SEQ_MODULO - 1, 'protocol version');
  if (typeof version !== 'number') return version;
  if (version < 1) return fail('range', 'protocol version 0');
  if (fields.length === 2) return { kind: 'host-hello', version };
  if (fields.length !== 6) return fail('fields', `HELLO with ${fields.length - 1} fields (1 or 5 expected)`);
  const [, , deviceId = '', firmwareVersion = '', channelText = '', typeText = ''] = fields;
  if (!ID_RE.test(deviceId)) return fail('fields', `device id "${deviceId}"`);
  if (!FIRMWARE_RE.test(firmwareVersion)) return fail('fields', `firmware version "${firmwareVersion}"`);
  const channelCount = parseIntField(channelText, MAX_CHANNELS, 'channel count');
  if (typeof channelCount !== 'number') return channelCount;
  if (channelCount < 1) return fail('range', 'channel count 0');
  const thermocoupleType = WIRE_THERMOCOUPLE_TYPES.find((t) => t === typeText);
  if (thermocoupleType === undefined) return fail('fields', `thermocouple type "${typeText}"`);
  return { kind: 'device-hello', version, deviceId, firmwareVersion, channelCount, thermocoupleType };
}

function decodeSample(fields: readonly string[]): SampleLine | DecodeError {
  if (fields.length !== 6) return fail('fields', `S with ${fields.length - 1} fields (5 expected)`);
  const [, seqText = '', channelText = '', tempText = '', cjText = '', faultText = ''] = fields;
  const seq = parseIntField(seqText, SEQ_MODULO - 1, 'sequence');
  if (typeof seq !== 'number') return seq;
  const channel = parseIntField(channelText, MAX_CHANNELS - 1, 'channel');
  if (typeof channel !== 'number') return channel;
  if (!/^[0-9A-F]$/.test(faultText)) return fail('fields', `fault bits "${faultText}" are not one uppercase hex digit`);
  const faultBits = Number.parseInt(faultText, 16);
  const tempC = parseTempField(tempText, MIN_TEMP_C, MAX_TEMP_C, 'temperature', faultBits !== 0);
  if (typeof tempC !== 'number') return tempC;
  const coldJunctionC = parseTempField(cjText, MIN_CJ_C, MAX_CJ_C, 'cold junction', false);
  if (typeof coldJunctionC !== 'number') return coldJunctionC;
  return { kind: 'sample', seq, channel, tempC, coldJunctionC, faultBits };
}

/** Decode one line (terminator already removed). Never throws. */
export function decodeLine(text: string): Decoded | DecodeError {
  const checked = checkFrame(text);
  if (typeof checked !== 'string') return checked;
  const fields = checked.split(' ');
  const type = fields[0] ?? '';
  switch (type) {
    case 'HELLO': return decodeHello(fields);
    case 'S': return decodeSample(fields);
    case 'H': {
      if (fields.length !== 2) return fail('fields', `H with ${fields.length - 1} fields (1 expected)`);
      const seq = parseIntField(fields[1] ?? '', SEQ_MODULO - 1, 'sequence');
      return typeof seq === 'number' ? { kind: 'heartbeat', seq } : seq;
    }
    default:
      return TYPE_TOKEN_RE.test(type) ? { kind: 'unknown', type } : fail('fields', `line type "${type}"`);
  }
}

/** The first fault in TC_FAULTS order whose bit is set, or null. */
export function tcFaultOf(faultBits: number): TcFault | null {
  for (const [fault, bit] of Object.entries(FAULT_BITS) as [TcFault, number][]) {
    if ((faultBits & bit) !== 0) return fault;
  }
  return null;
}

/** The bit mask for a TcFault (or 0 for none). */
export function faultBitsOf(fault: TcFault | null): number {
  return fault === null ? 0 : FAULT_BITS[fault];
}
