// The hash chain and verify(): every kind of tampering is named by treatment, table and row.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { RecordsStore } from '../src/records/store.js';
import { phaseEvent, samples, storeFixture, treatmentEnd, treatmentStart } from './helpers/records.js';

const fx = storeFixture('cryo-records-chain-');
const SAMPLES_PER_TREATMENT = 6;
const EVENTS_PER_TREATMENT = 3;

/** Three sealed treatments and an open fourth, as a console would leave them. */
function filled(): { store: RecordsStore; file: string } {
  const file = fx.file();
  const store = fx.open(file);
  for (let n = 1; n <= 4; n++) {
    const id = store.begin(treatmentStart({ startedAtEpochMs: 1_780_000_000_000 + n * 1000 }));
    store.append(id, samples(3), [phaseEvent(0, 'Freezing')]);
    store.append(id, samples(3, { fromMs: 300, phase: 'Thawing' }), [phaseEvent(300, 'Thawing'), { tMs: 450, kind: 'trip', detail: { id: 'TIP_TOO_COLD', n } }]);
    if (n < 4) store.end(id, treatmentEnd());
  }
  return { store, file };
}

/** What a tamperer with the file does: drop the append-only triggers, then edit. */
function tamper(file: string, sql: string): void {
  const db = new Database(file);
  try {
    const triggers = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'trigger'").pluck().all() as string[];
    for (const t of triggers) db.exec(`DROP TRIGGER ${t}`);
    db.pragma('foreign_keys = OFF');
    db.exec(sql);
  } finally {
    db.close();
  }
}

