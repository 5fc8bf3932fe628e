// Reading a JSON input file (board, settings) at the boundary: every failure names the file and
// what went wrong, as the caller's own error type.
import { readFileSync } from 'node:fs';

export function readJsonFile(path: string, what: string, fail: (message: string) => Error): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw fail(`${path}: cannot read ${what}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw fail(`${path}: not valid JSON: ${(err as Error).message}`);
  }
}
