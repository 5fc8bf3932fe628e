// The unknown-tip wait covers the passive thaw (docs/safety.md, "Safe to withdraw, and a tip the
// controller does not trust"): PASSIVE_THAW_BOUND_S is recomputed here from the tissue model it
// was derived from, and it must cover every tissue the plant's tissue schema accepts with every
// probe the settings accept (review of issue 11, M1).
import { describe, expect, it } from 'vitest';
import {
  ACCURATE_THAW_OPTIONS, COARSE_THAW_OPTIONS, DEFAULT_TISSUE_PARAMS, MIN_BAND_WIDTH_C, parseTissueParams, passiveThawsS,
  resolveTissueParams, tissueFieldRange, tissueSchemaCorners,
} from '../kernel/bioheat/index.js';
import type { PassiveThawOptions, TissueParams } from '../kernel/bioheat/index.js';
import { seededRandom } from '../kernel/random.js';
import { DEFAULT_SETTINGS, PROBE_OD_MM_MAX, PROBE_OD_MM_MIN, parseSettings } from '../src/controller/settings.js';
import { initialState } from '../src/controller/state.js';
import { PASSIVE_THAW_BOUND_S, THAW_BOUND_MARGIN, THAW_BOUND_ROUND_S, passiveThawBoundMs, unknownTipWaitMs, withdrawalStatus } from '../src/controller/withdrawal.js';

const ROWS = PASSIVE_THAW_BOUND_S.filter(([freezeS]) => freezeS > 0);
const boundS = (freezeS: number): number => passiveThawBoundMs(freezeS * 1000) / 1000;

/**
 * The slowest-thawing tissue the search (scripts/thaw-bound-table.ts) found, by row: the corner
 * of the schema with no perfusion or metabolism, T_a 30 C, unfrozen conductivity at its lowest,
 * frozen conductivity, latent heat and frozen heat capacity at their highest, the band at -1..0 C;
 * the unfrozen heat capacity at its lowest up to 450 s of gas, then moving up its range.
 */
const SLOWEST = resolveTissueParams({
  kUnfrozenWPerMK: 0.2, kFrozenWPerMK: 3.0, heatCapFrozenMJPerM3K: 3.0, latentHeatMJPerM3: 350,
  freezeBandLowC: -1, freezeBandHighC: 0, perfusionWPerM3K: 0, metabolicWPerM3: 0, arterialC: 30, heatCapUnfrozenMJPerM3K: 2.0,
});
const slowestWith = (heatCapUnfrozenMJPerM3K: number): TissueParams => resolveTissueParams({ ...SLOWEST, heatCapUnfrozenMJPerM3K });
const DERIVED_AT: readonly (readonly [tissue: TissueParams, freezesS: readonly number[]])[] = [
  [SLOWEST, ROWS.map(([f]) => f).filter((f) => f <= 450)],
  [slowestWith(3.71875), [600]],
  [slowestWith(4.5), [900, 1200, 1500]],
];

/** The sweeps step coarsely (COARSE_THAW_OPTIONS, the thaw counted to 5 s): up to about 1 %
 * shorter than the accurate thaw. A coarse thaw must leave this much of the bound to spare, so the
 * coarse step cannot hide a shortfall; the table's own margin (10 %) leaves room for it. */
const SWEEP_OPTIONS: PassiveThawOptions = { ...COARSE_THAW_OPTIONS, thawStepS: 5 };
const COARSE_ALLOWANCE = 0.03;
/** Rows swept over every corner (768): the shortest and a clinical 60 s; short freezes keep the
 * sweep to a few seconds. */
const SWEEP_ROWS_S = [10, 60];
/** The longer rows, up to the longest single freeze and the site's total over several, are swept
 * over this many of the corners slowest at 60 s: past 60 s the ranking changes only among near
 * ties (the search, scripts/thaw-bound-table.ts: the corner slowest from 900 s, with the unfrozen
 * heat capacity at its highest, is fifth at 60 s, within a quarter of the slowest). */
