// The treatment report's plot: tip temperature(s), supply pressure and return pressure over time,
// three stacked panels on one time axis with the phases as shaded bands. Inline SVG, no scripts.
// Every series is decimated to at most MAX_PLOT_POINTS points by keeping each bucket's minimum and
// maximum, so the coldest tip reading of a treatment is always drawn however long it ran.
import { escapeHtml } from '../../calibration/html.js';
import { ATMOSPHERIC_PRESSURE_BAR } from '../../kernel/units.js';
import { sublimationTempC } from '../../kernel/co2.js';
import type { Phase } from '../controller/types.js';
import { tipChannelCount } from './export.js';
import type { SampleRow } from './types.js';

/** Points drawn per series: a 2-hour record at 10 Hz (72,000 samples) stays a page a printer takes. */
export const MAX_PLOT_POINTS = 1200;
/** The CO2 floor at one atmosphere (about -78.5 C): the coldest a vented CO2 tip can get. */
export const CO2_FLOOR_C = sublimationTempC(ATMOSPHERIC_PRESSURE_BAR);
/** The thresholds each cycle's time is counted below (CycleRow belowMinus20S, belowMinus40S);
 * -20 C held for a minute is lethal to tissue (shared/domain.md section 10). */
export const REFERENCE_LINES_C = [-20, -40] as const;

const WIDTH = 760;
const MARGIN = { left: 64, right: 120, top: 24, bottom: 20 };
const PANEL_GAP = 28;
const AXIS_BAND = 36;
const PLOT_W = WIDTH - MARGIN.left - MARGIN.right;

export const PHASE_COLOURS: Readonly<Record<Phase, string | null>> = {
  Idle: null,
  SelfTest: '#eeeeee',
  Ready: '#e4e4e4',
  Freezing: '#d6e6fb',
  Thawing: '#fbe8d0',
  Complete: '#ddf0d8',
  Stopped: '#f6d5d5',
  Fault: '#f2bcbc',
};
const SERIES_COLOURS = ['#1a5fb4', '#26a269', '#a51d2d', '#613583', '#c64600', '#000000'];

export interface PlotPoint {
  readonly tMs: number;
  /** Null: no valid reading; the line breaks. */
  readonly value: number | null;
}

/** At most `maxPoints` points: per bucket the minimum and maximum in time order, or one gap. */
export function decimate(points: readonly PlotPoint[], maxPoints: number = MAX_PLOT_POINTS): PlotPoint[] {
  if (points.length <= maxPoints) return [...points];
  const buckets = Math.max(1, Math.floor(maxPoints / 2));
  const size = Math.ceil(points.length / buckets);
  const out: PlotPoint[] = [];
  for (let start = 0; start < points.length; start += size) {
    const bucket = points.slice(start, start + size).filter((p) => p.value !== null);
    const first = points[start];
    if (bucket.length === 0) {
      if (first !== undefined) out.push({ tMs: first.tMs, value: null });
      continue;
    }
    const lo = bucket.reduce((a, b) => ((b.value ?? 0) < (a.value ?? 0) ? b : a));
    const hi = bucket.reduce((a, b) => ((b.value ?? 0) > (a.value ?? 0) ? b : a));
    if (lo === hi) out.push(lo);
    else out.push(...(lo.tMs <= hi.tMs ? [lo, hi] : [hi, lo]));
  }
  return out;
}

interface Series {
  readonly name: string;
  readonly points: readonly PlotPoint[];
}

interface Panel {
  readonly title: string;
  readonly unit: string;
  readonly heightPx: number;
  readonly series: readonly Series[];
  readonly lines: readonly { readonly value: number; readonly label: string }[];
}

export interface PhaseBand {
  readonly phase: Phase;
  readonly fromMs: number;
  readonly toMs: number;
}

/** Consecutive samples of one phase as one band, to the next sample's time. */
export function phaseBands(samples: readonly SampleRow[]): PhaseBand[] {
  const bands: PhaseBand[] = [];
  for (const [i, s] of samples.entries()) {
    const toMs = samples[i + 1]?.tMs ?? s.tMs;
    const last = bands.at(-1);
    if (last !== undefined && last.phase === s.phase) bands[bands.length - 1] = { ...last, toMs };
    else bands.push({ phase: s.phase, fromMs: s.tMs, toMs });
  }
  return bands;
}

const f1 = (v: number): string => v.toFixed(1);

function text(x: number, y: number, label: string, anchor: 'start' | 'middle' | 'end', extra = ''): string {
  return `<text x="${f1(x)}" y="${f1(y)}" font-size="11" text-anchor="${anchor}"${extra}>${escapeHtml(label)}</text>`;
}

