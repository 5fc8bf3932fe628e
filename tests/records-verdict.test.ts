// Each freeze's efficacy verdict in the treatment records (issue 11): migration 3 on a file the
// schema-2 software wrote (tests/fixtures/records-v2.sqlite: made by `RecordsStore` of main at
// 28ffed5, before migration 3, with two sealed treatments of two cycles and a third left open),
// the hash chain over the new columns, and recovery of an interrupted treatment's verdicts.
import { copyFileSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../src/records/migrations.js';
import { verifyRecordsFile } from '../src/records/store.js';
import type { RecordsStore } from '../src/records/store.js';
import { phaseEvent, samples, storeFixture, tamperRecordsFile, treatmentEnd, treatmentStart } from './helpers/records.js';

const fx = storeFixture('cryo-records-verdict-');
const V2_FIXTURE = new URL('./fixtures/records-v2.sqlite', import.meta.url);

/** The schema-2 file copied to a fresh folder (the fixture itself is never opened for writing). */
function v2File(): string {
  const file = fx.file();
  copyFileSync(V2_FIXTURE, file);
  return file;
}


function withVerdicts(store: RecordsStore): number {
  const id = store.begin(treatmentStart({ startedAtEpochMs: 1_790_000_000_000 }));
  store.append(id, samples(3), [phaseEvent(0, 'Freezing')]);
  store.end(id, treatmentEnd({ endedAtEpochMs: 1_790_000_300_000 }));
  return id;
}

describe('records migration 3: the verdict per cycle', () => {
  it('the fixture is a schema-2 file, as the older software left it', () => {
    const db = new Database(v2File(), { readonly: true });
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(2);
      expect((db.prepare('PRAGMA table_info(cycles)').all() as { name: string }[]).map((c) => c.name)).not.toContain('effective');
    } finally {
      db.close();
    }
  });

  it('migrates a schema-2 file: the old rows keep their values with no verdict, and the chain verifies', () => {
    const file = v2File();
    const store = fx.open(file);
    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(3);
    } finally {
      db.close();
    }
    expect(store.verify()).toMatchObject({ ok: true, treatments: 3 });
    const old = store.get(1)!;
    expect(old.cycles.map((c) => [c.index, c.minTipC, c.belowMinus20S, c.verdict])).toEqual([
      [1, -71.5, 55.25, null],
      [2, -72.25, 54, null],
    ]);
  });

  it('writes and reads back a verdict per cycle after the migrated rows, and the whole file verifies, read-only too', () => {
    const file = v2File();
    const store = fx.open(file);
    store.recoverInterrupted(1_790_000_000_000);
    const id = withVerdicts(store);
    expect(store.get(id)!.cycles.map((c) => c.verdict)).toEqual([
      { r20MmAtEnd: 2.375, targetMm: 2, effective: true },
      { r20MmAtEnd: 1.625, targetMm: 2, effective: false },
    ]);
    store.close();
    expect(fx.open(file, { readonly: true }).verify()).toMatchObject({ ok: true, treatments: 4 });
  });

  it('keeps a verdict whose estimate was not running (r(-20 C) unknown, not effective)', () => {
    const store = fx.open(fx.file());
    const id = store.begin(treatmentStart());
    const end = treatmentEnd();
    const [first] = end.cycles;
    store.end(id, { ...end, cycles: [{ ...first!, verdict: { r20MmAtEnd: null, targetMm: 2.5, effective: false } }] });
    expect(store.get(id)!.cycles[0]!.verdict).toEqual({ r20MmAtEnd: null, targetMm: 2.5, effective: false });
    expect(store.verify()).toMatchObject({ ok: true });
  });

  it.each([
    ['a verdict changed', 'UPDATE cycles SET effective = 1 WHERE treatment_id = 4 AND idx = 2'],
    ['an r(-20 C) changed', 'UPDATE cycles SET r20_mm_at_end = 2.5 WHERE treatment_id = 4 AND idx = 2'],
    ['a target changed', 'UPDATE cycles SET r20_target_mm = 1.5 WHERE treatment_id = 4 AND idx = 2'],
    ['a verdict removed', 'UPDATE cycles SET effective = NULL, r20_target_mm = NULL, r20_mm_at_end = NULL WHERE treatment_id = 4 AND idx = 2'],
  ])('names the cycle row when %s', (_what, sql) => {
    const file = v2File();
    const store = fx.open(file);
    store.recoverInterrupted(1_790_000_000_000);
    withVerdicts(store);
    store.close();
    tamperRecordsFile(file, sql);
    expect(fx.open(file, { readonly: true }).verify()).toMatchObject({ ok: false, treatmentId: 4, table: 'cycles', rowId: 2, reason: expect.stringMatching(/row was changed/) as unknown });
  });

  it('names a migrated row given a verdict it never had', () => {
    const file = v2File();
    fx.open(file).close();
    tamperRecordsFile(file, 'UPDATE cycles SET effective = 1, r20_target_mm = 2, r20_mm_at_end = 3 WHERE treatment_id = 1 AND idx = 1');
    expect(fx.open(file, { readonly: true }).verify()).toMatchObject({ ok: false, treatmentId: 1, table: 'cycles', rowId: 1 });
  });

  it('refuses a verdict without its target, or half a missing verdict, in the file itself', () => {
    const file = fx.file();
    const store = fx.open(file);
    withVerdicts(store);
    store.close();
    for (const sql of [
      'UPDATE cycles SET r20_target_mm = NULL WHERE idx = 1',
      'UPDATE cycles SET effective = NULL WHERE idx = 1',
      'UPDATE cycles SET effective = 2 WHERE idx = 1',
      'UPDATE cycles SET r20_mm_at_end = -1 WHERE idx = 1',
    ]) {
      expect(() => { tamperRecordsFile(file, sql); }, sql).toThrow(/CHECK constraint failed/);
    }
  });

  it('refuses a verdict with a radius out of bounds at the boundary, naming the field and value', () => {
    const store = fx.open(fx.file());
    const id = store.begin(treatmentStart());
    const end = treatmentEnd();
    const bad = { ...end, cycles: [{ ...end.cycles[0]!, verdict: { r20MmAtEnd: 1e6, targetMm: 2, effective: true } }] };
    expect(() => { store.end(id, bad); }).toThrow(/cycles\.0\.verdict\.r20MmAtEnd.*1000000/s);
    expect(store.get(id)!.end).toBeNull();
  });

  it('recovers an interrupted treatment with the verdict its freeze-verdict event recorded', () => {
    const store = fx.open(fx.file());
    const id = store.begin(treatmentStart());
    const verdict = { cycle: 1, r20MmAtEnd: 2.25, targetMm: 2, atTargetMs: 12_000, effective: true };
    store.append(id, samples(20), [phaseEvent(0, 'Freezing')]);
    store.append(id, samples(10, { fromMs: 2000, phase: 'Thawing' }), [{ tMs: 2000, kind: 'freeze-verdict', detail: { kind: 'freeze-verdict', atMs: 3000, verdict } }]);
    const [recovered] = store.recoverInterrupted(1_790_000_000_000);
    expect(recovered?.id).toBe(id);
    expect(store.get(id)!.cycles.map((c) => [c.index, c.verdict])).toEqual([[1, { r20MmAtEnd: 2.25, targetMm: 2, effective: true }]]);
    expect(store.verify()).toMatchObject({ ok: true });
  });
});

