// Plain SVG plots over a run's time, written as text: no script, no CDN, nothing fetched, so a
// report page opens from a CI artefact as it is. Line series (gaps where a value is missing) and
// band charts (a discrete state drawn as coloured spans, one lane each).

export const PLOT_WIDTH_PX = 900;
const MARGIN = { left: 60, right: 150, top: 14, bottom: 28 } as const;
const TICKS = 6;

export interface LineSeries {
  readonly label: string;
  readonly color: string;
  readonly points: readonly (readonly [number, number | null])[];
  /** Hold each value until the next (a command, a seat), instead of a straight line between. */
  readonly step?: boolean;
  readonly dashed?: boolean;
}

export interface BandLane {
  readonly label: string;
  /** Spans [fromMs, toMs) with their colour and the text shown on hover. */
  readonly spans: readonly { readonly fromMs: number; readonly toMs: number; readonly color: string; readonly title: string }[];
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

const n1 = (x: number): string => x.toFixed(1);

function niceStep(span: number): number {
  const raw = span / TICKS;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  return (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
}

function timeAxis(endMs: number, innerW: number, y: number): string {
  const endS = Math.max(endMs / 1000, 1);
  const step = niceStep(endS);
  const parts: string[] = [];
  for (let s = 0; s <= endS + 1e-9; s += step) {
    const x = MARGIN.left + (s / endS) * innerW;
    parts.push(`<line x1="${n1(x)}" y1="${MARGIN.top}" x2="${n1(x)}" y2="${y}" stroke="#eee"/><text x="${n1(x)}" y="${y + 14}" font-size="11" text-anchor="middle">${Number(s.toFixed(3))}</text>`);
  }
  parts.push(`<text x="${MARGIN.left + innerW}" y="${y + 26}" font-size="11" text-anchor="end">time (s)</text>`);
  return parts.join('');
}

function legend(items: readonly { label: string; color: string; dashed?: boolean }[], x: number): string {
  return items
    .map((it, i) => {
      const y = MARGIN.top + 10 + i * 16;
      const dash = it.dashed === true ? ' stroke-dasharray="4 3"' : '';
      return `<line x1="${x}" y1="${y}" x2="${x + 18}" y2="${y}" stroke="${it.color}" stroke-width="2"${dash}/><text x="${x + 22}" y="${y + 4}" font-size="11">${escapeXml(it.label)}</text>`;
    })
    .join('');
}

/** A line plot of several series against time; null values break the line. */
export function linePlot(title: string, yLabel: string, endMs: number, series: readonly LineSeries[], heightPx = 220): string {
  const innerW = PLOT_WIDTH_PX - MARGIN.left - MARGIN.right;
  const innerH = heightPx - MARGIN.top - MARGIN.bottom;
  const values = series.flatMap((s) => s.points.map((p) => p[1]).filter((v): v is number => v !== null && Number.isFinite(v)));
  let lo = values.length === 0 ? 0 : Math.min(...values);
  let hi = values.length === 0 ? 1 : Math.max(...values);
  if (hi - lo < 1e-6) [lo, hi] = [lo - 1, hi + 1];
  const pad = (hi - lo) * 0.05;
  [lo, hi] = [lo - pad, hi + pad];
  const xOf = (tMs: number): number => MARGIN.left + (tMs / Math.max(endMs, 1)) * innerW;
  const yOf = (v: number): number => MARGIN.top + ((hi - v) / (hi - lo)) * innerH;
  const yStep = niceStep(hi - lo);
  const grid: string[] = [];
  for (let v = Math.ceil(lo / yStep) * yStep; v <= hi; v += yStep) {
    grid.push(`<line x1="${MARGIN.left}" y1="${n1(yOf(v))}" x2="${MARGIN.left + innerW}" y2="${n1(yOf(v))}" stroke="#eee"/><text x="${MARGIN.left - 4}" y="${n1(yOf(v) + 4)}" font-size="11" text-anchor="end">${Number(v.toFixed(3))}</text>`);
  }
  const paths = series.map((s) => {
    let d = '';
    let pen = false;
    let lastY: number | null = null;
    for (const [t, v] of s.points) {
      if (v === null || !Number.isFinite(v)) {
        pen = false;
        continue;
      }
      const x = n1(xOf(t));
      if (pen && s.step === true && lastY !== null) d += `L${x},${n1(lastY)}`;
      d += `${pen ? 'L' : 'M'}${x},${n1(yOf(v))}`;
      pen = true;
      lastY = yOf(v);
    }
    const dash = s.dashed === true ? ' stroke-dasharray="4 3"' : '';
    return `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.5"${dash}/>`;
  });
  return svg(title, heightPx, [
    ...grid,
    timeAxis(endMs, innerW, MARGIN.top + innerH),
    `<text x="12" y="${MARGIN.top + innerH / 2}" font-size="11" transform="rotate(-90 12 ${MARGIN.top + innerH / 2})" text-anchor="middle">${escapeXml(yLabel)}</text>`,
    ...paths,
    legend(series, MARGIN.left + innerW + 8),
  ]);
}

/** Lanes of coloured spans against time (phase, alarms, valves as open/closed). */
export function bandPlot(title: string, endMs: number, lanes: readonly BandLane[]): string {
  const laneH = 18;
  const heightPx = MARGIN.top + lanes.length * (laneH + 4) + MARGIN.bottom;
  const innerW = PLOT_WIDTH_PX - MARGIN.left - MARGIN.right;
  const xOf = (tMs: number): number => MARGIN.left + (tMs / Math.max(endMs, 1)) * innerW;
  const body = lanes.flatMap((lane, i) => {
    const y = MARGIN.top + i * (laneH + 4);
    const rects = lane.spans.map(
      (s) => `<rect x="${n1(xOf(s.fromMs))}" y="${y}" width="${n1(Math.max(xOf(s.toMs) - xOf(s.fromMs), 0.5))}" height="${laneH}" fill="${s.color}"><title>${escapeXml(s.title)}</title></rect>`,
    );
    return [`<text x="${MARGIN.left + innerW + 8}" y="${y + 13}" font-size="11">${escapeXml(lane.label)}</text>`, ...rects];
  });
  return svg(title, heightPx, [timeAxis(endMs, innerW, heightPx - MARGIN.bottom), ...body]);
}

function svg(title: string, heightPx: number, parts: readonly string[]): string {
  return `<figure><figcaption>${escapeXml(title)}</figcaption><svg width="${PLOT_WIDTH_PX}" height="${heightPx}" viewBox="0 0 ${PLOT_WIDTH_PX} ${heightPx}" role="img" aria-label="${escapeXml(title)}">${parts.join('')}</svg></figure>`;
}
