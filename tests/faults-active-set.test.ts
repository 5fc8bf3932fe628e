// FaultSchedule.activeSet: the sets built once with the schedule answer exactly what a new set
// built at each query does (activeFaults), at every time, including the boundaries.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FAULT_KINDS, FaultSchedule, activeFaults, faultFlagsOf, type FaultSpec } from '../hil/faults.js';

const spec: fc.Arbitrary<FaultSpec> = fc.record({
  kind: fc.constantFrom(...FAULT_KINDS),
  atMs: fc.integer({ min: 0, max: 5_000 }),
  durationMs: fc.option(fc.integer({ min: 1, max: 3_000 }), { nil: null }),
});

describe('FaultSchedule.activeSet', () => {
  it('is the same set as activeFaults at random times and at every start and end', () => {
    fc.assert(
      fc.property(fc.array(spec, { maxLength: 8 }), fc.array(fc.double({ min: -10, max: 9_000, noNaN: true }), { maxLength: 20 }), (specs, times) => {
        const schedule = new FaultSchedule(specs);
        const edges = specs.flatMap((s) => (s.durationMs === null ? [s.atMs] : [s.atMs, s.atMs + s.durationMs]));
        for (const t of [...times, ...edges, ...edges.map((e) => e - 0.5)]) {
          expect([...schedule.activeSet(t)].sort()).toEqual([...activeFaults(specs, t)].sort());
          for (const kind of FAULT_KINDS) expect(schedule.isActive(kind, t)).toBe(activeFaults(specs, t).has(kind));
        }
      }),
      { seed: 11, numRuns: 200 },
    );
  });

  it('returns the same set object between two changes, and no fault before the first or at a time that is no number', () => {
    const schedule = new FaultSchedule([{ kind: 'tc-open', atMs: 1_000, durationMs: 500 }]);
    expect(schedule.activeSet(1_000)).toBe(schedule.activeSet(1_499));
    expect([...schedule.activeSet(1_200)]).toEqual(['tc-open']);
    expect(schedule.activeSet(1_500).size).toBe(0);
    expect(schedule.activeSet(999).size).toBe(0);
    expect(schedule.activeSet(Number.NaN).size).toBe(0);
  });
});

describe('FaultSchedule.activeFlags', () => {
  it('flags exactly the kinds of activeSet, at random times and at every start and end', () => {
    fc.assert(
      fc.property(fc.array(spec, { maxLength: 8 }), fc.array(fc.double({ min: -10, max: 9_000, noNaN: true }), { maxLength: 20 }), (specs, times) => {
        const schedule = new FaultSchedule(specs);
        const edges = specs.flatMap((s) => (s.durationMs === null ? [s.atMs] : [s.atMs, s.atMs + s.durationMs]));
        for (const t of [...times, ...edges, ...edges.map((e) => e - 0.5)]) {
          const flags = schedule.activeFlags(t);
          for (const kind of FAULT_KINDS) expect(flags[kind]).toBe(activeFaults(specs, t).has(kind));
        }
      }),
      { seed: 11, numRuns: 200 },
    );
  });

  it('returns the same frozen flags between two changes and other flags across one, with none set before the first or at NaN', () => {
    const schedule = new FaultSchedule([{ kind: 'tc-open', atMs: 1_000, durationMs: 500 }]);
    expect(schedule.activeFlags(1_000)).toBe(schedule.activeFlags(1_499));
    expect(schedule.activeFlags(1_499)).not.toBe(schedule.activeFlags(1_500));
    expect(Object.isFrozen(schedule.activeFlags(1_200))).toBe(true);
    expect(schedule.activeFlags(1_200)['tc-open']).toBe(true);
    for (const t of [999, 1_500, Number.NaN]) expect(FAULT_KINDS.filter((k) => schedule.activeFlags(t)[k])).toEqual([]);
  });

  it('builds every flag record with every kind, in FAULT_KINDS order', () => {
    expect(Object.keys(faultFlagsOf(new Set(['estop', 'tc-open'])))).toEqual([...FAULT_KINDS]);
  });
});