function pathOf(points: readonly PlotPoint[], x: (t: number) => number, y: (v: number) => number): string {
  let d = '';
  let pen = false;
  for (const p of points) {
    if (p.value === null) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${f1(x(p.tMs))} ${f1(y(p.value))}`;
    pen = true;
  }
  return d;
}

function drawPanel(panel: Panel, topPx: number, bands: readonly PhaseBand[], x: (t: number) => number): string[] {
  const values = panel.series.flatMap((s) => s.points.map((p) => p.value)).filter((v): v is number => v !== null);
  const all = [...values, ...panel.lines.map((l) => l.value)];
  const lo = all.length === 0 ? 0 : Math.min(...all);
  const hi = all.length === 0 ? 1 : Math.max(...all);
  const padV = Math.max((hi - lo) * 0.05, 0.5);
  const [yMin, yMax] = [lo - padV, hi + padV];
  const h = panel.heightPx;
  const y = (v: number): number => topPx + ((yMax - v) / (yMax - yMin)) * h;
  const out: string[] = [text(MARGIN.left, topPx - 6, `${panel.title}, ${panel.unit}`, 'start', ' font-weight="bold"')];
  for (const b of bands) {
    const fill = PHASE_COLOURS[b.phase];
    if (fill !== null) out.push(`<rect x="${f1(x(b.fromMs))}" y="${f1(topPx)}" width="${f1(Math.max(0, x(b.toMs) - x(b.fromMs)))}" height="${f1(h)}" fill="${fill}"><title>${escapeHtml(b.phase)}</title></rect>`);
  }
  out.push(`<rect x="${MARGIN.left}" y="${f1(topPx)}" width="${PLOT_W}" height="${f1(h)}" fill="none" stroke="#000"/>`);
  out.push(text(MARGIN.left - 6, topPx + 10, f1(yMax), 'end'), text(MARGIN.left - 6, topPx + h, f1(yMin), 'end'));
  for (const line of panel.lines) {
    const ly = y(line.value);
    out.push(`<line class="ref" x1="${MARGIN.left}" x2="${MARGIN.left + PLOT_W}" y1="${f1(ly)}" y2="${f1(ly)}" stroke="#555" stroke-dasharray="4 3"/>`);
    out.push(text(MARGIN.left + PLOT_W + 4, ly + 4, line.label, 'start'));
  }
  for (const [i, s] of panel.series.entries()) {
    const colour = SERIES_COLOURS[i % SERIES_COLOURS.length] ?? '#000';
    out.push(`<path class="series" data-series="${escapeHtml(s.name)}" d="${pathOf(s.points, x, y)}" fill="none" stroke="${colour}" stroke-width="1.5"/>`);
    // Series names at the top right; the reference lines' labels sit at their values below.
    out.push(text(MARGIN.left + PLOT_W + 4, topPx + 10 + 14 * i, s.name, 'start', ` fill="${colour}"`));
  }
  return out;
}

/** The whole plot, or a sentence when there are no samples. */
export function treatmentPlotSvg(samples: readonly SampleRow[]): string {
  if (samples.length === 0) return '<p>No samples were recorded.</p>';
  const t0 = samples[0]?.tMs ?? 0;
  const t1 = Math.max(samples.at(-1)?.tMs ?? 0, t0 + 1);
  const x = (t: number): number => MARGIN.left + ((t - t0) / (t1 - t0)) * PLOT_W;
  const channels = tipChannelCount(samples);
  const seriesOf = (name: string, pick: (s: SampleRow) => number | null): Series => ({ name, points: decimate(samples.map((s) => ({ tMs: s.tMs, value: pick(s) }))) });
  const panels: Panel[] = [
    {
      title: 'Tip temperature',
      unit: 'C',
      heightPx: 220,
      series: Array.from({ length: channels }, (_, i) => seriesOf(`tip ${i}`, (s) => s.tipC[i] ?? null)),
      lines: [...REFERENCE_LINES_C.map((c) => ({ value: c, label: `${c} C` })), { value: CO2_FLOOR_C, label: `CO2 floor ${CO2_FLOOR_C.toFixed(1)} C` }],
    },
    { title: 'Supply pressure', unit: 'bar gauge', heightPx: 110, series: [seriesOf('supply', (s) => s.supplyBarGauge)], lines: [] },
    { title: 'Return pressure', unit: 'bar absolute', heightPx: 110, series: [seriesOf('return', (s) => s.returnBarAbs)], lines: [] },
  ];
  const bands = phaseBands(samples);
  const parts: string[] = [];
  let top = MARGIN.top;
  for (const panel of panels) {
    parts.push(...drawPanel(panel, top, bands, x));
    top += panel.heightPx + PANEL_GAP;
  }
  const axisY = top - PANEL_GAP + 14;
  parts.push(text(MARGIN.left, axisY, '0 s', 'start'), text(MARGIN.left + PLOT_W, axisY, `${f1((t1 - t0) / 1000)} s`, 'end'));
  parts.push(text(MARGIN.left + PLOT_W / 2, axisY, 'time since start, s', 'middle'));
  const height = axisY + AXIS_BAND - MARGIN.bottom;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${f1(height)}" width="${WIDTH}" height="${f1(height)}" role="img" aria-label="tip temperature and pressures over time">`,
    ...parts,
    '</svg>',
  ].join('\n');
}