describe('records hash chain', () => {
  it('verifies an untouched file: every treatment and row counted', () => {
    const { store } = filled();
    const rowsPerTreatment = 1 + SAMPLES_PER_TREATMENT + EVENTS_PER_TREATMENT;
    expect(store.verify()).toEqual({ ok: true, treatments: 4, rows: 4 * rowsPerTreatment + 3 * treatmentEnd().cycles.length });
  });

  it('verifies an empty file', () => {
    expect(fx.open(fx.file()).verify()).toEqual({ ok: true, treatments: 0, rows: 0 });
  });

  it('seals each treatment with a distinct hash, chained to the one before', () => {
    const { store } = filled();
    const seals = [1, 2, 3].map((id) => store.get(id)!.sealSha256);
    expect(new Set(seals).size).toBe(3);
    expect(store.get(4)!.sealSha256).toBeNull();
  });

  it('refuses ordinary edits and removals (append-only triggers)', () => {
    const { file } = filled();
    const db = new Database(file);
    try {
      expect(() => db.exec('UPDATE samples SET tip0_c = 0 WHERE treatment_id = 1')).toThrow(/append-only/);
      expect(() => db.exec('DELETE FROM events WHERE treatment_id = 1')).toThrow(/append-only/);
      expect(() => db.exec("UPDATE treatments SET outcome = 'stopped' WHERE id = 1")).toThrow(/append-only/);
      expect(() => db.exec('DELETE FROM treatments WHERE id = 4')).toThrow(/append-only/);
    } finally {
      db.close();
    }
  });

  const cases: [string, string, { treatmentId: number; table: string; rowId: number; reason: RegExp }][] = [
    ['a sample\'s control tip value', 'UPDATE samples SET tip0_c = tip0_c + 0.5 WHERE treatment_id = 2 AND seq = 4', { treatmentId: 2, table: 'samples', rowId: 4, reason: /row was changed/ }],
    ['a sample\'s second tip channel', "UPDATE samples SET tip_rest_c = '[20]' WHERE treatment_id = 2 AND seq = 5", { treatmentId: 2, table: 'samples', rowId: 5, reason: /row was changed/ }],
    ['a sample\'s valve command', 'UPDATE samples SET supply_valve_open = 0 WHERE treatment_id = 3 AND seq = 1', { treatmentId: 3, table: 'samples', rowId: 1, reason: /row was changed/ }],
    ['an event\'s detail', `UPDATE events SET detail = '{"id":"NONE","n":2}' WHERE treatment_id = 2 AND seq = 3`, { treatmentId: 2, table: 'events', rowId: 3, reason: /row was changed/ }],
    ['an event\'s kind', "UPDATE events SET kind = 'note' WHERE treatment_id = 1 AND seq = 1", { treatmentId: 1, table: 'events', rowId: 1, reason: /row was changed/ }],
    ['a cycle\'s coldest tip', 'UPDATE cycles SET min_tip_c = -50 WHERE treatment_id = 2 AND idx = 2', { treatmentId: 2, table: 'cycles', rowId: 2, reason: /row was changed/ }],
    ['a treatment\'s outcome', "UPDATE treatments SET outcome = 'stopped' WHERE id = 2", { treatmentId: 2, table: 'treatments', rowId: 2, reason: /seal does not match: the end fields/ }],
    ['a treatment\'s patient reference', "UPDATE treatments SET patient_ref = 'PT-20' WHERE id = 3", { treatmentId: 3, table: 'treatments', rowId: 3, reason: /start hash does not match/ }],
    ['a sample removed mid-treatment', 'DELETE FROM samples WHERE treatment_id = 2 AND seq = 3', { treatmentId: 2, table: 'samples', rowId: 4, reason: /expected seq 3 here, found 4: rows were removed/ }],
    ['the last sample removed', 'DELETE FROM samples WHERE treatment_id = 2 AND seq = 6', { treatmentId: 2, table: 'treatments', rowId: 2, reason: /rows at the end of the treatment were removed/ }],
    ['a removed sample hidden by renumbering', 'DELETE FROM samples WHERE treatment_id = 2 AND seq = 3; UPDATE samples SET seq = seq - 1 WHERE treatment_id = 2 AND seq > 3', { treatmentId: 2, table: 'samples', rowId: 3, reason: /row was changed/ }],
    ['a cycle removed', 'DELETE FROM cycles WHERE treatment_id = 1 AND idx = 1', { treatmentId: 1, table: 'cycles', rowId: 2, reason: /row was changed/ }],
    ['two samples swapped', 'UPDATE samples SET seq = -1 WHERE treatment_id = 2 AND seq = 3; UPDATE samples SET seq = 3 WHERE treatment_id = 2 AND seq = 4; UPDATE samples SET seq = 4 WHERE treatment_id = 2 AND seq = -1', { treatmentId: 2, table: 'samples', rowId: 3, reason: /row was changed/ }],
    ['two events swapped', 'UPDATE events SET seq = -1 WHERE treatment_id = 1 AND seq = 1; UPDATE events SET seq = 1 WHERE treatment_id = 1 AND seq = 2; UPDATE events SET seq = 2 WHERE treatment_id = 1 AND seq = -1', { treatmentId: 1, table: 'events', rowId: 1, reason: /row was changed/ }],
    ['a whole treatment removed', 'DELETE FROM samples WHERE treatment_id = 2; DELETE FROM events WHERE treatment_id = 2; DELETE FROM cycles WHERE treatment_id = 2; DELETE FROM treatments WHERE id = 2', { treatmentId: 3, table: 'treatments', rowId: 3, reason: /treatment before it was changed or removed/ }],
    ['a seal removed to reopen a treatment', 'UPDATE treatments SET outcome = NULL, seal_sha256 = NULL, ended_at_epoch_ms = NULL WHERE id = 2', { treatmentId: 3, table: 'treatments', rowId: 3, reason: /treatment 2 before it has no seal/ }],
  ];

  it.each(cases)('names %s', (_, sql, expected) => {
    const { store, file } = filled();
    tamper(file, sql);
    const result = store.verify();
    expect(result).toMatchObject({ ok: false, treatmentId: expected.treatmentId, table: expected.table, rowId: expected.rowId });
    expect(result.ok ? '' : result.reason).toMatch(expected.reason);
  });
});
