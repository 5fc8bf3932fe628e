// An interrupted treatment (the process died before end) is closed at the next start, at its last
// sample, with what its samples say it reached.
import { describe, expect, it } from 'vitest';
import { LAST_OPEN_SAMPLE_CREDIT_MS, cyclesOf, frozenMsOf } from '../src/records/recovery.js';
import type { RecoverySample } from '../src/records/recovery.js';
import { phaseEvent, samples, storeFixture, treatmentEnd, treatmentStart } from './helpers/records.js';

const fx = storeFixture('cryo-records-recovery-');
const NOW_EPOCH_MS = 1_780_000_900_000;

const at = (tMs: number, phase: RecoverySample['phase'], tip0C: number | null, supplyValveOpen = phase === 'Freezing'): RecoverySample => ({ tMs, phase, tip0C, supplyValveOpen });

describe('frozen time from samples', () => {
  it('counts each span the valve was open at either end', () => {
    const run = [at(0, 'Ready', 20), at(100, 'Freezing', 0), at(200, 'Freezing', -30), at(300, 'Thawing', -20), at(400, 'Thawing', 0)];
    // 0-100 (opens at 100), 100-200, 200-300 (closes at 300); 300-400 closed.
    expect(frozenMsOf(run)).toBe(300);
  });

  it('counts a gap of dropped samples next to an open valve whole (never under-counts)', () => {
    expect(frozenMsOf([at(0, 'Freezing', -50), at(900, 'Thawing', -40), at(1000, 'Thawing', -30)])).toBe(900);
  });

  it('adds LAST_OPEN_SAMPLE_CREDIT_MS when the last sample had the valve open', () => {
    expect(frozenMsOf([at(0, 'Freezing', -50), at(100, 'Freezing', -55)])).toBe(100 + LAST_OPEN_SAMPLE_CREDIT_MS);
    expect(frozenMsOf([])).toBe(0);
  });
});

describe('cycles from samples', () => {
  it('makes a cycle of each freeze and the thaw after it, with the tip figures of channel 0', () => {
    const tips = [-10, -30, -45, -55, -60];
    const run = [
      at(0, 'Ready', 20),
      ...tips.map((tip, i) => at(1000 + i * 1000, 'Freezing', tip)),
      at(6000, 'Thawing', -41),
      at(7000, 'Thawing', -15),
      at(8000, 'Freezing', null),
      at(9000, 'Freezing', -25),
      at(10_000, 'Stopped', -25),
      at(11_000, 'Stopped', -5),
    ];
    expect(cyclesOf(run)).toEqual([
      // Below -20: from -30 (t 2 s) to the -41 (t 6 s) inclusive, each for its 1 s span: 5 s;
      // below -40: -45, -55, -60, -41: 4 s.
      { index: 1, freezeS: 5, thawS: 2, minTipC: -60, secondsToMinus50C: 3, belowMinus20S: 5, belowMinus40S: 4 },
      { index: 2, freezeS: 2, thawS: 0, minTipC: -25, secondsToMinus50C: null, belowMinus20S: 1, belowMinus40S: 0 },
    ]);
  });

  it('finds no cycle where nothing froze', () => {
    expect(cyclesOf([at(0, 'Ready', 20), at(100, 'Stopped', 20)])).toEqual([]);
  });
});

describe('recoverInterrupted', () => {
  it('closes an open treatment as interrupted at its last sample, sealed and verified', () => {
    const store = fx.open(fx.file());
    const done = store.begin(treatmentStart());
    store.end(done, treatmentEnd());
    const start = treatmentStart({ startedAtEpochMs: 1_780_000_500_000 });
    const id = store.begin(start);
    store.append(id, samples(10, { phase: 'Ready', open: false }), [phaseEvent(1000, 'Freezing')]);
    store.append(id, samples(20, { fromMs: 1000 }), []);

    // Open from 900-1000 (opens at 1000) through 2900, plus the credit after the last open sample.
    expect(store.recoverInterrupted(NOW_EPOCH_MS)).toEqual([{ id, lastTMs: 2900, frozenMs: 2000 + LAST_OPEN_SAMPLE_CREDIT_MS }]);
    const record = store.get(id)!;
    expect(record.end).toMatchObject({ endedAtEpochMs: start.startedAtEpochMs + 2900, outcome: 'interrupted', frozenMs: 2000 + LAST_OPEN_SAMPLE_CREDIT_MS, samplesDropped: 0 });
    expect(record.cycles).toEqual([expect.objectContaining({ index: 1, freezeS: 1.9, thawS: 0 })]);
    expect(record.events.at(-1)).toEqual({ tMs: 2900, kind: 'interrupted', detail: { recoveredAtEpochMs: NOW_EPOCH_MS, lastSampleTMs: 2900, samples: 30 } });
    expect(record.sealSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(store.verify()).toMatchObject({ ok: true, treatments: 2 });
    expect(store.get(done)!.end!.outcome).toBe('complete');
  });

  it('closes at a sample whose tMs has a fraction of a ms (the real-time loop clock), at whole epoch ms', () => {
    const store = fx.open(fx.file());
    const start = treatmentStart();
    const id = store.begin(start);
    const sample = samples(1, { phase: 'Freezing' })[0]!;
    store.append(id, [{ ...sample, tMs: 1234.6 }], []);
    expect(store.recoverInterrupted(NOW_EPOCH_MS)).toEqual([expect.objectContaining({ id, lastTMs: 1234.6 })]);
    expect(store.get(id)!.end).toMatchObject({ endedAtEpochMs: start.startedAtEpochMs + 1235, outcome: 'interrupted' });
    expect(store.verify()).toMatchObject({ ok: true });
  });

  it('closes a treatment with no sample at its start, with nothing frozen', () => {
    const store = fx.open(fx.file());
    const start = treatmentStart();
    const id = store.begin(start);
    expect(store.recoverInterrupted(NOW_EPOCH_MS)).toEqual([{ id, lastTMs: 0, frozenMs: 0 }]);
    expect(store.get(id)!.end).toEqual({ endedAtEpochMs: start.startedAtEpochMs, outcome: 'interrupted', cycles: [], frozenMs: 0, samplesDropped: 0 });
  });

  it('finds nothing the second time, and lets the next treatment begin', () => {
    const file = fx.file();
    const first = fx.open(file);
    first.begin(treatmentStart());
    first.close();
    const store = fx.open(file);
    expect(store.recoverInterrupted(NOW_EPOCH_MS)).toHaveLength(1);
    expect(store.recoverInterrupted(NOW_EPOCH_MS)).toEqual([]);
    expect(store.begin(treatmentStart())).toBe(2);
    expect(store.verify()).toMatchObject({ ok: true, treatments: 2 });
  });
});
