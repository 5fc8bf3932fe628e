// The live tip trend (uPlot, bundled: domain section 10 measured it the cheapest streaming chart),
// with the lines an operator judges a freeze by: -20 C (lethal to tissue held for a minute),
// -40 C, and the CO2 floor (sublimation at one atmosphere: no CO2 tip gets colder).
import uPlot from 'uplot';
import { sublimationTempC } from '../../../kernel/co2.js';
import { ATMOSPHERIC_PRESSURE_BAR } from '../../../kernel/units.js';
import { TREND_SAMPLES } from '../constants.js';
import type { Trend } from '../wire.js';

export const CO2_FLOOR_C = sublimationTempC(ATMOSPHERIC_PRESSURE_BAR);
/** -20 C held for a minute is lethal to tissue (Cooper; domain section 10); -40 C: deep freeze. */
export const REFERENCE_LINES_C: readonly { readonly c: number; readonly label: string }[] = [
  { c: -20, label: '-20 °C' },
  { c: -40, label: '-40 °C' },
  { c: CO2_FLOOR_C, label: `CO2 ${CO2_FLOOR_C.toFixed(1)} °C` },
];
/** The axis always shows body temperature to below the CO2 floor, so the lines never move. */
const Y_RANGE_C: [number, number] = [-90, 40];

export class TipTrend {
  private readonly xs: number[] = [];
  private readonly ys: (number | null)[] = [];
  private readonly plot: uPlot;

  constructor(private readonly container: HTMLElement) {
    const opts: uPlot.Options = {
      width: Math.max(100, container.clientWidth),
      height: Math.max(80, container.clientHeight),
      legend: { show: false },
      cursor: { show: false },
      scales: { x: { time: false }, y: { range: Y_RANGE_C } },
      axes: [
        { stroke: '#aaa', grid: { stroke: '#333' }, values: (_u, ticks, _axis, _space, incr) => ticks.map((t) => `${t.toFixed(incr < 1 ? 1 : 0)} s`) },
        { stroke: '#aaa', grid: { stroke: '#333' }, size: 44 },
      ],
      series: [{}, { stroke: '#4fc3f7', width: 3, spanGaps: false, points: { show: false } }],
      hooks: {
        draw: [
          (u) => {
            this.drawLines(u);
          },
        ],
      },
    };
    this.plot = new uPlot(opts, [[], []], container);
    // The alarm list above the controls grows and shrinks: the chart follows its box.
    new ResizeObserver(() => {
      this.resize();
    }).observe(container);
  }

  private drawLines(u: uPlot): void {
    const ctx = u.ctx;
    ctx.save();
    ctx.setLineDash([8, 6]);
    ctx.lineWidth = 2;
    ctx.font = `${Math.round(14 * devicePixelRatio)}px sans-serif`;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'bottom';
    for (const line of REFERENCE_LINES_C) {
      const y = u.valToPos(line.c, 'y', true);
      ctx.strokeStyle = line.c === CO2_FLOOR_C ? '#e0e0e0' : '#ff8a65';
      ctx.beginPath();
      ctx.moveTo(u.bbox.left, y);
      ctx.lineTo(u.bbox.left + u.bbox.width, y);
      ctx.stroke();
      ctx.fillStyle = ctx.strokeStyle;
      ctx.fillText(line.label, u.bbox.left + u.bbox.width - 4, y - 2);
    }
    ctx.restore();
  }

  /** The server's history, at connect or reconnect. */
  reset(trend: Trend): void {
    this.xs.length = 0;
    this.ys.length = 0;
    for (let i = 0; i < trend.atMs.length; i++) this.add(trend.atMs[i] ?? 0, trend.tipC[i] ?? null);
    this.redraw();
  }

  add(atMs: number, tipC: number | null): void {
    this.xs.push(atMs / 1000);
    this.ys.push(tipC);
    if (this.xs.length > TREND_SAMPLES) {
      this.xs.shift();
      this.ys.shift();
    }
  }

  redraw(): void {
    this.plot.setData([this.xs, this.ys]);
  }

  resize(): void {
    this.plot.setSize({ width: Math.max(100, this.container.clientWidth), height: Math.max(80, this.container.clientHeight) });
  }
}