describe('verify on a schema-2 file (review of issue 11, L5)', () => {
  const userVersion = (file: string): unknown => {
    const db = new Database(file, { readonly: true });
    try {
      return db.pragma('user_version', { simple: true });
    } finally {
      db.close();
    }
  };

  it('checks its chain as schema 2 hashes it and says which schema it is, without migrating or writing the file', () => {
    const file = v2File();
    const before = readFileSync(file);
    const checked = verifyRecordsFile(file);
    expect(checked.schemaVersion).toBe(2);
    expect(checked.result).toMatchObject({ ok: true, treatments: 3 });
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(userVersion(file)).toBe(2);
  });

  it('names the row a tamperer changed in it, still without migrating it', () => {
    const file = v2File();
    tamperRecordsFile(file, 'UPDATE cycles SET min_tip_c = -80 WHERE treatment_id = 1 AND idx = 2');
    const checked = verifyRecordsFile(file);
    expect(checked).toMatchObject({ schemaVersion: 2, result: { ok: false, treatmentId: 1, table: 'cycles', rowId: 2 } });
    expect(userVersion(file)).toBe(2);
  });

  it('checks a current file as before', () => {
    const file = v2File();
    const store = fx.open(file);
    store.recoverInterrupted(1_790_000_000_000);
    withVerdicts(store);
    store.close();
    expect(verifyRecordsFile(file)).toMatchObject({ schemaVersion: SCHEMA_VERSION, result: { ok: true, treatments: 4 } });
  });

  it('refuses a file that is not a records database (schema 0), naming it', () => {
    const file = fx.file();
    new Database(file).close();
    expect(() => verifyRecordsFile(file)).toThrow(/schema version 0: not a treatment records database/);
  });
});
