// Review of issue 10: the `phases` table (code -> name) is outside the hash chain. A tamperer who
// renames the phases in it changes what every sample's phase reads back as (Freezing shown as
// Thawing and back) and verify() still passes: the record says something false and verify does not
// name it.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { samples, storeFixture, treatmentEnd, treatmentStart } from './helpers/records.js';

const fx = storeFixture('cryo-review10-phases-');

describe('review issue 10: the phases table', () => {
  it('renaming phases in the file neither changes what the samples read back as, nor passes verify', () => {
    const file = fx.file();
    const store = fx.open(file);
    const id = store.begin(treatmentStart({ startedAtEpochMs: 1_780_000_000_000 }));
    store.append(id, [...samples(3), ...samples(3, { fromMs: 300, phase: 'Thawing' })], []);
    store.end(id, treatmentEnd());
    const written = store.get(id)?.samples.map((s) => s.phase);
    store.close();

    // Swap the names of Freezing and Thawing (the table has no trigger and no hash).
    const db = new Database(file);
    db.transaction(() => {
      db.exec("UPDATE phases SET name = 'tmp' WHERE name = 'Freezing'");
      db.exec("UPDATE phases SET name = 'Freezing' WHERE name = 'Thawing'");
      db.exec("UPDATE phases SET name = 'Thawing' WHERE name = 'tmp'");
    })();
    db.close();

    const reader = fx.open(file, { readonly: true });
    const read = reader.get(id)?.samples.map((s) => s.phase);
    const verified = reader.verify();
    // The record must either read back as written, or verify must name the change.
    expect(read).toEqual(written);
    expect(verified).toMatchObject({ ok: false, table: 'phases', rowId: 3 });
  });
});