const LONG_ROWS_S = [300, 600, 900, 1500];
const LONG_ROW_CORNERS = 32;
/** Interior tissues drawn at random (seeded) on random probes, and probes along the range. */
const INTERIOR_POINTS = 12;
const POINT_ROWS_S = [10, 60, 300];
const PROBES_MM = [PROBE_OD_MM_MIN, 0.6, 1.0, 1.27, 1.6, PROBE_OD_MM_MAX];

function expectCovered(thawsS: readonly number[], freezesS: readonly number[], what: string): void {
  thawsS.forEach((thawS, i) => {
    const freezeS = freezesS[i] ?? Number.NaN;
    expect(thawS * (1 + COARSE_ALLOWANCE), `${what}, ${freezeS} s of gas: thaws in ${thawS} s`).toBeLessThanOrEqual(boundS(freezeS));
  });
}

const describeTissue = (t: TissueParams): string => JSON.stringify(t);

describe('the passive thaw bound of the unknown-tip wait', () => {
  it.each(DERIVED_AT.map(([t, f]) => [f.join(', '), t.heatCapUnfrozenMJPerM3K, t, f] as const))(
    'recomputes the rows after %s s of gas from the slowest tissue (unfrozen heat capacity %d MJ/m3/K)',
    (_label, _hc, tissue, freezesS) => {
      const thawsS = passiveThawsS(tissue, PROBE_OD_MM_MAX, freezesS, ACCURATE_THAW_OPTIONS);
      const nominalS = passiveThawsS(DEFAULT_TISSUE_PARAMS, PROBE_OD_MM_MAX, freezesS, COARSE_THAW_OPTIONS);
      thawsS.forEach((thawS, i) => {
        const freezeS = freezesS[i] ?? Number.NaN;
        const rowS = PASSIVE_THAW_BOUND_S.find(([f]) => f === freezeS)?.[1] ?? Number.NaN;
        // The row is the model's thaw plus the margin, rounded up: not less, and not padded more.
        expect(rowS, `row ${freezeS} s: the slowest tissue thaws in ${thawS} s`).toBeGreaterThanOrEqual(thawS * (1 + THAW_BOUND_MARGIN));
        expect(rowS).toBeLessThan(thawS * (1 + THAW_BOUND_MARGIN) + THAW_BOUND_ROUND_S);
        // Nominal tissue thaws well inside it (the bound is not the nominal case).
        expect(nominalS[i]).toBeLessThan(rowS / 3);
      });
    },
  );

  it('covers every corner of the tissue schema on the largest probe', () => {
    const corners = tissueSchemaCorners();
    expect(corners.length).toBe(2 ** 8 * 3);
    const at60S: { tissue: TissueParams; thawS: number }[] = [];
    for (const tissue of corners) {
      const thawsS = passiveThawsS(tissue, PROBE_OD_MM_MAX, SWEEP_ROWS_S, SWEEP_OPTIONS);
      expectCovered(thawsS, SWEEP_ROWS_S, describeTissue(tissue));
      at60S.push({ tissue, thawS: thawsS.at(-1) ?? Number.NaN });
    }
    at60S.sort((a, b) => b.thawS - a.thawS);
    for (const { tissue } of at60S.slice(0, LONG_ROW_CORNERS)) {
      expectCovered(passiveThawsS(tissue, PROBE_OD_MM_MAX, LONG_ROWS_S, SWEEP_OPTIONS), LONG_ROWS_S, describeTissue(tissue));
    }
  });

  it('covers the slowest tissue on every probe the settings accept, and tissues inside the bounds', () => {
    for (const od of PROBES_MM) expectCovered(passiveThawsS(SLOWEST, od, POINT_ROWS_S, SWEEP_OPTIONS), POINT_ROWS_S, `OD ${od} mm`);
    const random = seededRandom(11);
    const within = ([min, max]: readonly [number, number]): number => min + random.next() * (max - min);
    for (let i = 0; i < INTERIOR_POINTS; i++) {
      const draw: Record<string, number> = {};
      for (const key of Object.keys(DEFAULT_TISSUE_PARAMS) as (keyof TissueParams)[]) draw[key] = within(tissueFieldRange(key));
      draw.freezeBandHighC = Math.max(draw.freezeBandHighC ?? 0, (draw.freezeBandLowC ?? 0) + MIN_BAND_WIDTH_C);
      const tissue = parseTissueParams(draw);
      const od = within([PROBE_OD_MM_MIN, PROBE_OD_MM_MAX]);
      expectCovered(passiveThawsS(tissue, od, POINT_ROWS_S, SWEEP_OPTIONS), POINT_ROWS_S, `OD ${od.toFixed(2)} mm, ${describeTissue(tissue)}`);
    }
  });

  it('is never shorter than the thaw of a freeze between rows (the thaw grows with the freeze)', () => {
    const freezesS = [5, 45, 75, 150];
    passiveThawsS(SLOWEST, PROBE_OD_MM_MAX, freezesS, SWEEP_OPTIONS).forEach((thawS, i) => {
      expect(boundS(freezesS[i] ?? Number.NaN)).toBeGreaterThanOrEqual(thawS);
    });
  });

  it('takes the next row up between rows, and extends past the last row along its slope', () => {
    expect(passiveThawBoundMs(0)).toBe(0);
    expect(passiveThawBoundMs(10_000)).toBe(550_000);
    expect(passiveThawBoundMs(10_001)).toBe(1_250_000);
    expect(passiveThawBoundMs(60_000)).toBe(2_070_000);
    expect(passiveThawBoundMs(1_500_000)).toBe(9_630_000);
    // (9630 - 9290) / 300 s per s past 1500 s.
    expect(passiveThawBoundMs(1_800_000)).toBeCloseTo(9_970_000, 3);
    expect(() => passiveThawBoundMs(Number.NaN)).toThrow(/freezeMs NaN/);
    expect(() => passiveThawBoundMs(-1)).toThrow(/freezeMs -1/);
  });

  it('keeps the settings value as a floor only', () => {
    expect(unknownTipWaitMs(DEFAULT_SETTINGS, 0)).toBe(DEFAULT_SETTINGS.thaw.unknownTipWaitS * 1000);
    expect(unknownTipWaitMs(DEFAULT_SETTINGS, 60_000)).toBe(2_070_000);
    const longFloor = { ...DEFAULT_SETTINGS, thaw: { ...DEFAULT_SETTINGS.thaw, unknownTipWaitS: 600 } };
    expect(unknownTipWaitMs(longFloor, 1_000)).toBe(600_000);
  });
});

