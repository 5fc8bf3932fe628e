import { readFileSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { PHASES } from '../src/controller/types.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../src/records/migrations.js';
import { RECORDS_BUSY_TIMEOUT_MS, recordsPath } from '../src/records/store.js';
import { phaseEvent, recordsErrorOf, samples, storeFixture, treatmentEnd, treatmentStart } from './helpers/records.js';

const fx = storeFixture('cryo-records-store-');

describe('records store: file, schema and pragmas', () => {
  it('puts the records file in the data dir', () => {
    expect(recordsPath('/var/lib/cryo')).toBe('/var/lib/cryo/records.sqlite');
  });

  it('opens with WAL, synchronous FULL, foreign keys on and the short busy timeout', () => {
    const file = fx.file();
    fx.open(file);
    const db = new Database(file);
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    } finally {
      db.close();
    }
    // The per-connection pragmas, read through the store's own connection.
    const store = fx.open(file) as unknown as { db: Database.Database };
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2);
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(store.db.pragma('busy_timeout', { simple: true })).toBe(RECORDS_BUSY_TIMEOUT_MS);
  });

  it('creates every table from an empty file, and gives every phase a code', () => {
    const file = fx.file();
    writeFileSync(file, '');
    fx.open(file).close();
    const db = new Database(file, { readonly: true });
    try {
      const tables = (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all() as string[]);
      expect(tables).toEqual(['cycles', 'events', 'meta', 'outbox', 'phases', 'samples', 'sqlite_sequence', 'treatments']);
      const phases = db.prepare('SELECT name FROM phases').pluck().all() as string[];
      expect([...phases].sort()).toEqual([...PHASES].sort());
    } finally {
      db.close();
    }
  });

  it('numbers migrations 1, 2, 3... in list order', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it('re-opens without migrating again and keeps the console id', () => {
    const file = fx.file();
    const first = fx.open(file);
    const id = first.consoleId();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    first.close();
    const again = fx.open(file);
    expect(again.consoleId()).toBe(id);
    expect(fx.open(fx.file()).consoleId()).not.toBe(id);
  });

  it.each(['wal', 'delete'])('refuses a database newer than the code (journal mode %s), naming both versions, and leaves its bytes alone', (mode) => {
    const file = fx.file();
    fx.open(file).close();
    const db = new Database(file);
    db.pragma(`journal_mode = ${mode}`);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const before = readFileSync(file);
    for (const readonly of [false, true]) {
      const error = recordsErrorOf(() => fx.open(file, { readonly }));
      expect(error.code).toBe('newer-schema');
      expect(error.message).toContain(file);
      expect(error.message).toContain(`schema version ${SCHEMA_VERSION + 1}, newer than this software's ${SCHEMA_VERSION}`);
    }
    expect(readFileSync(file).equals(before)).toBe(true);
  });
});

describe('records store: a file migrated by newer software while this one has it open', () => {
  it('refuses to begin a treatment with the newer-schema code, naming both versions, and writes nothing', () => {
    const file = fx.file();
    const store = fx.open(file);
    const newer = new Database(file);
    newer.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    newer.close();
    const error = recordsErrorOf(() => store.begin(treatmentStart()));
    expect(error.code).toBe('newer-schema');
    expect(error.message).toContain(`schema version ${SCHEMA_VERSION + 1}, newer than this software's ${SCHEMA_VERSION}`);
    store.close();
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT count(*) FROM treatments').pluck().get()).toBe(0);
    db.close();
  });
});

