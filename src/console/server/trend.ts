// The tip trend the server keeps (TREND_SAMPLES, Moonraker's 1200) so a page that connects or
// reconnects draws the last two minutes at once. A fixed ring: no growth, no per-sample allocation.
import { TREND_SAMPLES } from '../protocol.js';
import type { Trend } from '../wire.js';

export class TrendRing {
  private readonly atMs = new Float64Array(TREND_SAMPLES);
  /** NaN stands for "no reading" (null on the wire). */
  private readonly tipC = new Float64Array(TREND_SAMPLES);
  private next = 0;
  private count = 0;

  push(atMs: number, tipC: number | null): void {
    this.atMs[this.next] = atMs;
    this.tipC[this.next] = tipC ?? Number.NaN;
    this.next = (this.next + 1) % TREND_SAMPLES;
    this.count = Math.min(this.count + 1, TREND_SAMPLES);
  }

  /** Oldest first, in uPlot's column shape. */
  columns(): Trend {
    const atMs: number[] = [];
    const tipC: (number | null)[] = [];
    const start = (this.next - this.count + TREND_SAMPLES) % TREND_SAMPLES;
    for (let i = 0; i < this.count; i++) {
      const k = (start + i) % TREND_SAMPLES;
      atMs.push(this.atMs[k] ?? 0);
      const c = this.tipC[k] ?? Number.NaN;
      tipC.push(Number.isNaN(c) ? null : c);
    }
    return { atMs, tipC };
  }
}
