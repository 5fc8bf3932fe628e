// Review of issue 11 (L5 follow-up): `cryo records verify` picks the cycle hashing from the file's
// PRAGMA user_version, which lies outside the hash chain. A tamperer who forges a cycle's verdict
// (effective NULL -> 1, as a migrated schema-2 row or a freeze with no estimate has) and sets
// user_version back to 2 makes verify hash the cycle without its verdict columns: the forged
// verdict passes as ok. Fails until verify checks that the file's columns match its schema.
import { copyFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { verifyRecordsFile } from '../src/records/store.js';
import { phaseEvent, samples, storeFixture, tamperRecordsFile, treatmentEnd, treatmentStart } from './helpers/records.js';

const fx = storeFixture('cryo-records-verify-downgrade-');
const V2_FIXTURE = new URL('./fixtures/records-v2.sqlite', import.meta.url);

/** The schema-2 fixture migrated to this software's schema (its cycles carry no verdict). */
function migratedFile(): string {
  const file = fx.file();
  copyFileSync(V2_FIXTURE, file);
  fx.open(file).close();
  return file;
}


// SQLite refuses to drop a column another column's CHECK names: `effective`'s names the other two.
const DROP_VERDICTS = 'ALTER TABLE cycles DROP COLUMN effective; ALTER TABLE cycles DROP COLUMN r20_target_mm; ALTER TABLE cycles DROP COLUMN r20_mm_at_end;';
const FORGE_VERDICT = 'UPDATE cycles SET effective = 1, r20_mm_at_end = 5.5, r20_target_mm = 5 WHERE treatment_id = 1 AND idx = 2';

describe('records verify: a forged verdict behind a lowered user_version', () => {
  it('is caught at the file\'s own schema (control)', () => {
    const file = migratedFile();
    tamperRecordsFile(file, FORGE_VERDICT);
    expect(verifyRecordsFile(file).result).toMatchObject({ ok: false, treatmentId: 1, table: 'cycles', rowId: 2 });
  });

  it('is caught when the tamperer also sets user_version back to 2', () => {
    const file = migratedFile();
    tamperRecordsFile(file, `${FORGE_VERDICT}; PRAGMA user_version = 2`);
    const checked = verifyRecordsFile(file);
    expect(checked.result.ok).toBe(false);
    expect(checked.result).toMatchObject({ table: 'cycles', treatmentId: 0 });
    expect(checked.result.ok ? '' : checked.result.reason).toMatch(/says schema 2, but its cycles table has the verdict column\(s\) r20_mm_at_end, r20_target_mm, effective/);
  });

  it('is caught when only the version is set back, nothing forged: the version and the tables disagree', () => {
    const file = migratedFile();
    tamperRecordsFile(file, 'PRAGMA user_version = 2');
    expect(verifyRecordsFile(file).result.ok).toBe(false);
  });

  // The residual docs/records-cli.md once named ("a tamperer who drops the three verdict
  // columns and sets the version back to 2 erases the verdicts") was caught by the cycle rows' own
  // hashes: a row with a verdict was hashed with it, and read without its columns it hashes
  // differently. Only rows without a verdict hash the same, and they have none to erase. Since
  // migration 4 the treatment's recorded schema version names the cause first
  // (tests/records-verify-recorded-version.test.ts); with it dropped too, the cycle row's hash still
  // does, for a treatment begun before migration 4 (that file's last test).
  it('catches the verdict columns dropped with the version set back to 2, naming the version the treatment was written at', () => {
    const file = fx.file();
    const store = fx.open(file);
    const id = store.begin(treatmentStart());
    store.append(id, samples(3), [phaseEvent(0, 'Freezing')]);
    store.end(id, treatmentEnd());
    store.close();
    tamperRecordsFile(file, `${DROP_VERDICTS} PRAGMA user_version = 2`);
    expect(verifyRecordsFile(file)).toMatchObject({ schemaVersion: 2, result: { ok: false, treatmentId: 1, table: 'treatments', rowId: 1, reason: expect.stringMatching(/^its schema_version is \d+ /) as unknown } });
  });

  it('passes the migrated schema-2 file with the columns of schemas 3 and 4 dropped and the version set back (no verdict in it to erase)', () => {
    const file = migratedFile();
    tamperRecordsFile(file, `${DROP_VERDICTS} ALTER TABLE treatments DROP COLUMN schema_version; PRAGMA user_version = 2`);
    expect(verifyRecordsFile(file)).toMatchObject({ schemaVersion: 2, result: { ok: true, treatments: 3 } });
  });

  it('passes the schema-2 file as written (no false alarm)', () => {
    const file = fx.file();
    copyFileSync(V2_FIXTURE, file);
    expect(verifyRecordsFile(file)).toMatchObject({ schemaVersion: 2, result: { ok: true } });
  });
});
