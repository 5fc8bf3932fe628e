// Plain-text views of fits and records for the terminal (`cryo calibration ...`).
import type { CalibrationFit, CalibrationPoint } from './fit.js';
import { printable } from '../kernel/printable.js';
import { fixed } from './html.js';
import { recordFingerprint } from './record.js';
import type { CalibrationRecord } from './record.js';
import type { CalibrationListEntry } from './store.js';

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
      ? [printable(entry.probeId), '-', '-', '-', printable(`${entry.status}: ${entry.reason}`)]
      : [entry.probeId, entry.record.thermocoupleType, entry.record.calibratedAt, entry.record.expiresAt, entry.status],
  );
  return table([['probe', 'type', 'calibrated at', 'expires', 'status'], ...rows]);
}

export function formatRecord(record: CalibrationRecord, status: string): string {
  const lines = [
    `probe ${record.probeId}: Type ${record.thermocoupleType}, ${status}`,
    `  calibrated at ${record.calibratedAt} by ${record.calibratedBy}; expires ${record.expiresAt}`,
    `  reference thermometer ${record.referenceThermometerId ?? 'none'}; software ${record.softwareVersion}`,
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
