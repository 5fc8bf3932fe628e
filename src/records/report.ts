// The printable treatment report (`cryo records report ID --out FILE.html`): one self-contained
// HTML page (inline CSS and SVG, no scripts, no external resources) for the clinic's file. Every
// text from the record is escaped. A pure function of the record.
import { escapeHtml, fixed } from '../../calibration/html.js';
import { findNerve } from './nerves.js';
import { treatmentPlotSvg } from './report-plot.js';
import { recordedSchemaText } from './recorded-schema.js';
import { verdictText } from './verdict.js';
import type { EventRow, TreatmentRecord } from './types.js';

/** The alarm log: the kinds of event an auditor reads for alarms (src/records/types.ts EventRow). */
export const ALARM_EVENT_KINDS: readonly string[] = ['trip', 'cleared', 'acknowledge', 'alarm-reset', 'audio-pause'];

const STYLE = `
body { font-family: sans-serif; max-width: 52rem; margin: 2rem auto; color: #000; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #999; padding: 0.2rem 0.5rem; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.warning { border: 3px solid #c01c28; color: #c01c28; font-weight: bold; padding: 0.5rem 1rem; }
.legend span { display: inline-block; padding: 0 0.5rem; margin-right: 0.3rem; border: 1px solid #999; }
code { word-break: break-all; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } svg, table { break-inside: avoid; } }`;

/** Header rows holding ids and hashes, set in a monospace font that wraps anywhere. */
const CODE_ROWS: readonly string[] = ['Console', 'Board', 'Calibration record', 'Settings (sha256)'];
const e = escapeHtml;
const iso = (epochMs: number): string => new Date(epochMs).toISOString();
const orNone = (v: string | null, none = 'not recorded'): string => v ?? none;
const num = (v: number | null, decimals: number): string => (v === null ? '&ndash;' : fixed(v, decimals));

function targetRows(record: TreatmentRecord): [string, string][] {
  const target = record.start.target;
  if (target === null) return [['Target nerve', 'not recorded']];
  const nerve = findNerve(target.nerveId);
  if (nerve === undefined) return [['Target nerve', `${target.nerveId} (not in this software's catalog), ${target.side}`]];
  return [
    ['Target nerve', `${nerve.name}, ${target.side}`],
    ['Territory', nerve.territory],
    ['Motor fibres', nerve.motor ? `yes: ${nerve.motorNote}` : `no: ${nerve.motorNote}`],
  ];
}

function motorWarning(record: TreatmentRecord): string {
  const target = record.start.target;
  const nerve = target === null ? undefined : findNerve(target.nerveId);
  if (nerve?.motor !== true) return '';
  return `<p class="warning">WARNING: the target nerve carries motor fibres (${e(nerve.motorNote)}). Check motor function after the treatment.</p>\n`;
}

function headerRows(record: TreatmentRecord): [string, string][] {
  const { start, end } = record;
  const { probe, console: c, protocol } = start;
  return [
    ['Treatment', String(record.id)],
    ['Console', c.consoleId],
    ['Software version', c.softwareVersion],
    ['Board', `${c.boardName} (sha256 ${c.boardSha256})`],
    ['Probe', orNone(probe.probeId)],
    ['Calibration record', probe.calibrationId === null ? 'none' : `${probe.calibrationId} (checksum ${orNone(probe.calibrationChecksum)})`],
    ...targetRows(record),
    ['Patient reference', orNone(start.patientRef)],
    ['Operator', orNone(start.operatorId)],
    ['Protocol', `${protocol.cycles} cycle(s) of ${protocol.freezeS} s freeze, ${protocol.thawS} s thaw`],
    ['Settings (sha256)', start.settingsSha256],
    ['Started', iso(start.startedAtEpochMs)],
    ['Ended', end === null ? 'still open' : iso(end.endedAtEpochMs)],
    ['Outcome', end === null ? 'open (no outcome yet)' : end.outcome],
    ['Supply open, total', end === null ? 'unknown' : `${fixed(end.frozenMs / 1000, 1)} s`],
    ['Samples dropped', end === null ? 'unknown' : String(end.samplesDropped)],
    ['Records schema', recordedSchemaText(record.schemaVersion)],
  ];
}

