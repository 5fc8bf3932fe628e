// Each way the records file can refuse a write comes out as a RecordsError with its code and a
// message naming the file and the operation; nothing committed before is lost.
import { randomBytes } from 'node:crypto';
import { openSync, closeSync, writeSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { RECORDS_BUSY_TIMEOUT_MS } from '../src/records/store.js';
import { recordsErrorOf, samples, storeFixture, treatmentEnd, treatmentStart } from './helpers/records.js';

const fx = storeFixture('cryo-records-errors-');
/** A locked store must fail about when its busy timeout runs out, not after better-sqlite3's
 * default 5 s: this is well between the two on a loaded machine. */
const LOCKED_FAILS_WITHIN_MS = 2_000;
const PAGE_BYTES = 4096;

describe('records store errors', () => {
  it('fails fast with "locked" while another connection holds the write lock, and works again after', () => {
    const file = fx.file();
    const store = fx.open(file);
    const id = store.begin(treatmentStart());
    const other = new Database(file);
    try {
      other.exec('BEGIN EXCLUSIVE');
      const t0 = performance.now();
      const error = recordsErrorOf(() => {
        store.append(id, samples(5), []);
      });
      const elapsedMs = performance.now() - t0;
      expect(error.code).toBe('locked');
      expect(error.message).toMatch(new RegExp(`^${file}: append: .*SQLITE_BUSY`));
      expect(elapsedMs).toBeGreaterThanOrEqual(RECORDS_BUSY_TIMEOUT_MS / 2);
      expect(elapsedMs).toBeLessThan(LOCKED_FAILS_WITHIN_MS);
      expect(recordsErrorOf(() => fx.open(file)).code).toBe('locked');
      other.exec('ROLLBACK');
    } finally {
      other.close();
    }
    store.append(id, samples(5), []);
    expect(store.get(id)!.samples).toHaveLength(5);
  });

  it('says "read-only" when a read-only store is written to', () => {
    const file = fx.file();
    const writer = fx.open(file);
    const id = writer.begin(treatmentStart());
    writer.close();
    const reader = fx.open(file, { readonly: true });
    expect(reader.get(id)).not.toBeNull();
    for (const write of [() => { reader.append(id, samples(1), []); }, () => { reader.end(id, treatmentEnd()); }, () => reader.recoverInterrupted(1_780_000_000_000)]) {
      const error = recordsErrorOf(write);
      expect(error.code).toBe('read-only');
      expect(error.message).toContain(file);
    }
  });

  it('checkWritable: quiet on a writable store, "locked" under another writer, "read-only" on a read-only open; it writes nothing', () => {
    const file = fx.file();
    const store = fx.open(file);
    const id = store.begin(treatmentStart());
    store.checkWritable();
    const other = new Database(file);
    try {
      other.exec('BEGIN EXCLUSIVE');
      const error = recordsErrorOf(() => {
        store.checkWritable();
      });
      expect(error.code).toBe('locked');
      expect(error.message).toMatch(new RegExp(`^${file}: checkWritable: .*SQLITE_BUSY`));
      other.exec('ROLLBACK');
    } finally {
      other.close();
    }
    store.checkWritable();
    expect(store.get(id)?.samples).toHaveLength(0);
    expect(store.verify()).toMatchObject({ ok: true });
    store.close();
    const reader = fx.open(file, { readonly: true });
    expect(recordsErrorOf(() => {
      reader.checkWritable();
    }).code).toBe('read-only');
  });

  it('says "read-only" when a read-only open finds a file still to migrate', () => {
    const file = fx.file();
    new Database(file).close();
    const error = recordsErrorOf(() => fx.open(file, { readonly: true }));
    expect(error.code).toBe('read-only');
    expect(error.message).toContain('schema version 0');
  });

  it('says "full" when the file reaches its page quota, and keeps what was committed', () => {
    const file = fx.file();
    const first = fx.open(file);
    const id = first.begin(treatmentStart());
    first.append(id, samples(5), []);
    first.close();
    // max_page_count below the file's size is raised to it: no page more can be added.
    const store = fx.open(file, { maxPageCount: 1 });
    const error = recordsErrorOf(() => {
      store.append(id, samples(2_000), []);
    });
    expect(error.code).toBe('full');
    expect(error.message).toMatch(new RegExp(`^${file}: append: .*SQLITE_FULL`));
    expect(store.get(id)!.samples).toHaveLength(5);
    expect(store.verify()).toMatchObject({ ok: true });
  });

  it('says "corrupt" for a file that is not a database', () => {
    const file = fx.file();
    writeFileSync(file, randomBytes(2 * PAGE_BYTES));
    const error = recordsErrorOf(() => fx.open(file));
    expect(error.code).toBe('corrupt');
    expect(error.message).toMatch(new RegExp(`^${file}: open: .*SQLITE_NOTADB`));
  });

  it('says "corrupt" for a database whose pages are damaged', () => {
    const file = fx.file();
    const store = fx.open(file);
    const id = store.begin(treatmentStart());
    store.append(id, samples(400), []);
    store.close();
    const db = new Database(file);
    db.pragma('wal_checkpoint(TRUNCATE)');
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.close();
    const fd = openSync(file, 'r+');
    try {
      // Every page after the first (the schema) overwritten: the tables' b-trees are garbage.
      for (let page = 1; page < pages; page++) writeSync(fd, Buffer.alloc(PAGE_BYTES, 0xa5), 0, PAGE_BYTES, page * PAGE_BYTES);
    } finally {
      closeSync(fd);
    }
    const error = recordsErrorOf(() => fx.open(file).get(id));
    expect(error.code).toBe('corrupt');
    expect(error.message).toContain(file);
  });

  it('says "io" when the data dir does not exist', () => {
    const file = join(dirname(fx.file()), 'missing', 'records.sqlite');
    const error = recordsErrorOf(() => fx.open(file));
    expect(error.code).toBe('io');
    expect(error.message).toContain(`${file}: open:`);
  });

  it('says "io" for a store used after close', () => {
    const store = fx.open(fx.file());
    store.close();
    expect(recordsErrorOf(() => store.list()).code).toBe('io');
  });
});
