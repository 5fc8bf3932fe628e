import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CO2_FLOOR_C, decimate, MAX_PLOT_POINTS, phaseBands, treatmentPlotSvg } from '../src/records/report-plot.js';
import type { PlotPoint } from '../src/records/report-plot.js';
import { reportHtml } from '../src/records/report.js';
import type { SampleRow } from '../src/records/types.js';
import { completeRecord, interruptedRecord, withPatientRef } from './helpers/records-fixtures.js';

/** The text of every table row of class `cls` (tags removed), one string per row after the header. */
function tableRows(html: string, cls: string): string[] {
  const table = html.split(`<table class="${cls}">`)[1]?.split('</table>')[0] ?? '';
  return table
    .split('<tr>')
    .slice(2)
    .map((r) => r.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim());
}

describe('reportHtml', () => {
  const record = completeRecord();
  const html = reportHtml(record);

  it('is self-contained: no script, no external resource', () => {
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\bsrc=|\bhref=|url\(|@import/i);
    expect(html.match(/https?:\/\/[^"]+/g)).toEqual(['http://www.w3.org/2000/svg']);
  });

  it('prints for paper: a print stylesheet', () => {
    expect(html).toContain('@media print');
  });

  it('heads the page with the console, probe and calibration, target, people, times and outcome', () => {
    const header = tableRows(html, 'details').join('\n');
    for (const text of [
      record.start.console.consoleId,
      'Software version 0.1.0',
      'a'.repeat(64),
      'Probe P-0001',
      'cal-2026-02-11-P-0001 (checksum ' + 'c'.repeat(64),
      'Target nerve Infrapatellar branch of the saphenous nerve, left',
      'Territory skin of the anteromedial knee',
      'Patient reference KN-2026-0042',
      'Operator op-17',
      'Started 2026-03-02T09:00:00.000Z',
      'Ended 2026-03-02T09:03:10.000Z',
      'Outcome complete',
    ]) {
      expect(header).toContain(text);
    }
  });

  it('shows no motor warning for a sensory nerve', () => {
    expect(html).not.toContain('class="warning"');
  });

  it('warns, visibly, when the target nerve carries motor fibres', () => {
    const motor = reportHtml(interruptedRecord());
    expect(motor).toMatch(/<p class="warning">WARNING: the target nerve carries motor fibres \(supplies peroneus/);
    expect(tableRows(motor, 'details').join('\n')).toContain('Outcome interrupted');
  });

  it('escapes every text from the record', () => {
    const hostile = withPatientRef(completeRecord(), '<script>alert(1)</script>');
    const trip = { ...hostile.events.find((e) => e.kind === 'trip')!, detail: { kind: 'trip', id: 'X', priority: 'high', detail: '<img src=x onerror=alert(2)>', hint: '"&' } };
    const out = reportHtml({ ...hostile, events: [...hostile.events, trip] });
    expect(out).not.toMatch(/<script|<img/);
    expect(out).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(out).toContain('&lt;img src=x onerror=alert(2)&gt;');
    expect(out).toContain('&quot;&amp;');
  });

  it('tables every cycle', () => {
    const rows = tableRows(html, 'cycles');
    expect(rows).toHaveLength(2);
    const c = record.cycles[1]!;
    expect(rows[1]).toBe(`2 60.0 30.0 ${c.minTipC!.toFixed(1)} ${c.secondsToMinus50C!.toFixed(1)} ${c.belowMinus20S.toFixed(1)} ${c.belowMinus40S.toFixed(1)} 1.8 2.0 NOT effective`);
    expect(rows[0]).toMatch(/ 2\.3 2\.0 effective$/);
  });

  it("says each freeze's r(-20 C) is a model estimate, and shows a cycle without a verdict as such", () => {
    expect(html).toContain('r(-20 C) at end, mm*');
    expect(html).toMatch(/\* Estimated by the console's tissue model .*not a measurement/);
    const none = reportHtml({ ...record, cycles: record.cycles.map((c) => ({ ...c, verdict: null })) });
    expect(tableRows(none, 'cycles')[0]).toMatch(/ &ndash; &ndash; no verdict$|– – no verdict$/);
  });

  it('logs the alarms (trip, audio pause, acknowledge, cleared) and nothing else', () => {
    const rows = tableRows(html, 'alarms');
    expect(rows.map((r) => r.split(' ')[2])).toEqual(['trip', 'audio-pause', 'audio-pause', 'acknowledge', 'cleared']);
    expect(rows[0]).toBe('186.0 2026-03-02T09:03:06.000Z trip EMERGENCY_STOP (high, latched): emergency stop pressed. release the emergency stop, then acknowledge');
  });

  it('shows the seal', () => {
    expect(html).toContain(`sha256 <code>${'d'.repeat(64)}</code>`);
  });

  it('says so when the treatment is still open and unsealed', () => {
    const open = reportHtml({ ...record, end: null, sealSha256: null });
    expect(open).toContain('Not sealed');
    expect(tableRows(open, 'details').join('\n')).toContain('Ended still open');
  });

  it('says so when no cycle completed and no alarm was raised', () => {
    const out = reportHtml(interruptedRecord());
    expect(out).toContain('No cycle was completed.');
    expect(out).toContain('No alarm was raised.');
  });
});

describe('the plot', () => {
  it('draws each tip channel, the supply and the return pressure', () => {
    const svg = treatmentPlotSvg(completeRecord().samples);
    expect([...svg.matchAll(/data-series="([^"]+)"/g)].map((m) => m[1])).toEqual(['tip 0', 'tip 1', 'supply', 'return']);
  });

  it('marks -20 C, -40 C and the CO2 floor from kernel/co2', () => {
    const svg = treatmentPlotSvg(completeRecord().samples);
    expect(CO2_FLOOR_C).toBeCloseTo(-78.5, 1);
    expect(svg.match(/class="ref"/g)).toHaveLength(3);
    for (const label of ['>-20 C<', '>-40 C<', '>CO2 floor -78.5 C<']) expect(svg).toContain(label);
  });

  it('shades the phases', () => {
    const svg = treatmentPlotSvg(completeRecord().samples);
    // Two freezes, shaded in each of the three panels.
    expect(svg.match(/<title>Freezing<\/title>/g)).toHaveLength(6);
    expect(phaseBands(completeRecord().samples).map((b) => b.phase)).toEqual(['SelfTest', 'Ready', 'Freezing', 'Thawing', 'Freezing', 'Thawing', 'Complete', 'Fault']);
  });

  it('draws at most MAX_PLOT_POINTS points per series for a long treatment, and still its coldest reading', () => {
    const base = completeRecord().samples[100]!;
    const long: SampleRow[] = Array.from({ length: 40_000 }, (_, i) => ({ ...base, tMs: i * 100, tipC: [i === 23_456 ? -79.9 : -40 + Math.sin(i / 50)] }));
    const svg = treatmentPlotSvg(long);
    for (const m of svg.matchAll(/ d="([^"]*)"/g)) expect((m[1] ?? '').match(/[ML]/g)?.length ?? 0).toBeLessThanOrEqual(MAX_PLOT_POINTS);
    expect(decimate(long.map((s) => ({ tMs: s.tMs, value: s.tipC[0] ?? null }))).some((p) => p.value === -79.9)).toBe(true);
  });

  it('says there is nothing to plot when there are no samples', () => {
    expect(treatmentPlotSvg([])).toBe('<p>No samples were recorded.</p>');
  });

  it('breaks the line where a reading is missing', () => {
    const svg = treatmentPlotSvg(completeRecord().samples);
    const tip1 = /data-series="tip 1" d="([^"]*)"/.exec(svg)?.[1] ?? '';
    expect(tip1.match(/M/g)).toHaveLength(2);
  });
});

describe('decimate', () => {
  const points = fc
    .array(fc.option(fc.double({ min: -200, max: 100, noNaN: true }), { freq: 8 }), { maxLength: 3000 })
    .map((values): PlotPoint[] => values.map((value, i) => ({ tMs: i * 100, value })));

  it('keeps at most the bound, in time order, with the extremes of the data', () => {
    fc.assert(
      fc.property(points, fc.integer({ min: 2, max: 400 }), (series, max) => {
        const out = decimate(series, max);
        expect(out.length).toBeLessThanOrEqual(max);
        for (let i = 1; i < out.length; i++) expect(out[i]!.tMs).toBeGreaterThanOrEqual(out[i - 1]!.tMs);
        const values = series.map((p) => p.value).filter((v): v is number => v !== null);
        const kept = out.map((p) => p.value).filter((v): v is number => v !== null);
        if (values.length > 0) {
          expect(Math.min(...kept)).toBe(Math.min(...values));
          expect(Math.max(...kept)).toBe(Math.max(...values));
        }
      }),
      { seed: 10, numRuns: 200 },
    );
  });
});