describe('records store: writing and reading a treatment', () => {
  it('gives back exactly what was written: start, samples, events, cycles and end', () => {
    const store = fx.open(fx.file());
    const start = treatmentStart();
    const id = store.begin(start);
    const batch1 = samples(5, { phase: 'Ready' });
    const batch2 = samples(5, { fromMs: 500 });
    const oneChannel = { ...samples(1, { fromMs: 1000 })[0]!, tipC: [null], supplyBarGauge: null, returnBarAbs: null };
    const events = [phaseEvent(400, 'Freezing'), { tMs: 650.5, kind: 'trip', detail: { id: 'RETURN_BLOCKED', nested: { a: [1, null, 'x'] } } }];
    store.append(id, batch1, []);
    store.append(id, batch2, events);
    store.append(id, [oneChannel], []);
    const end = treatmentEnd();
    store.end(id, end);
    const record = store.get(id);
    expect(record).toEqual({
      id,
      start,
      end,
      cycles: end.cycles,
      events,
      samples: [...batch1, ...batch2, oneChannel],
      sealSha256: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
      schemaVersion: SCHEMA_VERSION,
    });
  });

  it('keeps a treatment open (no end, no seal) until end is called', () => {
    const store = fx.open(fx.file());
    const id = store.begin(treatmentStart({ target: null, patientRef: null, operatorId: null, probe: { probeId: null, calibrationId: null, calibrationChecksum: null } }));
    const record = store.get(id)!;
    expect(record.end).toBeNull();
    expect(record.sealSha256).toBeNull();
    expect(record.start.target).toBeNull();
    expect(store.get(id + 1)).toBeNull();
  });

  it('lists newest first, up to the limit, with cycles and the coldest tip', () => {
    const store = fx.open(fx.file());
    const ids = [1, 2, 3].map((n) => {
      const id = store.begin(treatmentStart({ startedAtEpochMs: 1_780_000_000_000 + n }));
      store.end(id, treatmentEnd({ outcome: n === 2 ? 'stopped' : 'complete' }));
      return id;
    });
    const open = store.begin(treatmentStart());
    const rows = store.list(3);
    expect(rows.map((r) => r.id)).toEqual([open, ids[2], ids[1]]);
    expect(rows[0]).toMatchObject({ outcome: null, endedAtEpochMs: null, cycles: 0, minTipC: null });
    expect(rows[2]).toMatchObject({ outcome: 'stopped', cycles: 2, minTipC: -72.25, probeId: 'P-0042', target: { nerveId: 'infrapatellar-saphenous', side: 'left' } });
    expect(store.list().map((r) => r.id)).toEqual([open, ...ids.reverse()]);
  });

  it('refuses a new treatment while one is open, and writes to a closed or unknown one', () => {
    const store = fx.open(fx.file());
    const id = store.begin(treatmentStart());
    expect(recordsErrorOf(() => store.begin(treatmentStart())).message).toContain(`treatment ${id} is still open`);
    store.end(id, treatmentEnd());
    expect(recordsErrorOf(() => { store.append(id, samples(1), []); }).message).toContain(`treatment ${id} is closed (complete)`);
    expect(recordsErrorOf(() => { store.end(id, treatmentEnd()); }).code).toBe('invalid');
    expect(recordsErrorOf(() => { store.append(id + 5, samples(1), []); }).message).toContain(`no treatment ${id + 5}`);
  });

  it('refuses a bad sample naming the field and value, and writes nothing of the batch', () => {
    const file = fx.file();
    const store = fx.open(file);
    const id = store.begin(treatmentStart());
    const bad = [...samples(3), { ...samples(1)[0]!, tipC: [Number.NaN] }];
    const error = recordsErrorOf(() => { store.append(id, bad, [phaseEvent(0, 'Freezing')]); });
    expect(error.code).toBe('invalid');
    expect(error.message).toContain(`${file}: append: samples: 3.tipC.0:`);
    expect(store.get(id)!.samples).toEqual([]);
    expect(store.get(id)!.events).toEqual([]);
  });

  it('refuses a bad start naming the field', () => {
    const store = fx.open(fx.file());
    const error = recordsErrorOf(() => store.begin(treatmentStart({ settingsSha256: 'not-a-hash' })));
    expect(error.code).toBe('invalid');
    expect(error.message).toContain('begin: settingsSha256: expected a SHA-256 in lower-case hex (got "not-a-hash")');
    expect(store.list()).toEqual([]);
  });

  it('refuses an event detail that is not JSON', () => {
    const store = fx.open(fx.file());
    const id = store.begin(treatmentStart());
    const error = recordsErrorOf(() => { store.append(id, [], [{ tMs: 0, kind: 'x', detail: { big: 1n } }]); });
    expect(error.code).toBe('invalid');
    expect(error.message).toContain('events.0.detail: not JSON');
  });
});
