// The HTML report of `cryo hil run --report DIR`: an index of every scenario with its verdict, and
// one self-contained page per scenario (inline CSS and SVG, no script, nothing fetched) with its
// failures, freezes, trips, alarms and plots over time of the tip, the pressures, the valves, the
// phase, the alarms and the ice-ball radii (true and estimated, with the target) where the run
// carries them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ATMOSPHERIC_PRESSURE_BAR } from '../../../kernel/units.js';
import type { AlarmPriority, Phase } from '../../controller/types.js';
import { PHASES } from '../../controller/types.js';
import type { ScenarioReport } from './execute.js';
import type { IceBallRadii } from '../fuzz/invariants.js';
import type { TraceRow } from './trace.js';
import type { BandLane, LineSeries } from './svg.js';
import { bandPlot, escapeXml, linePlot } from './svg.js';

const STYLE = `body{font:14px system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
.pass{color:#176b2c;font-weight:bold}.fail{color:#b00020;font-weight:bold}figure{margin:12px 0}figcaption{font-weight:bold;margin-bottom:4px}pre{white-space:pre-wrap}`;
const PHASE_COLORS: Record<Phase, string> = { Idle: '#ddd', SelfTest: '#c7b8ea', Ready: '#a8d5e2', Freezing: '#2f6fd6', Thawing: '#f2a65a', Complete: '#5cb85c', Stopped: '#999', Fault: '#d9534f' };
const PRIORITY_COLORS: Record<AlarmPriority, string> = { high: '#d9534f', medium: '#f0ad4e', low: '#5bc0de' };

