// Reading a JSON input file (board, settings) at the boundary: every failure names the file and
// what went wrong, as the caller's own error type. The checks themselves (regular file, size,
// depth, keys) live in kernel/json-input.ts, shared with the calibration records.
import { InputFileError, readJsonInput } from './json-input.js';

export function readJsonFile(path: string, what: string, fail: (message: string) => Error): unknown {
  try {
    return readJsonInput(path, what);
  } catch (err) {
    if (err instanceof InputFileError) throw fail(err.message);
    throw err;
  }
}
