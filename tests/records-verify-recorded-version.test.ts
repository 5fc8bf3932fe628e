// Review of issue 11: PRAGMA user_version lies outside the hash chain yet chooses whether a cycle's
// verdict columns are read and hashed. Migration 4 records in each treatment's hashed
// start the schema it was written at; verify refuses a file claiming an older schema than any
// treatment's, and a start whose recorded version was removed, naming the treatment, the field
// and both versions. (The plain attack was already caught by a verdict row's own hash, with a
// generic reason: tests/records-verify-downgrade.test.ts.) Treatments begun before migration 4
// carry none and are protected as before (the last test).
import { copyFileSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SCHEMA_VERSION, TREATMENT_VERSION_SCHEMA_VERSION } from '../src/records/migrations.js';
import { verifyRecordsFile } from '../src/records/store.js';
import type { VerifyResult } from '../src/records/types.js';
import { phaseEvent, samples, storeFixture, tamperRecordsFile, treatmentEnd, treatmentStart } from './helpers/records.js';

const fx = storeFixture('cryo-records-recorded-version-');
/** Written by the schema-3 software (RecordsStore at 4971f61): two sealed treatments, verdicts on
 * three of their four cycles, and a third treatment left open. */
const V3_FIXTURE = new URL('./fixtures/records-v3.sqlite', import.meta.url);
/** Written by the schema-2 software: three treatments, no verdict in any cycle. */
const V2_FIXTURE = new URL('./fixtures/records-v2.sqlite', import.meta.url);

// SQLite refuses to drop a column another column's CHECK names: `effective`'s names the other two.
const DROP_VERDICTS = 'ALTER TABLE cycles DROP COLUMN effective; ALTER TABLE cycles DROP COLUMN r20_target_mm; ALTER TABLE cycles DROP COLUMN r20_mm_at_end;';
const DROP_RECORDED_VERSION = 'ALTER TABLE treatments DROP COLUMN schema_version;';

/** Two sealed treatments with verdicts, written by this software. */
function currentFile(): string {
  const file = fx.file();
  const store = fx.open(file);
  for (const startedAtEpochMs of [1_790_000_000_000, 1_790_000_400_000]) {
    const id = store.begin(treatmentStart({ startedAtEpochMs }));
    store.append(id, samples(3), [phaseEvent(0, 'Freezing')]);
    store.end(id, treatmentEnd({ endedAtEpochMs: startedAtEpochMs + 300_000 }));
  }
  store.close();
  return file;
}

function v3File(): string {
  const file = fx.file();
  copyFileSync(V3_FIXTURE, file);
  return file;
}

function readOnly<T>(file: string, body: (db: Database.Database) => T): T {
  const db = new Database(file, { readonly: true });
  try {
    return body(db);
  } finally {
    db.close();
  }
}

const reasonOf = (result: VerifyResult): string => (result.ok ? '' : result.reason);

