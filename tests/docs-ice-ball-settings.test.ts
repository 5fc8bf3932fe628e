// docs/ice-ball-estimate.md's settings table gives each bound the schema enforces (review of
// issue 11, L1: it said 0.3-5 mm for the probe while the schema refused above 2.0).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HOLD_S_MAX, HOLD_S_MIN, PROBE_OD_MM_MAX, PROBE_OD_MM_MIN, TARGET_RADIUS_MM_MAX, TARGET_RADIUS_MM_MIN } from '../src/controller/settings.js';

const doc = readFileSync('docs/ice-ball-estimate.md', 'utf8');

/** The bounds cell (the third) of the settings table's row for `field`. */
function boundsOf(field: string): string {
  const row = doc.split('\n').find((l) => l.startsWith(`| \`${field}\``));
  expect(row, `no row for ${field}`).toBeDefined();
  return (row ?? '').split('|')[3]?.trim() ?? '';
}

describe("docs/ice-ball-estimate.md's settings table", () => {
  it.each([
    ['probeOdMm', `${PROBE_OD_MM_MIN}-${PROBE_OD_MM_MAX.toFixed(1)}`],
    ['targetRadiusMm', `${TARGET_RADIUS_MM_MIN}-${TARGET_RADIUS_MM_MAX}`],
    ['protocol.targetRadiusMm', `${TARGET_RADIUS_MM_MIN}-${TARGET_RADIUS_MM_MAX}`],
    ['holdS', `${HOLD_S_MIN}-${HOLD_S_MAX}`],
  ])('gives %s the bounds of the schema', (field, bounds) => {
    expect(boundsOf(field)).toBe(bounds);
  });
});