function cyclesTable(record: TreatmentRecord): string {
  if (record.cycles.length === 0) return '<p>No cycle was completed.</p>';
  const rows = record.cycles.map(
    (c) =>
      `<tr><td class="num">${c.index}</td><td class="num">${fixed(c.freezeS, 1)}</td><td class="num">${fixed(c.thawS, 1)}</td><td class="num">${num(c.minTipC, 1)}</td>` +
      `<td class="num">${num(c.secondsToMinus50C, 1)}</td><td class="num">${fixed(c.belowMinus20S, 1)}</td><td class="num">${fixed(c.belowMinus40S, 1)}</td>` +
      `<td class="num">${num(c.verdict?.r20MmAtEnd ?? null, 1)}</td><td class="num">${num(c.verdict?.targetMm ?? null, 1)}</td><td>${verdictText(c.verdict)}</td></tr>`,
  );
  return `<table class="cycles">
<tr><th>Cycle</th><th>Freeze, s</th><th>Thaw, s</th><th>Min tip, C</th><th>To -50 C, s</th><th>Below -20 C, s</th><th>Below -40 C, s</th><th>r(-20 C) at end, mm*</th><th>Target, mm</th><th>Verdict</th></tr>
${rows.join('\n')}
</table>
<p class="note">* Estimated by the console's tissue model from the measured tip temperature (a model of nominal tissue, not a measurement): the distance from the probe axis inside which the tissue is modelled below -20 C when the freeze ended. A freeze is judged effective when it reached the target.</p>`;
}

/** One line of the alarm log's "what" column: the interlock and its texts for a trip, else the detail's fields. */
export function describeAlarmEvent(event: EventRow): string {
  const d = event.detail;
  const str = (k: string): string => (typeof d[k] === 'string' || typeof d[k] === 'number' ? String(d[k]) : JSON.stringify(d[k] ?? null));
  if (event.kind === 'trip') return `${str('id')} (${str('priority')}${d.latched === true ? ', latched' : ''}): ${str('detail')}. ${str('hint')}`;
  const shown = Object.entries(d).filter(([k]) => k !== 'kind' && k !== 'atMs');
  return shown.map(([k, v]) => `${k} ${typeof v === 'string' ? v : JSON.stringify(v)}`).join('; ');
}

function alarmLog(record: TreatmentRecord): string {
  const alarms = record.events.filter((ev) => ALARM_EVENT_KINDS.includes(ev.kind));
  if (alarms.length === 0) return '<p>No alarm was raised.</p>';
  const rows = alarms.map(
    (ev) => `<tr><td class="num">${fixed(ev.tMs / 1000, 1)}</td><td>${e(iso(record.start.startedAtEpochMs + ev.tMs))}</td><td>${e(ev.kind)}</td><td>${e(describeAlarmEvent(ev))}</td></tr>`,
  );
  return `<table class="alarms">
<tr><th>t, s</th><th>Time (UTC)</th><th>Event</th><th>What</th></tr>
${rows.join('\n')}
</table>`;
}

const LEGEND = `<p class="legend">Phases: <span style="background:#eeeeee">self-test, ready</span><span style="background:#d6e6fb">freezing</span><span style="background:#fbe8d0">thawing</span><span style="background:#ddf0d8">complete</span><span style="background:#f2bcbc">stopped, fault</span>
Dashed lines: -20 C, -40 C and the CO2 floor at one atmosphere.</p>`;

export function reportHtml(record: TreatmentRecord): string {
  const rows = headerRows(record)
    .map(([k, v]) => `<tr><th>${e(k)}</th><td>${CODE_ROWS.includes(k) ? `<code>${e(v)}</code>` : e(v)}</td></tr>`)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Treatment report ${record.id}</title>
<style>${STYLE}
</style>
</head>
<body>
<h1>Cryoneurolysis treatment report</h1>
${motorWarning(record)}<table class="details">
${rows}
</table>
<h2>Tip temperature and pressures</h2>
${LEGEND}
${treatmentPlotSvg(record.samples)}
<h2>Cycles</h2>
${cyclesTable(record)}
<h2>Alarm log</h2>
${alarmLog(record)}
<h2>Record seal</h2>
<p>${record.sealSha256 === null ? 'Not sealed: the treatment is still open.' : `sha256 <code>${e(record.sealSha256)}</code>, chained to the previous treatment's; check with <code>cryo records verify</code>.`}</p>
</body>
</html>
`;
}
