// Whatever finite readings and batch sizes the worker hands in come back exactly, in order, and
// the chain verifies; changing any one stored sample value is then named by verify.
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PHASES } from '../src/controller/types.js';
import type { SampleRow } from '../src/records/types.js';
import { storeFixture, treatmentStart } from './helpers/records.js';

const fx = storeFixture('cryo-records-property-');
const RUNS = 25;

const reading = fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x)), { nil: null });
const sample = (tMs: number): fc.Arbitrary<SampleRow> =>
  fc.record({
    tMs: fc.constant(tMs),
    phase: fc.constantFrom(...PHASES),
    tipC: fc.array(reading, { minLength: 1, maxLength: 4 }),
    supplyBarGauge: reading,
    returnBarAbs: reading,
    supplyValveOpen: fc.boolean(),
    safetyValveOpen: fc.boolean(),
  });
const batches = fc.array(fc.integer({ min: 0, max: 7 }), { minLength: 1, maxLength: 6 }).chain((sizes) =>
  fc.tuple(...sizes.map((n, b) => fc.tuple(...Array.from({ length: n }, (_, i) => sample(b * 1000 + i * 100))))),
);

describe('records store properties', () => {
  it('gives back every sample exactly, whatever the readings and batch sizes, and verifies', () => {
    fc.assert(
      fc.property(batches, (written) => {
        const store = fx.open(fx.file());
        const id = store.begin(treatmentStart());
        for (const batch of written) store.append(id, batch, []);
        expect(store.get(id)!.samples).toEqual(written.flat());
        expect(store.verify()).toMatchObject({ ok: true });
        store.close();
      }),
      { numRuns: RUNS },
    );
  });

  it('names the sample whose supply pressure was changed, wherever it is', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 29 }), (count, pick) => {
        const file = fx.file();
        const store = fx.open(file);
        const id = store.begin(treatmentStart());
        const rows = Array.from({ length: count }, (_, i): SampleRow => ({ tMs: i * 100, phase: 'Freezing', tipC: [-60 - i], supplyBarGauge: 50 + i / 3, returnBarAbs: 1.8, supplyValveOpen: true, safetyValveOpen: true }));
        store.append(id, rows, []);
        const seq = (pick % count) + 1;
        const db = new Database(file);
        db.exec('DROP TRIGGER samples_append_only_update');
        db.prepare('UPDATE samples SET supply_bar_gauge = supply_bar_gauge + 0.001 WHERE treatment_id = ? AND seq = ?').run(id, seq);
        db.close();
        expect(store.verify()).toMatchObject({ ok: false, treatmentId: id, table: 'samples', rowId: seq });
        store.close();
      }),
      { numRuns: RUNS },
    );
  });
});
