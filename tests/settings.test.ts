// Settings: documented defaults, every bad value refused at the boundary naming the field and
// the value, files named in their errors.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, PRESETS, SettingsError, parseSettings, withProtocol } from '../src/controller/settings.js';
import { loadSettingsFile } from '../src/runtime/settings-file.js';
import { drive, expectTrip, nominalReadings } from './helpers/readings.js';
import { refusal } from './helpers/settings-refusal.js';


describe('defaults', () => {
  it('are valid and equal to parsing an empty object, or nothing', () => {
    expect(parseSettings({})).toEqual(DEFAULT_SETTINGS);
    expect(parseSettings(undefined)).toEqual(DEFAULT_SETTINGS);
    expect(parseSettings(null)).toEqual(DEFAULT_SETTINGS);
  });

  it('hold the documented figures', () => {
    expect(DEFAULT_SETTINGS.protocol).toEqual(PRESETS.standard);
    expect(DEFAULT_SETTINGS.loop.rateHz).toBe(50);
    expect(DEFAULT_SETTINGS.pressure).toMatchObject({ supplyLowBar: 40, supplyHighBar: 70, returnBlockedBar: 3 });
    expect(DEFAULT_SETTINGS.tip).toMatchObject({ absoluteLimitC: -100, floorMarginC: 2, staleMs: 100 });
    expect(DEFAULT_SETTINGS.cooling).toEqual({ targetC: -50, withinS: 20, hysteresisC: 3 });
    expect(DEFAULT_SETTINGS.freezeLimit).toEqual({ perCycleGraceMs: 500, cumulativeMaxS: 900 });
    expect(DEFAULT_SETTINGS.footswitch.deadman).toBe(false);
  });

  it('are deeply frozen, so nothing inside the controller can change them', () => {
    expect(Object.isFrozen(DEFAULT_SETTINGS)).toBe(true);
    expect(Object.isFrozen(DEFAULT_SETTINGS.protocol)).toBe(true);
    expect(Object.isFrozen(DEFAULT_SETTINGS.tip)).toBe(true);
  });

  it('are frozen to the leaves in every parse, not only the defaults computed at load', () => {
    // Parsed inside the test: DEFAULT_SETTINGS is computed once at import, so a mutant of
    // deepFreeze activated at run time (Stryker) would never reach it.
    const parsed = parseSettings({ protocol: { ...DEFAULT_SETTINGS.protocol, cycles: 2 } });
    const unfrozen: string[] = [];
    const walk = (value: unknown, path: string): void => {
      if (value === null || typeof value !== 'object') return;
      if (!Object.isFrozen(value)) unfrozen.push(path);
      for (const [key, inner] of Object.entries(value)) walk(inner, `${path}.${key}`);
    };
    walk(parsed, 'settings');
    expect(unfrozen).toEqual([]);
    expect(() => {
      (parsed.protocol as { cycles: number }).cycles = 5;
    }).toThrow(TypeError);
  });

  it('accept every preset', () => {
    for (const protocol of Object.values(PRESETS)) expect(withProtocol(DEFAULT_SETTINGS, protocol).protocol).toEqual(protocol);
  });

  it('fill in the rest of a section given in part', () => {
    const s = parseSettings({ tip: { staleMs: 200 } });
    expect(s.tip.staleMs).toBe(200);
    expect(s.tip.absoluteLimitC).toBe(-100);
  });
});

