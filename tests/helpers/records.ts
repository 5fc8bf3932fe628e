// Records store fixtures: the test data (records-data.ts) and stores in fresh folders that the
// test file removes.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, expect } from 'vitest';
import { RecordsError, RecordsStore, recordsPath } from '../../src/records/store.js';
import { tempDirMaker } from './temp.js';

export { SHA_A, SHA_B, phaseEvent, samples, treatmentEnd, treatmentStart } from './records-data.js';

/** A fresh records file path per call, in a folder removed after the file's tests; every store
 * opened through `open` is closed after each test. */
export function storeFixture(prefix: string): { file: () => string; open: (file: string, options?: Parameters<typeof RecordsStore.open>[1]) => RecordsStore } {
  const dir = tempDirMaker(prefix);
  const opened: RecordsStore[] = [];
  afterEach(() => {
    for (const s of opened.splice(0)) s.close();
  });
  return {
    file: () => recordsPath(join(dir())),
    open: (file, options) => {
      const store = RecordsStore.open(file, options);
      opened.push(store);
      return store;
    },
  };
}

/** The RecordsError `body` throws (fails the test if it throws nothing or something else). */
export function recordsErrorOf(body: () => unknown): RecordsError {
  try {
    body();
  } catch (error) {
    expect(error).toBeInstanceOf(RecordsError);
    return error as RecordsError;
  }
  throw new Error('expected a RecordsError, nothing was thrown');
}

/** What a tamperer with a records file does: drop the append-only triggers, then edit with `sql`. */
export function tamperRecordsFile(file: string, sql: string): void {
  const db = new Database(file);
  try {
    for (const t of db.prepare("SELECT name FROM sqlite_schema WHERE type = 'trigger'").pluck().all() as string[]) db.exec(`DROP TRIGGER ${t}`);
    db.exec(sql);
  } finally {
    db.close();
  }
}