describe('records verify: the schema version each treatment was written at, hashed in its start', () => {
  it('records it in every treatment this software begins', () => {
    const file = currentFile();
    expect(readOnly(file, (db) => db.prepare('SELECT id, schema_version FROM treatments ORDER BY id').raw().all())).toEqual([
      [1, SCHEMA_VERSION],
      [2, SCHEMA_VERSION],
    ]);
    expect(verifyRecordsFile(file)).toMatchObject({ schemaVersion: SCHEMA_VERSION, result: { ok: true, treatments: 2 } });
  });

  it('catches the verdict columns dropped with user_version set back to 2, naming the treatment, the field and both versions', () => {
    const file = currentFile();
    tamperRecordsFile(file, `${DROP_VERDICTS} PRAGMA user_version = 2`);
    const checked = verifyRecordsFile(file);
    expect(checked).toMatchObject({ schemaVersion: 2, result: { ok: false, treatmentId: 1, table: 'treatments', rowId: 1 } });
    expect(reasonOf(checked.result)).toMatch(new RegExp(`^its schema_version is ${SCHEMA_VERSION} \\(the schema it was written at, hashed in its start\\), but the file says schema 2 \\(user_version\\)`));
  });

  it.each([1, 2, 3])('catches the recorded version dropped too, with user_version set back to %i', (claimed) => {
    const file = currentFile();
    tamperRecordsFile(file, `${claimed < 3 ? DROP_VERDICTS : ''} ${DROP_RECORDED_VERSION} PRAGMA user_version = ${claimed}`);
    const checked = verifyRecordsFile(file);
    expect(checked).toMatchObject({ schemaVersion: claimed, result: { ok: false, treatmentId: 1, table: 'treatments', rowId: 1 } });
    expect(reasonOf(checked.result)).toBe(
      `its start hash matches the start with schema_version ${SCHEMA_VERSION} (the schema it was written at), but the file says schema ${claimed} and its treatments table has no schema_version column: ` +
        "the recorded version was removed (the file's schema version set back, its columns dropped)",
    );
  });

  it('catches the recorded version set NULL (as a treatment begun before migration 4 has it), naming the version it was', () => {
    const file = currentFile();
    tamperRecordsFile(file, 'UPDATE treatments SET schema_version = NULL');
    const checked = verifyRecordsFile(file);
    expect(checked.result).toMatchObject({ ok: false, treatmentId: 1, table: 'treatments' });
    expect(reasonOf(checked.result)).toMatch(new RegExp(`^its start hash matches the start with schema_version ${SCHEMA_VERSION} .*, but its schema_version is NULL`));
  });

  it('says the column is there when the versions are set NULL and the claim set back to 3 (review: the message described the table from the claim)', () => {
    const file = currentFile();
    tamperRecordsFile(file, 'UPDATE treatments SET schema_version = NULL; PRAGMA user_version = 3');
    const checked = verifyRecordsFile(file);
    expect(checked.result).toMatchObject({ ok: false, treatmentId: 1, table: 'treatments' });
    expect(reasonOf(checked.result)).toMatch(new RegExp(`^its start hash matches the start with schema_version ${SCHEMA_VERSION} .*, but its schema_version is NULL:`));
  });

  it('catches a NULL recorded version after a treatment that has one (versions only go up along the chain)', () => {
    const file = currentFile();
    tamperRecordsFile(file, 'UPDATE treatments SET schema_version = NULL WHERE id = 2');
    expect(verifyRecordsFile(file).result).toMatchObject({
      ok: false,
      treatmentId: 2,
      reason: `its schema_version is NULL, but treatment 1 before it was written at schema ${SCHEMA_VERSION}: versions only go up along the chain (older software refuses a newer file)`,
    });
  });

  it('catches a recorded version raised above the file\'s', () => {
    const file = currentFile();
    tamperRecordsFile(file, `UPDATE treatments SET schema_version = ${SCHEMA_VERSION + 1} WHERE id = 2`);
    expect(verifyRecordsFile(file).result).toMatchObject({ ok: false, treatmentId: 2, table: 'treatments' });
    expect(reasonOf(verifyRecordsFile(file).result)).toMatch(new RegExp(`^its schema_version is ${SCHEMA_VERSION + 1} .*, but the file says schema ${SCHEMA_VERSION} `));
  });

  it('catches a recorded version below the migration that added it (the CHECK ignored)', () => {
    const file = currentFile();
    tamperRecordsFile(file, `PRAGMA ignore_check_constraints = ON; UPDATE treatments SET schema_version = ${TREATMENT_VERSION_SCHEMA_VERSION - 1} WHERE id = 1`);
    expect(verifyRecordsFile(file).result).toMatchObject({
      ok: false,
      treatmentId: 1,
      reason: `its schema_version is ${TREATMENT_VERSION_SCHEMA_VERSION - 1}, below ${TREATMENT_VERSION_SCHEMA_VERSION}, the schema that added it: no software writes that`,
    });
  });

  it('catches the recorded-version column kept while the version is set back (the tables and the claim disagree)', () => {
    const file = v3File();
    fx.open(file).close();
    tamperRecordsFile(file, 'PRAGMA user_version = 3');
    expect(verifyRecordsFile(file).result).toMatchObject({ ok: false, treatmentId: 0, table: 'treatments', reason: expect.stringMatching(/^the file says schema 3, but its treatments table has the recorded-version column\(s\) schema_version/) as unknown });
  });
});

