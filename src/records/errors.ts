// The one error the records store throws (issue 10). The records worker turns any of them into
// RECORDS_UNAVAILABLE; the code says what to tell the operator, the message names the file and
// the operation that failed.

/** locked: another connection holds the write lock past the busy timeout. read-only: the file or
 * the connection cannot be written. full: the disk (or the configured page quota) is full.
 * newer-schema: the file was written by newer software (never altered). corrupt: not a database,
 * or damaged. io: anything else SQLite or the file system refused. invalid: the caller's input was
 * refused before anything was written (a bug in the caller; nothing changed). */
export type RecordsErrorCode = 'locked' | 'read-only' | 'full' | 'newer-schema' | 'corrupt' | 'io' | 'invalid';

export class RecordsError extends Error {
  override name = 'RecordsError';
  constructor(
    readonly code: RecordsErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** SQLite's primary result codes (the part of an extended code before the first `_` suffix)
 * mapped to what the store reports. better-sqlite3 puts the extended code in `error.code`, e.g.
 * `SQLITE_BUSY_SNAPSHOT`, `SQLITE_READONLY_DBMOVED`, `SQLITE_IOERR_WRITE`. */
const PRIMARY_CODES: Readonly<Record<string, RecordsErrorCode>> = {
  SQLITE_BUSY: 'locked',
  SQLITE_LOCKED: 'locked',
  SQLITE_READONLY: 'read-only',
  SQLITE_PERM: 'read-only',
  SQLITE_FULL: 'full',
  SQLITE_CORRUPT: 'corrupt',
  SQLITE_NOTADB: 'corrupt',
};

function sqliteCodeOf(error: unknown): string | null {
  if (typeof error !== 'object' || error === null || !('code' in error)) return null;
  const code: unknown = error.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : null;
}

/** The store's code for whatever better-sqlite3 (or Node) threw. */
export function recordsCodeOf(error: unknown): RecordsErrorCode {
  if (error instanceof RecordsError) return error.code;
  const code = sqliteCodeOf(error);
  if (code === null) return 'io';
  const primary = code.split('_').slice(0, 2).join('_');
  return PRIMARY_CODES[primary] ?? 'io';
}

/** `error` as a RecordsError naming the file and the operation: `<file>: append: database is
 * locked (SQLITE_BUSY)`. A RecordsError keeps its code, and is given the file's name if it lacks it. */
export function toRecordsError(file: string, operation: string, error: unknown): RecordsError {
  if (error instanceof RecordsError) {
    return error.message.startsWith(`${file}: `) ? error : new RecordsError(error.code, `${file}: ${operation}: ${error.message}`, { cause: error });
  }
  const text = error instanceof Error ? error.message : String(error);
  const code = sqliteCodeOf(error);
  return new RecordsError(recordsCodeOf(error), `${file}: ${operation}: ${text}${code === null ? '' : ` (${code})`}`, { cause: error });
}
