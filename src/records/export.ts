// CSV and JSON exports of a treatment record: pure functions of a TreatmentRecord. CSV follows
// RFC 4180 (CRLF line ends, a field with a comma, quote, CR or LF quoted, quotes doubled). A CSV
// file holds one table, so the samples, the cycles and the events are three exports
// (`cryo records export ID --csv --table samples|cycles|events`, docs/records-cli.md): each is a
// plain CSV every spreadsheet and analysis tool reads without splitting sections.
import type { CycleRow, EventRow, SampleRow, TreatmentRecord } from './types.js';

export type CsvTable = 'samples' | 'cycles' | 'events';
export const CSV_TABLES: readonly CsvTable[] = ['samples', 'cycles', 'events'];

const CSV_LINE_END = '\r\n';
const NEEDS_QUOTES = /[",\r\n]/;
/** A text cell starting with one of these is read as a formula by spreadsheets (CSV injection):
 * such a cell is prefixed with an apostrophe. Numbers are never altered. */
const FORMULA_START = /^[=+\-@\t\r]/;

export type CsvCell = string | number | boolean | null;

/** One CSV field: null is empty, booleans are 1/0, numbers in full precision, text quoted as needed. */
export function csvField(cell: CsvCell): string {
  if (cell === null) return '';
  if (typeof cell === 'boolean') return cell ? '1' : '0';
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : '';
  const text = FORMULA_START.test(cell) ? `'${cell}` : cell;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(cells: readonly CsvCell[]): string {
  return cells.map(csvField).join(',') + CSV_LINE_END;
}

/** How many tip channels the samples carry (the widest sample decides). */
export function tipChannelCount(samples: readonly SampleRow[]): number {
  return samples.reduce((n, s) => Math.max(n, s.tipC.length), 0);
}

export const SAMPLE_FIXED_COLUMNS = ['tMs', 'phase'] as const;
export const SAMPLE_TAIL_COLUMNS = ['supplyBarGauge', 'returnBarAbs', 'supplyValveOpen', 'safetyValveOpen'] as const;

/** `tip0C`, `tip1C`, ...: channel 0 is the control channel. */
export function tipColumn(channel: number): string {
  return `tip${channel}C`;
}

export function samplesCsv(record: TreatmentRecord): string {
  const channels = tipChannelCount(record.samples);
  const header = [...SAMPLE_FIXED_COLUMNS, ...Array.from({ length: channels }, (_, i) => tipColumn(i)), ...SAMPLE_TAIL_COLUMNS];
  const rows = record.samples.map((s) => {
    const tips = Array.from({ length: channels }, (_, i) => s.tipC[i] ?? null);
    return csvLine([s.tMs, s.phase, ...tips, s.supplyBarGauge, s.returnBarAbs, s.supplyValveOpen, s.safetyValveOpen]);
  });
  return csvLine(header) + rows.join('');
}

const CYCLE_FIGURE_COLUMNS = ['index', 'freezeS', 'thawS', 'minTipC', 'secondsToMinus50C', 'belowMinus20S', 'belowMinus40S'] as const satisfies readonly (keyof CycleRow)[];
/** The freeze's efficacy verdict (issue 11), empty cells when the cycle has none: estimated
 * r(-20 C) at the freeze's end and its target in mm, effective 1/0. */
const CYCLE_VERDICT_COLUMNS = ['r20MmAtEnd', 'r20TargetMm', 'effective'] as const;
export const CYCLE_COLUMNS = [...CYCLE_FIGURE_COLUMNS, ...CYCLE_VERDICT_COLUMNS] as const;

export function cyclesCsv(record: TreatmentRecord): string {
  const line = (c: CycleRow): string => csvLine([...CYCLE_FIGURE_COLUMNS.map((k) => c[k]), c.verdict?.r20MmAtEnd ?? null, c.verdict?.targetMm ?? null, c.verdict?.effective ?? null]);
  return csvLine(CYCLE_COLUMNS) + record.cycles.map(line).join('');
}

/** The event's detail as one JSON text cell (quoted: it has commas and quotes). */
export const EVENT_COLUMNS = ['tMs', 'kind', 'detailJson'] as const;

export function eventsCsv(record: TreatmentRecord): string {
  const line = (e: EventRow): string => csvLine([e.tMs, e.kind, JSON.stringify(e.detail)]);
  return csvLine(EVENT_COLUMNS) + record.events.map(line).join('');
}

export function recordCsv(record: TreatmentRecord, table: CsvTable): string {
  switch (table) {
    case 'samples':
      return samplesCsv(record);
    case 'cycles':
      return cyclesCsv(record);
    case 'events':
      return eventsCsv(record);
  }
}

/** The whole record as it was read, two-space indented. */
export function recordJson(record: TreatmentRecord): string {
  return `${JSON.stringify(record, null, 2)}\n`;
}
