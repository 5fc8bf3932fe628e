// Plain-text views of fits and records for the terminal (`cryo calibration ...`).
import type { CalibrationFit, CalibrationPoint } from './fit.js';
import { printable } from '../kernel/printable.js';
import { fixed } from './html.js';
import { recordFingerprint } from './record.js';
import type { CalibrationRecord } from './record.js';
import type { CalibrationListEntry } from './store.js';

/** The setting the live ice-ball estimate models the probe with when its record states no OD. */
export const PROBE_OD_SETTING = 'iceBall.probeOdMm';
/** What a record without probeOdMm means, wherever a record is shown. */
export const PROBE_OD_FALLBACK = `the ice-ball estimate uses the setting ${PROBE_OD_SETTING}`;
export const PROBE_OD_NOT_RECORDED = `probe OD not recorded: ${PROBE_OD_FALLBACK}`;

/**
 * A probe OD in mm for display: two decimals (`0.40`), or every digit the record holds when two
 * would round it (`0.413`): a certificate must not show a diameter other than the one recorded.
 */
export function probeOdMmText(probeOdMm: number): string {
  const text = fixed(probeOdMm, 2);
  return Number(text) === probeOdMm ? text : String(probeOdMm);
}

/** `probe OD 0.40 mm`, or that the record has none and the estimate uses the setting. */
export function probeOdLine(probeOdMm: number | null | undefined): string {
  return probeOdMm === undefined || probeOdMm === null ? PROBE_OD_NOT_RECORDED : `probe OD ${probeOdMmText(probeOdMm)} mm`;
}

export function formatFit(points: readonly CalibrationPoint[], fit: CalibrationFit): string {
  const lines = [`calibrated = ${fixed(fit.gain, 6)} x raw ${signedTerm(fit.offsetC, 4)} C`, '  reference C     raw C  residual C'];
  points.forEach((p, i) => lines.push(`  ${pad(fixed(p.referenceC, 3), 11)} ${pad(fixed(p.rawC, 3), 9)} ${pad(fixed(fit.residualsC[i] ?? NaN, 4), 11)}`));
  lines.push(`  largest residual ${fixed(fit.maxResidualC, 4)} C`);
  lines.push(fit.accepted ? 'accepted' : `REJECTED:\n${fit.rejectionReasons.map((r) => `  - ${r}`).join('\n')}`);
  return `${lines.join('\n')}\n`;
}

export function formatList(entries: readonly CalibrationListEntry[], dir: string): string {
  if (entries.length === 0) return `no calibrations in ${dir}\n`;
  // A file that is not a valid record is listed by its name, which anyone who can write the folder
  // chose: its control characters are escaped (kernel/printable.ts), as in the reason.
  const rows = entries.map((entry) =>
    'reason' in entry
      ? [printable(entry.probeId), '-', '-', '-', '-', printable(`${entry.status}: ${entry.reason}`)]
      : [entry.probeId, entry.record.thermocoupleType, odCell(entry.record.probeOdMm), entry.record.calibratedAt, entry.record.expiresAt, entry.status],
  );
  const unstated = entries.some((entry) => 'record' in entry && entry.record.probeOdMm === undefined);
  const note = unstated ? `${OD_NOT_RECORDED_CELL}: ${PROBE_OD_NOT_RECORDED}\n` : '';
  return table([['probe', 'type', 'OD mm', 'calibrated at', 'expires', 'status'], ...rows]) + note;
}

/** The list's OD cell of a record without probeOdMm, explained under the table. */
const OD_NOT_RECORDED_CELL = 'none';
const odCell = (probeOdMm: number | undefined): string => (probeOdMm === undefined ? OD_NOT_RECORDED_CELL : probeOdMmText(probeOdMm));

export function formatRecord(record: CalibrationRecord, status: string): string {
  const lines = [
    `probe ${record.probeId}: Type ${record.thermocoupleType}, ${status}`,
    `  calibrated at ${record.calibratedAt} by ${record.calibratedBy}; expires ${record.expiresAt}`,
    `  reference thermometer ${record.referenceThermometerId ?? 'none'}; software ${record.softwareVersion}`,
    `  ${probeOdLine(record.probeOdMm)}`,
    `  calibrated = ${fixed(record.fit.gain, 6)} x raw ${signedTerm(record.fit.offsetC, 4)} C; largest residual ${fixed(record.fit.maxResidualC, 4)} C`,
    ...record.points.map((p) => `  ${pad(p.bath, 15)} reference ${fixed(p.referenceC, 3)} C, raw ${fixed(p.rawC, 3)} C, residual ${fixed(p.residualC, 4)} C`),
    `  fingerprint (sha256) ${recordFingerprint(record)}`,
  ];
  return `${lines.join('\n')}\n`;
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, col) => cell.padEnd(widths[col] ?? 0)).join('  ').trimEnd()).join('\n') + '\n';
}

const pad = (text: string, width: number): string => text.padStart(width);

/**
 * `+ 0.0081` or `- 0.0081`: a term added to the line, its sign as the operator. A value that
 * rounds to zero prints `+ 0.0000`, never `- 0.0000`.
 */
function signedTerm(value: number, decimals: number): string {
  const text = fixed(value, decimals);
  const negative = text.startsWith('-') && !/^-0(\.0*)?$/.test(text);
  return negative ? `- ${text.slice(1)}` : `+ ${text.replace(/^-/, '')}`;
}
