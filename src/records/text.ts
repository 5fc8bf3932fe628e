// Plain-text views of the records for `cryo records list`, `show` and `nerves`: fixed-width
// columns, one line per row, wall-clock times in UTC (ISO 8601).
import { fixed } from '../../calibration/html.js';
import { printable } from '../../kernel/printable.js';
import { describeAlarmEvent, ALARM_EVENT_KINDS } from './report.js';
import { recordedSchemaText } from './recorded-schema.js';
import { verdictText } from './verdict.js';
import type { Nerve } from './nerves.js';
import { describeTarget, findNerve } from './nerves.js';
import type { TreatmentRecord, TreatmentSummaryRow, TreatmentTarget } from './types.js';

/** Control characters (a newline, an escape sequence) in a stored text would rewrite the operator's
 * terminal: each is shown as its \u escape instead (kernel/printable.ts, one rule for every view). */
export { printable };

const iso = (epochMs: number): string => new Date(epochMs).toISOString();
const dash = (v: string | null): string => v ?? '-';

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => printable(r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map(printable)
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

const targetText = (t: TreatmentTarget | null): string => (t === null ? '-' : `${t.nerveId}:${t.side}`);

export function formatTreatmentList(rows: readonly TreatmentSummaryRow[]): string {
  if (rows.length === 0) return 'no treatments recorded\n';
  return table(
    ['ID', 'STARTED (UTC)', 'OUTCOME', 'TARGET', 'PROBE', 'CYCLES', 'MIN TIP C'],
    rows.map((r) => [String(r.id), iso(r.startedAtEpochMs), r.outcome ?? 'open', targetText(r.target), dash(r.probeId), String(r.cycles), r.minTipC === null ? '-' : fixed(r.minTipC, 1)]),
  );
}

export function formatTreatment(record: TreatmentRecord): string {
  const { start, end } = record;
  const nerve = start.target === null ? undefined : findNerve(start.target.nerveId);
  const lines = [
    `treatment ${record.id}`,
    `  console      ${start.console.consoleId} (software ${start.console.softwareVersion}, board ${start.console.boardName} sha256 ${start.console.boardSha256})`,
    `  probe        ${dash(start.probe.probeId)}, calibration ${dash(start.probe.calibrationId)} (checksum ${dash(start.probe.calibrationChecksum)})`,
    `  target       ${start.target === null ? '-' : describeTarget(start.target)}`,
    ...(nerve?.motor === true ? [`  WARNING      motor fibres: ${nerve.motorNote}`] : []),
    `  patient ref  ${dash(start.patientRef)}`,
    `  operator     ${dash(start.operatorId)}`,
    `  protocol     ${start.protocol.cycles} x (${start.protocol.freezeS} s freeze, ${start.protocol.thawS} s thaw)`,
    `  started      ${iso(start.startedAtEpochMs)}`,
    `  ended        ${end === null ? 'still open' : iso(end.endedAtEpochMs)}`,
    `  outcome      ${end === null ? 'open' : end.outcome}`,
    ...(end === null ? [] : [`  supply open  ${fixed(end.frozenMs / 1000, 1)} s; samples dropped ${end.samplesDropped}`]),
    `  samples      ${record.samples.length}; events ${record.events.length}`,
    `  seal         ${dash(record.sealSha256)}`,
    `  schema       ${recordedSchemaText(record.schemaVersion)}`,
    '',
  ];
  const cycles =
    record.cycles.length === 0
      ? 'no cycle completed\n'
      : table(
          ['CYCLE', 'FREEZE S', 'THAW S', 'MIN TIP C', 'TO -50 C S', 'BELOW -20 C S', 'BELOW -40 C S', 'R-20 END MM (EST)', 'TARGET MM', 'VERDICT'],
          record.cycles.map((c) => [
            String(c.index),
            fixed(c.freezeS, 1),
            fixed(c.thawS, 1),
            c.minTipC === null ? '-' : fixed(c.minTipC, 1),
            c.secondsToMinus50C === null ? '-' : fixed(c.secondsToMinus50C, 1),
            fixed(c.belowMinus20S, 1),
            fixed(c.belowMinus40S, 1),
            orDash(c.verdict?.r20MmAtEnd ?? null),
            orDash(c.verdict?.targetMm ?? null),
            verdictText(c.verdict),
          ]),
        );
  const alarms = record.events.filter((ev) => ALARM_EVENT_KINDS.includes(ev.kind));
  const log = alarms.length === 0 ? 'no alarm raised\n' : table(['T S', 'EVENT', 'WHAT'], alarms.map((ev) => [fixed(ev.tMs / 1000, 1), ev.kind, describeAlarmEvent(ev)]));
  return `${lines.map(printable).join('\n')}\n${cycles}\nalarm log\n${log}`;
}

/** One decimal, or `-` for none. */
const orDash = (v: number | null): string => (v === null ? '-' : fixed(v, 1));

export function formatNerves(nerves: readonly Nerve[]): string {
  return table(
    ['ID', 'MOTOR', 'NAME', 'TERRITORY'],
    nerves.map((n) => [n.id, n.motor ? 'yes' : 'no', n.name, n.territory]),
  );
}
