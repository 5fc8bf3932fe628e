// Settings defaults are written once, in the schema (src/controller/settings.ts). Prose that quotes
// a default (an interlock's condition, which docs/safety.md repeats) is checked against it here, so
// it cannot drift into a second, different copy.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { INTERLOCKS } from '../src/controller/interlocks.js';
import { DEFAULT_SETTINGS } from '../src/controller/settings.js';

/** `section.field (default 40 bar)` or `section.field (-100 C)`: a settings path and the figure quoted for it. */
const QUOTED_DEFAULT = /\b([a-z]+\.[A-Za-z]+) \((?:default )?(-?\d+(?:\.\d+)?) ?[A-Za-z]*\)/g;

function quotedDefaults(text: string): [string, number][] {
  return [...text.matchAll(QUOTED_DEFAULT)].map((m) => [m[1] ?? '', Number(m[2])]);
}

function defaultAt(path: string): unknown {
  const [section, field] = path.split('.');
  return (DEFAULT_SETTINGS as unknown as Record<string, Record<string, unknown> | undefined>)[section ?? '']?.[field ?? ''];
}

describe('defaults quoted in prose', () => {
  const quoted = INTERLOCKS.flatMap((row) => quotedDefaults(row.condition).map(([path, value]) => [row.id, path, value] as const));

  it('finds the defaults the interlock conditions quote', () => {
    expect(quoted.map(([, path]) => path)).toEqual(expect.arrayContaining(['pressure.supplyLowBar', 'pressure.supplyHighBar', 'tip.absoluteLimitC']));
  });

  it.each(quoted)('%s quotes %s as %d, the schema default', (_id, path, value) => {
    expect(defaultAt(path)).toBe(value);
  });

  it('docs/calibration.md quotes the physical-floor margin default the schema has', () => {
    const line = readFileSync('docs/calibration.md', 'utf8').split('\n').find((l) => l.includes('`tip.floorMarginC`'));
    expect(line).toBeDefined();
    expect(line).toContain(`| ${DEFAULT_SETTINGS.tip.floorMarginC} C |`);
  });
});
