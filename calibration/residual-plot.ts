// The certificate's residual plot: residual (reference - calibrated) against reference
// temperature, with the +-limit acceptance band shaded. Inline SVG: no scripts, no external files.
import { escapeHtml, fixed } from './html.js';

export interface ResidualPoint {
  readonly referenceC: number;
  readonly residualC: number;
}

const WIDTH = 640;
const HEIGHT = 320;
const MARGIN = { left: 64, right: 16, top: 16, bottom: 48 };
/** With a single reference temperature the x axis still needs a width: +-10 C around it. */
const MIN_X_SPAN_C = 20;
/** Leave room above the band so the band edge is visible: the y axis reaches 1.5 x the limit. */
const Y_HEADROOM = 1.5;

export function renderResidualPlotSvg(points: readonly ResidualPoint[], limitC: number): string {
  const refs = points.map((p) => p.referenceC);
  const centreC = (Math.min(...refs) + Math.max(...refs)) / 2;
  const halfSpanC = Math.max(MIN_X_SPAN_C, Math.max(...refs) - Math.min(...refs)) * 0.55;
  const xMin = centreC - halfSpanC;
  const xMax = centreC + halfSpanC;
  const yMax = Math.max(limitC * Y_HEADROOM, ...points.map((p) => Math.abs(p.residualC) * 1.1));
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (c: number): number => MARGIN.left + ((c - xMin) / (xMax - xMin)) * plotW;
  const y = (r: number): number => MARGIN.top + ((yMax - r) / (2 * yMax)) * plotH;
  const n = (v: number): string => v.toFixed(1);

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="residual plot">`,
    `<rect class="band" x="${n(MARGIN.left)}" y="${n(y(limitC))}" width="${n(plotW)}" height="${n(y(-limitC) - y(limitC))}" fill="#dff0d8"/>`,
    `<line x1="${n(MARGIN.left)}" x2="${n(MARGIN.left + plotW)}" y1="${n(y(0))}" y2="${n(y(0))}" stroke="#888"/>`,
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${n(plotW)}" height="${n(plotH)}" fill="none" stroke="#000"/>`,
    label(MARGIN.left - 6, y(limitC) + 4, `+${fixed(limitC, 2)}`, 'end'),
    label(MARGIN.left - 6, y(0) + 4, '0', 'end'),
    label(MARGIN.left - 6, y(-limitC) + 4, `-${fixed(limitC, 2)}`, 'end'),
    label(MARGIN.left, HEIGHT - MARGIN.bottom + 16, fixed(xMin, 1), 'start'),
    label(MARGIN.left + plotW, HEIGHT - MARGIN.bottom + 16, fixed(xMax, 1), 'end'),
    label(MARGIN.left + plotW / 2, HEIGHT - 8, 'reference temperature, C', 'middle'),
    `<text x="14" y="${n(MARGIN.top + plotH / 2)}" font-size="12" text-anchor="middle" transform="rotate(-90 14 ${n(MARGIN.top + plotH / 2)})">residual, C</text>`,
  ];
  for (const p of points) {
    const inside = Math.abs(p.residualC) <= limitC;
    parts.push(
      `<circle cx="${n(x(p.referenceC))}" cy="${n(y(p.residualC))}" r="5" fill="${inside ? '#1a5fb4' : '#c01c28'}">` +
        `<title>${escapeHtml(`${fixed(p.referenceC, 2)} C: residual ${fixed(p.residualC, 3)} C`)}</title></circle>`,
    );
  }
  parts.push('</svg>');
  return parts.join('\n');
}

function label(xPx: number, yPx: number, text: string, anchor: 'start' | 'middle' | 'end'): string {
  return `<text x="${xPx.toFixed(1)}" y="${yPx.toFixed(1)}" font-size="12" text-anchor="${anchor}">${escapeHtml(text)}</text>`;
}
