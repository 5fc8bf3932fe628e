// One way to report a bad input file or message: one line per problem, naming the source, the
// field and the value, e.g. `boards/x.json: firmata.baud: must be 57600 (got 9600)`.
import type { z } from 'zod';
import { printable } from './printable.js';

/** Turn zod issues into one line per problem: `source: path.to.field: message (got value)`. A key
 * of the input shows in the path and in zod's own messages (an unrecognized key): its control
 * characters (a newline too: one line per problem) are escaped (kernel/printable.ts), so a line
 * printed on a terminal names the key. */
export function describeIssues(source: string, error: z.ZodError, input: unknown): string {
  return error.issues
    .map((issue) => printable(describeIssue(source, issue, input)))
    .join('\n');
}

function describeIssue(source: string, issue: z.core.$ZodIssue, input: unknown): string {
  const path = issue.path.map(String).join('.');
  // A record's key refused: the key is the value at fault (the last path element), and the
  // key schema's own message says why; the entry's value would mislead.
  if (issue.code === 'invalid_key') {
    const why = issue.issues.map((inner) => inner.message).join('; ');
    return `${source}: ${path}: not a valid key: ${why} (got ${JSON.stringify(String(issue.path.at(-1)))})`;
  }
  // An unrecognized key: the message names the keys, and the value at the path is the whole object
  // holding them (the whole file, for a key at the top level): shown, it would bury the key.
  const value = issue.code === 'unrecognized_keys' ? undefined : valueAt(input, issue.path);
  const got = value === undefined ? '' : ` (got ${valueText(value)})`;
  return `${source}: ${path === '' ? '(top level)' : path}: ${issue.message}${got}`;
}

/** A rejected value as an error line shows it: its JSON text, except that a non-finite number is
 * written as JavaScript writes it (Infinity, -Infinity, NaN). JSON has no such number, so
 * JSON.stringify writes null: a file holding 1e400 (JSON.parse makes it Infinity) was refused
 * "(got null)", naming a value the file never held. Nested ones too (`[1,Infinity]`). */
export function valueText(value: unknown): string {
  if (typeof value === 'number') return String(value);
  const plain = JSON.stringify(value) as string | undefined;
  // No null in the text: no non-finite number either (JSON.stringify writes each as null).
  if (plain === undefined || !plain.includes('null')) return String(plain);
  // Each non-finite number written as a string behind a marker, then unquoted. No key or string
  // of the value holds the marker (its JSON text does not), so every marked string is one of them.
  let marker = '~non-finite~';
  while (plain.includes(marker)) marker += '~';
  const marked = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? `${marker}${String(v)}` : v));
  return marked.replaceAll(new RegExp(`"${marker}(-?Infinity|NaN)"`, 'g'), '$1');
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cursor: unknown = input;
  for (const key of path) {
    if (cursor === null || typeof cursor !== 'object') return undefined;
    cursor = (cursor as Record<PropertyKey, unknown>)[key];
  }
  return cursor;
}