describe('records verify: older files and migrated ones', () => {
  it('the fixture is a schema-3 file, as the schema-3 software left it', () => {
    readOnly(v3File(), (db) => {
      expect(db.pragma('user_version', { simple: true })).toBe(3);
      expect((db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('treatments') as string[])).not.toContain('schema_version');
      expect(db.prepare('SELECT count(*) FROM cycles WHERE effective IS NOT NULL').pluck().get()).toBe(3);
    });
  });

  it('verifies a schema-3 file as it is, read-only, without writing it', () => {
    const file = v3File();
    const before = readFileSync(file);
    expect(verifyRecordsFile(file)).toMatchObject({ schemaVersion: 3, result: { ok: true, treatments: 3 } });
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('migrates a schema-3 file: its treatments keep no recorded version and verify, and a treatment begun after carries this software\'s', () => {
    const file = v3File();
    const store = fx.open(file);
    expect(store.verify()).toMatchObject({ ok: true, treatments: 3 });
    expect(store.get(1)!.cycles.map((c) => c.verdict?.effective ?? null)).toEqual([true, false]);
    store.recoverInterrupted(1_790_000_000_000);
    const id = store.begin(treatmentStart({ startedAtEpochMs: 1_790_000_100_000 }));
    store.end(id, treatmentEnd({ endedAtEpochMs: 1_790_000_400_000 }));
    expect(store.verify()).toMatchObject({ ok: true, treatments: 4 });
    store.close();
    expect(readOnly(file, (db) => db.prepare('SELECT schema_version FROM treatments ORDER BY id').pluck().all())).toEqual([null, null, null, SCHEMA_VERSION]);
    expect(verifyRecordsFile(file)).toMatchObject({ schemaVersion: SCHEMA_VERSION, result: { ok: true, treatments: 4 } });
    expect(TREATMENT_VERSION_SCHEMA_VERSION).toBeLessThanOrEqual(SCHEMA_VERSION);
  });

  it.each([1, 3])('names treatment %i when a version was added to its start, written before migration 4 (review: the next treatment was blamed)', (tampered) => {
    const file = v3File();
    const store = fx.open(file);
    store.recoverInterrupted(1_790_000_000_000);
    const id = store.begin(treatmentStart({ startedAtEpochMs: 1_790_000_100_000 }));
    store.end(id, treatmentEnd({ endedAtEpochMs: 1_790_000_400_000 }));
    store.close();
    expect(verifyRecordsFile(file).result).toMatchObject({ ok: true, treatments: 4 });
    tamperRecordsFile(file, `UPDATE treatments SET schema_version = ${SCHEMA_VERSION} WHERE id = ${tampered}`);
    expect(verifyRecordsFile(file).result).toMatchObject({
      ok: false,
      treatmentId: tampered,
      table: 'treatments',
      reason: `its schema_version is ${SCHEMA_VERSION}, but its start hashes only without one: it was written before schema ${TREATMENT_VERSION_SCHEMA_VERSION} and the version was added afterwards`,
    });
  });

  it('names the recorded version on a migrated file once a treatment was begun after the migration', () => {
    const file = fx.file();
    copyFileSync(V2_FIXTURE, file);
    const store = fx.open(file);
    store.recoverInterrupted(1_790_000_000_000);
    const id = store.begin(treatmentStart({ startedAtEpochMs: 1_790_000_100_000 }));
    store.end(id, treatmentEnd({ endedAtEpochMs: 1_790_000_400_000 }));
    store.close();
    tamperRecordsFile(file, `${DROP_VERDICTS} ${DROP_RECORDED_VERSION} PRAGMA user_version = 2`);
    expect(verifyRecordsFile(file).result).toMatchObject({ ok: false, treatmentId: id, table: 'treatments', reason: expect.stringMatching(new RegExp(`^its start hash matches the start with schema_version ${SCHEMA_VERSION} .*but the file says schema 2 `)) as unknown });
  });

  // Treatments begun before migration 4 carry no recorded version and stay as protected as before
  // (docs/records-cli.md): a verdict erased with its columns is named by its cycle row's own hash,
  // with the generic reason.
  it('catches the attack on treatments begun before migration 4 by their cycle rows\' hashes, as before', () => {
    const file = v3File();
    fx.open(file).close();
    tamperRecordsFile(file, `${DROP_VERDICTS} ${DROP_RECORDED_VERSION} PRAGMA user_version = 2`);
    expect(verifyRecordsFile(file)).toMatchObject({ schemaVersion: 2, result: { ok: false, treatmentId: 1, table: 'cycles', rowId: 1, reason: expect.stringMatching(/^its hash does not match/) as unknown } });
  });
});
