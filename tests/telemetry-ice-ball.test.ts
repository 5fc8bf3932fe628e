// The ice-ball part of a telemetry frame (src/runtime/telemetry-link.ts iceBallTelemetry) and its
// metrics (src/telemetry/metrics.ts): the snapshot's rule (never an old estimate as now) with a
// Sparkplug quality saying why a radius is null.
import { describe, expect, it } from 'vitest';
import { treatmentSummary } from '../src/cli/run-telemetry.js';
import { iceBallView } from '../src/console/snapshot.js';
import { iceBallTelemetry } from '../src/runtime/telemetry-link.js';
import { METRICS, QUALITY_BAD, QUALITY_GOOD, QUALITY_STALE, birthMetrics, publishedRadiusMm, telemetryMetrics } from '../src/telemetry/metrics.js';
import type { TelemetryFrame } from '../src/telemetry/metrics.js';
import { treatmentEnd } from './helpers/records-data.js';

const ESTIMATE = { r0Mm: 4.123_456, r20Mm: 2.404_9, r40Mm: 1.295, atMs: 10_000 };

describe('iceBallTelemetry', () => {
  it('publishes the radii of a shown estimate to a hundredth of a mm, quality good', () => {
    expect(iceBallTelemetry(iceBallView(ESTIMATE, null, 2, 10_020), true, false)).toEqual({ r0Mm: 4.12, r20Mm: 2.4, r40Mm: 1.3, iceBallQuality: QUALITY_GOOD });
  });

  it('publishes null, quality bad, when no estimate runs or the tip is not trusted', () => {
    expect(iceBallTelemetry(iceBallView(null, null, null, 10_000), false, false)).toMatchObject({ r20Mm: null, iceBallQuality: QUALITY_BAD });
    expect(iceBallTelemetry(iceBallView(ESTIMATE, 'channel 0: open', 2, 10_000), true, true)).toMatchObject({ r20Mm: null, iceBallQuality: QUALITY_BAD });
  });

  it('publishes null, quality stale, for an estimate too old to show', () => {
    expect(iceBallTelemetry(iceBallView(ESTIMATE, null, 2, 60_000), true, false)).toEqual({ r0Mm: null, r20Mm: null, r40Mm: null, iceBallQuality: QUALITY_STALE });
  });

  it('rounds to the nearest hundredth without float noise', () => {
    expect([publishedRadiusMm(2.345_000_1), publishedRadiusMm(0), publishedRadiusMm(7.999)]).toEqual([2.35, 0, 8]);
  });
});

describe('the ice-ball metrics', () => {
  const frame: TelemetryFrame = {
    atEpochMs: 1_000, tipC: -60, tipQuality: QUALITY_GOOD, supplyBarGauge: 55, returnBarAbs: 1.2, pressureQuality: QUALITY_GOOD,
    supplyValveOpen: true, safetyValveOpen: true, loopP99Ms: 0.4, loopLateTicks: 0, loopMissedTicks: 0, telemetryDropped: 0,
    r0Mm: 4.1, r20Mm: 2.4, r40Mm: 1.3, iceBallQuality: QUALITY_GOOD,
  };
  const names: readonly string[] = [METRICS.iceBallR0Mm.name, METRICS.iceBallR20Mm.name, METRICS.iceBallR40Mm.name];

  it('are in every telemetry frame, in mm, as Doubles with their quality', () => {
    const out = telemetryMetrics(frame, 0).filter((m) => names.includes(m.name));
    expect(out.map((m) => [m.name, m.type, m.value, m.quality])).toEqual([
      ['Ice Ball/Radius 0C', 'Double', 4.1, QUALITY_GOOD],
      ['Ice Ball/Radius -20C', 'Double', 2.4, QUALITY_GOOD],
      ['Ice Ball/Radius -40C', 'Double', 1.3, QUALITY_GOOD],
    ]);
    for (const id of ['iceBallR0Mm', 'iceBallR20Mm', 'iceBallR40Mm'] as const) {
      expect(METRICS[id].unit).toBe('mm');
      expect(METRICS[id].description).toMatch(/model/);
    }
  });

  it('are in NBIRTH: null with quality 0 before the first frame, the values after', () => {
    const base = { bdSeq: 1, atEpochMs: 1_000, properties: { consoleId: 'c', softwareVersion: '0', board: 'sim' }, state: null, outboxDropped: 0 };
    const before = birthMetrics({ ...base, telemetry: null }).filter((m) => names.includes(m.name));
    expect(before.map((m) => [m.value, m.quality])).toEqual([[null, QUALITY_BAD], [null, QUALITY_BAD], [null, QUALITY_BAD]]);
    const after = birthMetrics({ ...base, telemetry: frame }).filter((m) => names.includes(m.name));
    expect(after.map((m) => m.value)).toEqual([4.1, 2.4, 1.3]);
  });
});

describe("each freeze's verdict in the treatment summary", () => {
  it('carries the verdict of every cycle, null for one without', () => {
    const end = treatmentEnd();
    const cycles = [end.cycles[0]!, { ...end.cycles[1]!, verdict: null }];
    const summary = treatmentSummary({ uid: 'u', startedAtEpochMs: 1, protocol: { cycles: 2, freezeS: 120, thawS: 45 }, target: null, probeId: null, end: { ...end, cycles } });
    const sent = JSON.parse(JSON.stringify(summary)) as { cycles: { index: number; verdict: unknown }[] };
    expect(sent.cycles.map((c) => [c.index, c.verdict])).toEqual([
      [1, { r20MmAtEnd: 2.375, targetMm: 2, effective: true }],
      [2, null],
    ]);
  });
});