describe('refused values', () => {
  it('refuses a freeze of 301 s, naming protocol.freezeS and the value', () => {
    const message = refusal({ protocol: { cycles: 1, freezeS: 301, thawS: 45 } });
    expect(message).toMatch(/^settings: protocol\.freezeS: .*300.* \(got 301\)$/m);
  });

  it('refuses a freeze of 9 s', () => {
    expect(refusal({ protocol: { cycles: 1, freezeS: 9, thawS: 45 } })).toMatch(/protocol\.freezeS: .* \(got 9\)/);
  });

  it('refuses 6 cycles, naming protocol.cycles and the value', () => {
    expect(refusal({ protocol: { cycles: 6, freezeS: 60, thawS: 45 } })).toMatch(/^settings: protocol\.cycles: .*5.* \(got 6\)$/m);
  });

  it('refuses a fractional cycle count', () => {
    expect(refusal({ protocol: { cycles: 2.5, freezeS: 60, thawS: 45 } })).toMatch(/protocol\.cycles: .* \(got 2\.5\)/);
  });

  it('refuses a thaw of 301 s', () => {
    expect(refusal({ protocol: { cycles: 1, freezeS: 60, thawS: 301 } })).toMatch(/protocol\.thawS: .* \(got 301\)/);
  });

  it('refuses a stall gap no longer than a normal step at the loop rate, naming loop.maxGapMs', () => {
    expect(refusal({ loop: { rateHz: 10, maxGapMs: 40 }, valves: { selfTestValveMs: 600 } })).toBe(
      "settings: loop.maxGapMs: 40 ms must be above a normal step's gap, 105 ms (the period at loop.rateHz 10 Hz plus loop.lateToleranceMs 5 ms): LOOP_OVERRUN would trip on every step (got 40)",
    );
    // A 10 Hz loop needs a longer self-test window (tests/settings-self-test-window.test.ts).
    expect(parseSettings({ loop: { rateHz: 10, maxGapMs: 106 }, valves: { selfTestValveMs: 600 } }).loop.maxGapMs).toBe(106);
  });

  it('refuses a neurotmesis limit colder than -100 C, naming tip.absoluteLimitC and the value', () => {
    expect(refusal({ tip: { absoluteLimitC: -150 } })).toMatch(/tip\.absoluteLimitC: .*>=-100 \(got -150\)/);
    expect(parseSettings({ tip: { absoluteLimitC: -90 } }).tip.absoluteLimitC).toBe(-90);
  });

  it('refuses a number given as a string', () => {
    expect(refusal({ loop: { rateHz: '50' } })).toMatch(/loop\.rateHz: .*expected number.* \(got "50"\)/);
  });

  it('refuses an unknown top-level key, naming it and not the whole file', () => {
    expect(refusal({ freezeSeconds: 60, tip: { absoluteLimitC: -90 } })).toBe('settings: (top level): Unrecognized key: "freezeSeconds"');
  });

  it('refuses an unknown key inside a section, naming the section and the key, not every value of the section', () => {
    expect(refusal({ tip: { absoluteLimit: -100, absoluteLimitC: -90 } })).toBe('settings: tip: Unrecognized key: "absoluteLimit"');
  });

  it('refuses a debounce for an unknown interlock, naming it and listing the known ones', () => {
    const message = refusal({ debounceMs: { SUPPLY_LOW: 100 } });
    expect(message).toMatch(/settings: debounceMs\.SUPPLY_LOW: unknown interlock 'SUPPLY_LOW' \(known: .*SUPPLY_PRESSURE_LOW.*\) \(got 100\)/);
  });

  it('refuses a debounce longer than 5 s', () => {
    expect(refusal({ debounceMs: { SUPPLY_PRESSURE_LOW: 5_001 } })).toMatch(/debounceMs\.SUPPLY_PRESSURE_LOW: .* \(got 5001\)/);
  });

  it('refuses a supply low limit at or above the high limit', () => {
    expect(refusal({ pressure: { supplyLowBar: 60, supplyHighBar: 55 } })).toMatch(
      /pressure\.supplyLowBar: supplyLowBar 60 must be below supplyHighBar 55 \(got 60\)/,
    );
    expect(refusal({ pressure: { supplyLowBar: 55, supplyHighBar: 55 } })).toMatch(/pressure\.supplyLowBar: /);
  });

  it('refuses a flow threshold at or above the blocked threshold', () => {
    expect(refusal({ pressure: { returnFlowBar: 2, returnBlockedBar: 2 } })).toMatch(/pressure\.returnFlowBar: returnFlowBar 2 must be below returnBlockedBar 2/);
  });

  it('refuses a protocol whose total freeze exceeds the cumulative cap', () => {
    expect(refusal({ protocol: { cycles: 5, freezeS: 300, thawS: 10 } })).toMatch(
      /settings: protocol: 5 cycles x 300 s = 1500 s of freezing exceeds freezeLimit\.cumulativeMaxS 900 s/,
    );
    expect(refusal({ protocol: { cycles: 2, freezeS: 60, thawS: 10 }, freezeLimit: { cumulativeMaxS: 100 } })).toMatch(/exceeds freezeLimit\.cumulativeMaxS 100 s/);
  });

  it('accepts a protocol whose total equals the cumulative cap', () => {
    expect(parseSettings({ protocol: { cycles: 2, freezeS: 50, thawS: 10 }, freezeLimit: { cumulativeMaxS: 100 } }).protocol.cycles).toBe(2);
  });

  it('reports every problem, one line each', () => {
    const lines = refusal({ protocol: { cycles: 6, freezeS: 5, thawS: 45 }, loop: { rateHz: 1 } }).split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines.every((l) => l.startsWith('settings: '))).toBe(true);
  });

  it('validates a protocol swapped in with withProtocol, naming the source', () => {
    expect(() => withProtocol(DEFAULT_SETTINGS, { cycles: 1, freezeS: 5, thawS: 10 }, '--freeze')).toThrow(/^--freeze: protocol\.freezeS: .* \(got 5\)/);
  });
});

describe('debounce overrides', () => {
  it('replace the table default for that interlock', () => {
    const instant = parseSettings({ debounceMs: { SUPPLY_PRESSURE_LOW: 0 } });
    const d = drive((now) => nominalReadings(now, { supplyBarGauge: now >= 1_000 ? 35 : 57, operator: { start: now === 1_000 } }), {
      settings: instant,
      durationMs: 2_000,
    });
    expect(expectTrip(d, 'SUPPLY_PRESSURE_LOW', 'Fault').nowMs).toBe(1_020);
  });
});

describe('loadSettingsFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cryo-settings-'));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const write = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('loads a valid file', () => {
    const path = write('ok.json', JSON.stringify({ protocol: PRESETS.percutaneous }));
    expect(loadSettingsFile(path).protocol).toEqual(PRESETS.percutaneous);
  });

  it('names the file when its JSON is bad', () => {
    const path = write('bad.json', '{ "protocol": { "cycles": 2, } ');
    expect(() => loadSettingsFile(path)).toThrow(SettingsError);
    expect(() => loadSettingsFile(path)).toThrow(`${path}: not valid JSON: `);
  });

  it('names the file and the field when a value is out of range', () => {
    const path = write('range.json', JSON.stringify({ protocol: { cycles: 6, freezeS: 60, thawS: 45 } }));
    expect(() => loadSettingsFile(path)).toThrow(`${path}: protocol.cycles: `);
  });

  it('names the file when it cannot be read', () => {
    const path = join(dir, 'missing.json');
    expect(() => loadSettingsFile(path)).toThrow(`${path}: cannot read settings file: `);
  });
});
