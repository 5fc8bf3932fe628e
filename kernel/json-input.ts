// Reading a JSON input file at the boundary (settings, board, calibration record) without trusting
// it: only a regular file (a FIFO would hang the console, /dev/zero would fill memory), of bounded
// size, nested to a bounded depth, with no duplicate keys (which one wins is a guess) and no keys
// that reach an object's prototype. Every failure is an InputFileError naming the file and what
// is wrong; nothing here prints a stack trace or throws anything else for bad input.
import { isUtf8 } from 'node:buffer';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { visit } from 'jsonc-parser';
import { printable } from './printable.js';

/** Settings, board files and calibration records are a few kB; 256 KiB is far above any real one. */
export const MAX_JSON_INPUT_BYTES = 256 * 1024;
/** The deepest real input (a board file) nests 4 levels; 32 leaves room and bounds recursion. */
export const MAX_JSON_INPUT_DEPTH = 32;
/** Keys that would reach or replace an object's prototype when the value is copied or merged. */
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export class InputFileError extends Error {
  override name = 'InputFileError';
  /** True when the file does not exist (callers may treat a missing file as a value). */
  readonly missing: boolean;
  constructor(message: string, missing = false) {
    super(message);
    this.missing = missing;
  }
}

/** The bytes of a regular file of at most `maxBytes`; throws InputFileError naming the file. */
export function readBoundedFile(path: string, what: string, maxBytes = MAX_JSON_INPUT_BYTES): string {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO with no writer must not block; fstat then refuses it.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputFileError(`${path}: cannot read ${what}: ${code ?? (err as Error).message}`, code === 'ENOENT');
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new InputFileError(`${path}: ${what} is not a regular file (${fileKind(stat)})`);
    if (stat.size > maxBytes) throw new InputFileError(`${path}: ${what} is ${stat.size} bytes, more than the ${maxBytes} allowed`);
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > maxBytes) throw new InputFileError(`${path}: ${what} grew past the ${maxBytes} bytes allowed while being read`);
    }
    const bytes = buffer.subarray(0, length);
    // Bytes that are not UTF-8 would be decoded as U+FFFD without a word: a value (a name, a
    // password) silently changed, or two keys made one. Refused, naming where.
    if (!isUtf8(bytes)) throw new InputFileError(`${path}: ${what} is not UTF-8 text (byte 0x${firstInvalidByte(bytes)})`);
    return bytes.toString('utf8');
  } catch (err) {
    if (err instanceof InputFileError) throw err;
    throw new InputFileError(`${path}: cannot read ${what}: ${(err as Error).message}`);
  } finally {
    closeSync(fd);
  }
}

/** The first byte that is not UTF-8, in hex, and its offset: where the decoder put its first
 * U+FFFD that the file does not spell out itself (EF BF BD). Everything before it decoded as is. */
function firstInvalidByte(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  for (let at = text.indexOf('\uFFFD'); at !== -1; at = text.indexOf('\uFFFD', at + 1)) {
    const offset = Buffer.byteLength(text.slice(0, at), 'utf8');
    if (!(bytes[offset] === 0xef && bytes[offset + 1] === 0xbf && bytes[offset + 2] === 0xbd)) {
      return `${(bytes[offset] ?? 0).toString(16).padStart(2, '0')} at offset ${offset}`;
    }
  }
  return `at offset ${bytes.length}`;
}

function fileKind(stat: ReturnType<typeof fstatSync>): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isSocket()) return 'a socket';
  return 'not a file';
}

/** Deepest nesting of arrays and objects, scanned without recursion (strings skipped). */
function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') {
      inString = true;
    } else if (ch === '{' || ch === '[') {
      depth++;
      if (depth > max) max = depth;
    } else if (ch === '}' || ch === ']') {
      depth--;
    }
  }
  return max;
}

/** Duplicate and prototype-reaching keys, as `path: problem` lines (jsonc-parser's visitor). */
function keyProblems(text: string): string[] {
  const problems: string[] = [];
  const seen: Set<string>[] = [];
  visit(text, {
    onObjectBegin: () => void seen.push(new Set()),
    onObjectEnd: () => void seen.pop(),
    onObjectProperty: (key, _offset, _length, _line, _column, pathSupplier) => {
      // Keys are printed: their control characters escaped (kernel/printable.ts).
      const where = printable([...pathSupplier().map(String), key].join('.'));
      const keys = seen.at(-1);
      if (keys?.has(key) === true) problems.push(`${where}: key '${printable(key)}' appears twice`);
      keys?.add(key);
      if (FORBIDDEN_KEYS.has(key)) problems.push(`${where}: key '${printable(key)}' is not allowed`);
    },
  });
  return problems;
}

/** Parse JSON text strictly: bounded depth, no duplicate or prototype keys, an object at the top. */
export function parseJsonInput(text: string, path: string, what: string, maxDepth = MAX_JSON_INPUT_DEPTH): Record<string, unknown> {
  const depth = nestingDepth(text);
  if (depth > maxDepth) throw new InputFileError(`${path}: ${what} nests ${depth} levels deep, more than the ${maxDepth} allowed`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InputFileError(`${path}: not valid JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputFileError(`${path}: ${what} must be a JSON object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`);
  }
  const problems = keyProblems(text);
  if (problems.length > 0) throw new InputFileError(problems.map((p) => `${path}: ${p}`).join('\n'));
  return value as Record<string, unknown>;
}

/** Read and parse a JSON input file; throws InputFileError naming the file and the problem. */
export function readJsonInput(path: string, what: string): Record<string, unknown> {
  return parseJsonInput(readBoundedFile(path, what), path, what);
}
