import { describe, it, expect } from 'vitest';
import {
  FAULT_KINDS,
  FaultSchedule,
  FaultSpecError,
  activeFaults,
  parseFaultSpec,
  type FaultSpec,
} from '../hil/faults.js';

describe('parseFaultSpec', () => {
  it('parses a fault that lasts until the end of the run', () => {
    expect(parseFaultSpec('tc-open@30')).toEqual({ kind: 'tc-open', atMs: 30_000, durationMs: null });
  });

  it('parses fractional start and duration seconds', () => {
    expect(parseFaultSpec('loop-stall@12.5:0.4')).toEqual({ kind: 'loop-stall', atMs: 12_500, durationMs: 400 });
  });

  it('accepts every fault kind', () => {
    for (const kind of FAULT_KINDS) expect(parseFaultSpec(`${kind}@0`).kind).toBe(kind);
  });

  it('ignores surrounding whitespace', () => {
    expect(parseFaultSpec('  estop@1 ').atMs).toBe(1_000);
  });

  it('rejects an unknown kind naming it and listing the valid kinds', () => {
    expect(() => parseFaultSpec('tc-opn@30')).toThrow(FaultSpecError);
    expect(() => parseFaultSpec('tc-opn@30')).toThrow(/unknown fault kind "tc-opn".*tc-open, tc-short/);
  });

  it('rejects a spec without "@"', () => {
    expect(() => parseFaultSpec('tc-open')).toThrow(/missing "@"/);
  });

  it('rejects a start time that is not plain non-negative seconds, naming it', () => {
    for (const bad of ['tc-open@', 'tc-open@-1', 'tc-open@abc', 'tc-open@1e3', 'tc-open@.5']) {
      expect(() => parseFaultSpec(bad), bad).toThrow(/start time/);
    }
  });

  it('rejects a missing, zero or malformed duration, naming it', () => {
    for (const bad of ['estop@1:', 'estop@1:0', 'estop@1:x', 'estop@1:-2']) {
      expect(() => parseFaultSpec(bad), bad).toThrow(/duration/);
    }
  });

  it('rejects more than one duration', () => {
    expect(() => parseFaultSpec('estop@1:2:3')).toThrow(/too many ":"/);
  });

  it('shows the expected format in every error', () => {
    expect(() => parseFaultSpec('nonsense')).toThrow(/KIND@SECONDS\[:DURATION_S\]/);
  });
});

describe('fault schedule', () => {
  const specs: FaultSpec[] = [
    { kind: 'loop-stall', atMs: 1_000, durationMs: 400 },
    { kind: 'tc-open', atMs: 2_000, durationMs: null },
  ];

  it('is active from its start time inclusive to its end exclusive', () => {
    const schedule = new FaultSchedule(specs);
    expect(schedule.isActive('loop-stall', 999)).toBe(false);
    expect(schedule.isActive('loop-stall', 1_000)).toBe(true);
    expect(schedule.isActive('loop-stall', 1_399)).toBe(true);
    expect(schedule.isActive('loop-stall', 1_400)).toBe(false);
  });

  it('keeps a fault without duration active until the end of the run', () => {
    expect(new FaultSchedule(specs).isActive('tc-open', 1e9)).toBe(true);
  });

  it('lists the kinds active at a time', () => {
    expect([...activeFaults(specs, 1_200)]).toEqual(['loop-stall']);
    expect([...new FaultSchedule(specs).active(2_500)]).toEqual(['tc-open']);
    expect(activeFaults(specs, 500).size).toBe(0);
  });

  it('rejects a spec built in code with a negative start time', () => {
    expect(() => new FaultSchedule([{ kind: 'estop', atMs: -5, durationMs: null }])).toThrow(/atMs -5/);
  });

  it('rejects a spec built in code with a zero duration', () => {
    expect(() => new FaultSchedule([{ kind: 'estop', atMs: 0, durationMs: 0 }])).toThrow(FaultSpecError);
  });
});