function page(title: string, body: string): string {
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>\n`;
}

/** Page file names: the scenario's name, numbered when two files share one. */
export function pageNames(reports: readonly ScenarioReport[]): string[] {
  const seen = new Map<string, number>();
  return reports.map((r) => {
    const count = seen.get(r.name) ?? 0;
    seen.set(r.name, count + 1);
    return `${r.name}${count === 0 ? '' : `-${count + 1}`}.html`;
  });
}

const verdict = (r: ScenarioReport): string => (r.passed ? '<span class="pass">PASS</span>' : '<span class="fail">FAIL</span>');

export function indexPage(reports: readonly ScenarioReport[], pages: readonly string[]): string {
  const failed = reports.filter((r) => !r.passed).length;
  const rows = reports.map((r, i) => {
    const trips = r.run?.trips.map((t) => `${t.id} ${t.atS} s`).join(', ') ?? '';
    return `<tr><td><a href="${escapeXml(pages[i] ?? '')}">${escapeXml(r.name)}</a></td><td>${verdict(r)}</td><td>${escapeXml(r.run?.outcome ?? 'not run')}</td><td>${escapeXml(trips)}</td><td>${r.run === null ? '' : (r.run.simulatedMs / 1000).toFixed(1)}</td><td>${escapeXml(r.failures[0] ?? '')}</td></tr>`;
  });
  return page(
    'cryo hil run',
    `<h1>HIL scenarios: ${reports.length - failed} passed, ${failed} failed</h1><table><tr><th>scenario</th><th>verdict</th><th>outcome</th><th>trips</th><th>simulated s</th><th>first failure</th></tr>${rows.join('')}</table>`,
  );
}

function spansOf<T>(trace: readonly TraceRow[], endMs: number, valueOf: (r: TraceRow) => T): { from: number; to: number; value: T }[] {
  const spans: { from: number; to: number; value: T }[] = [];
  for (const row of trace) {
    const value = valueOf(row);
    const last = spans.at(-1);
    if (last !== undefined && last.value === value) continue;
    if (last !== undefined) last.to = row.tMs;
    spans.push({ from: row.tMs, to: endMs, value });
  }
  return spans;
}

const pts = (trace: readonly TraceRow[], f: (r: TraceRow) => number | null): [number, number | null][] => trace.map((r) => [r.tMs, f(r)]);

/** Seven legend rows (16 px each) fit beside the plot. */
const RADII_PLOT_HEIGHT_PX = 260;

/** The plant's true radii (solid), the controller's estimate (dashed, same colour per isotherm) and
 * the target r(-20 C) the freezes are judged against (a horizontal line). */
function radiiSeries(t: readonly TraceRow[], endMs: number, targetMm: number): LineSeries[] {
  const isotherms = [
    { name: 'r(0 C)', color: '#6aa0f0', of: (r: IceBallRadii): number => r.r0Mm },
    { name: 'r(-20 C)', color: '#2f6fd6', of: (r: IceBallRadii): number => r.r20Mm },
    { name: 'r(-40 C)', color: '#1a3c80', of: (r: IceBallRadii): number => r.r40Mm },
  ];
  return [
    ...isotherms.map((i) => ({ label: `${i.name} true`, color: i.color, points: pts(t, (r) => (r.iceBall === null ? null : i.of(r.iceBall))) })),
    ...isotherms.map((i) => ({ label: `${i.name} estimate`, color: i.color, dashed: true, points: pts(t, (r) => (r.iceBallEstimate === null ? null : i.of(r.iceBallEstimate))) })),
    { label: `target r(-20 C) ${targetMm} mm`, color: '#d9534f', points: [[0, targetMm], [endMs, targetMm]] },
  ];
}

function plots(report: ScenarioReport): string {
  const run = report.run;
  if (run === null || run.trace.length === 0) return '<p>No trace: the scenario did not run.</p>';
  const t = run.trace;
  const endMs = Math.max(run.simulatedMs, t.at(-1)?.tMs ?? 0);
  const tip: LineSeries[] = [
    { label: 'tip true', color: '#2f6fd6', points: pts(t, (r) => r.tipTrueC) },
    { label: 'tip read', color: '#d9534f', points: pts(t, (r) => r.tipReadC), dashed: true },
  ];
  const pressures: LineSeries[] = [
    { label: 'supply true', color: '#2f6fd6', points: pts(t, (r) => r.supplyTrueBarAbs) },
    { label: 'supply read', color: '#6aa0f0', points: pts(t, (r) => (r.supplyReadBarGauge === null ? null : r.supplyReadBarGauge + ATMOSPHERIC_PRESSURE_BAR)), dashed: true },
    { label: 'return true', color: '#8a4f00', points: pts(t, (r) => r.returnTrueBarAbs) },
    { label: 'return read', color: '#e0a050', points: pts(t, (r) => r.returnReadBarAbs), dashed: true },
  ];
  const valveLane = (label: string, f: (r: TraceRow) => boolean, color: string): BandLane => ({
    label,
    spans: spansOf(t, endMs, f).filter((s) => s.value).map((s) => ({ fromMs: s.from, toMs: s.to, color, title: `${label} open ${s.from / 1000}-${s.to / 1000} s` })),
  });
  const valves = [
    valveLane('supply commanded', (r) => r.supplyCommanded, '#6aa0f0'),
    valveLane('supply seat', (r) => r.supplySeatOpen, '#2f6fd6'),
    valveLane('safety commanded', (r) => r.safetyCommanded, '#f0b070'),
    valveLane('safety seat', (r) => r.safetySeatOpen, '#c06000'),
  ];
  const phase: BandLane = { label: 'phase', spans: spansOf(t, endMs, (r) => r.phase).map((s) => ({ fromMs: s.from, toMs: s.to, color: PHASE_COLORS[s.value], title: `${s.value} ${s.from / 1000}-${s.to / 1000} s` })) };
  const alarmLanes: BandLane[] = [
    { label: 'highest alarm', spans: spansOf(t, endMs, (r) => r.alarm).filter((s) => s.value !== null).map((s) => ({ fromMs: s.from, toMs: s.to, color: PRIORITY_COLORS[s.value ?? 'low'], title: `${s.value ?? ''} ${s.from / 1000}-${s.to / 1000} s` })) },
    ...run.alarms.map((a) => ({ label: a.id, spans: [{ fromMs: a.startMs, toMs: a.endMs ?? endMs, color: PRIORITY_COLORS[a.priority], title: `${a.id} (${a.priority}): ${a.detail}` }] })),
  ];
  const radii = t.some((r) => r.iceBall !== null || r.iceBallEstimate !== null)
    ? linePlot('Ice-ball radii from the probe axis', 'mm', endMs, radiiSeries(t, endMs, run.targetRadiusMm), RADII_PLOT_HEIGHT_PX)
    : '<p>Ice-ball radii: not available in this run (neither the plant nor the controller carries any).</p>';
  const phaseOrder = [...PHASES].map((p) => `<span style="background:${PHASE_COLORS[p]};padding:0 6px;margin-right:4px">${p}</span>`).join('');
  return [
    linePlot('Tip temperature', 'C', endMs, tip),
    linePlot('Pressures', 'bar abs', endMs, pressures),
    bandPlot('Valves (open spans)', endMs, valves),
    bandPlot('Phase', endMs, [phase]),
    `<p>${phaseOrder}</p>`,
    bandPlot('Alarms', endMs, alarmLanes),
    radii,
  ].join('\n');
}

function summary(report: ScenarioReport): string {
  const run = report.run;
  if (run === null) return '';
  const f = (x: number | null | undefined): string => (x === null || x === undefined || Number.isNaN(x) ? '-' : String(x));
  const freezes = run.freezes.map((c) => `<tr><td>${c.index}</td><td>${c.freezeS}</td><td>${c.thawS}</td><td>${f(c.minTipC)}</td><td>${f(c.secondsToMinus50C)}</td><td>${f(c.r20MmAtEnd)}</td><td>${f(c.r20TrueMmAtEnd)}</td></tr>`);
  const trips = run.trips.map((x) => `<tr><td>${x.id}</td><td>${x.atS}</td><td>${f(x.valvesClosedAtS)}</td></tr>`);
  const advisories = run.advisories.map((a) => `<tr><td>${a.id}</td><td>${a.atS}</td><td>${a.cycle}</td></tr>`);
  return `<table><tr><th>outcome</th><td>${run.outcome} (final phase ${run.finalPhase})</td></tr><tr><th>coldest true tip</th><td>${run.minTipTrueC.toFixed(2)} C</td></tr>
<tr><th>safe to withdraw at</th><td>${run.safeToWithdrawAtS === null ? 'never' : `${run.safeToWithdrawAtS} s`}</td></tr><tr><th>simulated</th><td>${(run.simulatedMs / 1000).toFixed(2)} s in ${run.ticks} ticks</td></tr></table>
<h2>Freezes</h2><table><tr><th>#</th><th>freeze s</th><th>thaw s</th><th>min tip read C</th><th>s to -50 C</th><th>r(-20 C) at end, estimate mm</th><th>r(-20 C) at end, true mm</th></tr>${freezes.join('')}</table>
<h2>Trips</h2><table><tr><th>interlock</th><th>at s</th><th>valves commanded closed at s</th></tr>${trips.join('')}</table>
<h2>Advisories</h2><table><tr><th>advisory</th><th>at s</th><th>cycle</th></tr>${advisories.join('')}</table>`;
}

export function scenarioPage(report: ScenarioReport): string {
  const failures = report.failures.length === 0 ? '<p class="pass">Every expectation met and no invariant broken.</p>' : `<pre class="fail">${escapeXml(report.failures.join('\n'))}</pre>`;
  return page(
    report.name,
    `<p><a href="index.html">all scenarios</a></p><h1>${escapeXml(report.name)} ${verdict(report)}</h1><p>${escapeXml(report.description)}</p><p>file: <code>${escapeXml(report.file)}</code></p>${failures}${summary(report)}<h2>Over time</h2>${plots(report)}`,
  );
}

/** Write index.html and one page per scenario into `dir` (created if missing). */
export function writeHtmlReport(dir: string, reports: readonly ScenarioReport[]): void {
  mkdirSync(dir, { recursive: true });
  const pages = pageNames(reports);
  writeFileSync(join(dir, 'index.html'), indexPage(reports, pages));
  reports.forEach((r, i) => { writeFileSync(join(dir, pages[i] ?? `${r.name}.html`), scenarioPage(r)); });
}
