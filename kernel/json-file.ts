// Reading a JSON input file (board, settings) at the boundary: every failure names the file and
// what went wrong, as the caller's own error type. The checks themselves (regular file, size,
// depth, keys) live in kernel/json-input.ts, shared with the calibration records.
import { createHash } from 'node:crypto';
import { InputFileError, parseJsonInput, readBoundedFile, readJsonInput } from './json-input.js';

/** A JSON input file's value and the SHA-256 (lower-case hex) of the very bytes it was parsed from. */
export interface HashedJsonFile {
  readonly value: Record<string, unknown>;
  readonly sha256: string;
}

function failingAs<T>(fail: (message: string) => Error, read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof InputFileError) throw fail(err.message);
    throw err;
  }
}

export function readJsonFile(path: string, what: string, fail: (message: string) => Error): unknown {
  return failingAs(fail, () => readJsonInput(path, what));
}

/** As readJsonFile, with the file's SHA-256 taken from the same read: a second read to hash it
 * could find another file (rewritten or removed in between), and a record would name a file the
 * value never came from. readBoundedFile's text is UTF-8 it validated, decoded without dropping a
 * byte-order mark, so encoding it again gives back the file's bytes exactly. */
export function readHashedJsonFile(path: string, what: string, fail: (message: string) => Error): HashedJsonFile {
  return failingAs(fail, () => {
    const text = readBoundedFile(path, what);
    const value = parseJsonInput(text, path, what);
    return { value, sha256: createHash('sha256').update(text, 'utf8').digest('hex') };
  });
}
