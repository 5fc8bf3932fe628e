// The interlock table as a whole: one row per id, every row documented, none trips on a normal
// treatment, and every row has a test that trips it.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { INTERLOCKS, INTERLOCK_IDS } from '../src/controller/interlocks.js';
import { DEFAULT_SETTINGS, PRESETS, parseSettings, withProtocol } from '../src/controller/settings.js';
import { PHASES } from '../src/controller/types.js';
import { NormalPatient, drive, inPhase, trips } from './helpers/readings.js';

describe('interlock table', () => {
  it('has exactly one row for each of the 20 interlock ids', () => {
    expect(INTERLOCK_IDS).toHaveLength(20);
    expect(INTERLOCKS.map((r) => r.id).sort()).toEqual([...INTERLOCK_IDS].sort());
  });

  it('gives every row a hazard, a condition, a hint and at least one armed phase', () => {
    for (const row of INTERLOCKS) {
      expect(row.hazard.length, row.id).toBeGreaterThan(10);
      expect(row.condition.length, row.id).toBeGreaterThan(10);
      expect(row.hint.length, row.id).toBeGreaterThan(10);
      expect(row.armedIn.length, row.id).toBeGreaterThan(0);
      for (const phase of row.armedIn) expect(PHASES).toContain(phase);
    }
  });

  it('latches every interlock except the operator stop and the footswitch release', () => {
    const unlatched = INTERLOCKS.filter((r) => !r.latch).map((r) => r.id);
    expect(unlatched.sort()).toEqual(['FOOTSWITCH_RELEASED', 'OPERATOR_STOP']);
  });

  it('has a test that trips every row (an expectTrip call in an interlock test file)', () => {
    const dir = dirname(fileURLToPath(import.meta.url));
    const text = readdirSync(dir)
      .filter((f) => f.startsWith('interlock-') && f.endsWith('.test.ts'))
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .join('\n');
    const untested = INTERLOCK_IDS.filter((id) => !text.includes(`expectTrip(d, '${id}'`) && !text.includes(`'${id}', 'Fault')`) && !text.includes(`'${id}', 'Stopped')`));
    expect(untested).toEqual([]);
  });
});

describe('a normal treatment', () => {
  it('runs the standard preset to Complete without a single trip', () => {
    const d = drive(new NormalPatient().script(), { settings: DEFAULT_SETTINGS, until: inPhase('Complete') });
    expect(d.state.phase).toBe('Complete');
    expect(d.state.cycle).toBe(PRESETS.standard.cycles);
    expect(trips(d.events)).toEqual([]);
  });

  it('runs every preset to Complete without a trip, with the return line unmeasured', () => {
    for (const protocol of Object.values(PRESETS)) {
      const settings = withProtocol(DEFAULT_SETTINGS, protocol);
      const d = drive(new NormalPatient().script(() => ({ returnBar: null })), { settings, until: inPhase('Complete') });
      expect(d.state.phase).toBe('Complete');
      expect(trips(d.events)).toEqual([]);
    }
  });

  it('runs a dead-man treatment with the footswitch held to Complete without a trip', () => {
    const settings = parseSettings({ protocol: PRESETS.percutaneous, footswitch: { deadman: true } });
    const d = drive(new NormalPatient({ footswitch: true }).script(), { settings, until: inPhase('Complete') });
    expect(d.state.phase).toBe('Complete');
    expect(trips(d.events)).toEqual([]);
  });
});