describe('the probes the bound covers', () => {
  it('refuses a probe larger than the table was derived for (2.0 mm), naming the field', () => {
    expect(() => parseSettings({ iceBall: { probeOdMm: 2.5 } }, 'settings')).toThrow(/iceBall\.probeOdMm/);
    expect(parseSettings({ iceBall: { probeOdMm: 2.0 } }, 'settings').iceBall.probeOdMm).toBe(2.0);
    expect(PROBE_OD_MM_MAX).toBeLessThanOrEqual(2.0);
  });
});

describe('a console that has seen no gas since power-up (review of issue 11, H1)', () => {
  it('waits the bound of the site cap from the distrust, not the floor: it cannot know what the site froze before', () => {
    const powerUp = initialState(0, null);
    const distrusted = { ...powerUp, phase: 'Fault' as const, tipDistrust: { reason: 'HAL_FAULT: board lost', sinceMs: 2_000 } };
    const w = withdrawalStatus(distrusted, DEFAULT_SETTINGS, 200_000);
    const capBoundMs = passiveThawBoundMs(DEFAULT_SETTINGS.freezeLimit.cumulativeMaxS * 1000);
    expect(w).toMatchObject({ kind: 'tip-unknown', waitUntilMs: 2_000 + capBoundMs, waitOver: false });
    expect(capBoundMs).toBeGreaterThan(DEFAULT_SETTINGS.thaw.unknownTipWaitS * 1000);
    // Once gas has flowed in this power-up, the site's own total is known and counts.
    const afterGas = { ...distrusted, gasLastFlowedMs: 1_000, cumulativeFreezeMs: 10_000 };
    expect(withdrawalStatus(afterGas, DEFAULT_SETTINGS, 200_000)).toMatchObject({ waitUntilMs: 1_000 + 550_000 });
  });
});
