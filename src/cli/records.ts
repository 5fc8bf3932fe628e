// `cryo records`: list, show, export (CSV, JSON, FHIR R4), report and verify the treatment records,
// and print the nerve catalog. The store is opened read-only through an injectable opener
// (records-opener.ts) and closed after every verb. Bad arguments are usage errors (exit 2) naming
// the option and value, checked before the store is opened; a broken hash chain exits EXIT_DATA.
import type { Command } from 'commander';
import { defaultDataDir } from '../../calibration/store.js';
import { CSV_TABLES, recordCsv, recordJson } from '../records/export.js';
import type { CsvTable } from '../records/export.js';
import { fhirJson } from '../records/fhir.js';
import { NERVES } from '../records/nerves.js';
import { reportHtml } from '../records/report.js';
import { formatNerves, formatTreatment, formatTreatmentList } from '../records/text.js';
import type { RecordsReader, TreatmentRecord, VerifiedRecords } from '../records/types.js';
import { ConsoleError, EXIT_DATA, EXIT_SYSTEM, UsageError } from './errors.js';
import { writeOutFile } from './out-file.js';
import { parseInteger } from './options.js';
import { SCHEMA_VERSION } from '../records/migrations.js';
import { defaultOpener, defaultVerifier } from './records-opener.js';
import type { RecordsOpener, RecordsVerifier } from './records-opener.js';
import type { CliIo } from './simulate.js';

/** `list` without --limit shows the newest this many: a screenful or two, not years of records. */
export const DEFAULT_LIST_LIMIT = 50;
/** The most --limit accepts: bounds what one command reads into memory. */
export const MAX_LIST_LIMIT = 100_000;
/** A treatment id is a positive whole number (SQLite rowid), at most 2^53 - 1 to stay exact. */
const TREATMENT_ID = /^[1-9][0-9]{0,15}$/;

interface StoreFlags {
  dataDir?: string;
  json?: boolean;
}
interface ListFlags extends StoreFlags {
  limit?: string;
}
interface ExportFlags extends StoreFlags {
  csv?: boolean;
  fhir?: boolean;
  table?: string;
  out?: string;
}
interface ReportFlags extends StoreFlags {
  out: string;
}

export function parseTreatmentId(text: string): number {
  const id = TREATMENT_ID.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(id)) throw new UsageError(`ID: '${text.slice(0, 40)}' is not a treatment id (a whole number from 1, as cryo records list shows)`);
  return id;
}

export type ExportFormat = 'csv' | 'json' | 'fhir';

/** Exactly one of --csv, --json, --fhir; --table only with --csv. */
export function exportFormat(flags: ExportFlags): { format: ExportFormat; table: CsvTable } {
  const given = (['csv', 'json', 'fhir'] as const).filter((f) => flags[f] === true);
  const [format] = given;
  if (format === undefined) throw new UsageError('export: give a format: one of --csv, --json or --fhir');
  if (given.length > 1) throw new UsageError(`export: ${given.map((f) => `--${f}`).join(' and ')} given: give exactly one format`);
  const table = flags.table ?? 'samples';
  if (flags.table !== undefined && format !== 'csv') throw new UsageError(`--table: '${flags.table}' applies to --csv only`);
  if (!(CSV_TABLES as readonly string[]).includes(table)) throw new UsageError(`--table: '${table}' is not one of ${CSV_TABLES.join(', ')}`);
  return { format, table: table as CsvTable };
}

/** Opens the records, runs `use` and closes them whatever happens. */
async function withReader<T>(open: RecordsOpener, dataDir: string, use: (reader: RecordsReader) => T): Promise<T> {
  let reader: RecordsReader;
  try {
    reader = await open(dataDir);
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConsoleError) throw err;
    throw new ConsoleError(`records: cannot open the treatment records in ${dataDir}: ${err instanceof Error ? err.message : String(err)}`, EXIT_SYSTEM);
  }
  try {
    return use(reader);
  } finally {
    reader.close();
  }
}

function recordOrRefuse(reader: RecordsReader, id: number, dataDir: string): TreatmentRecord {
  const record = reader.get(id);
  if (record === null) throw new UsageError(`ID: no treatment ${id} in the records of ${dataDir} (cryo records list shows them)`);
  return record;
}

function exportText(record: TreatmentRecord, format: ExportFormat, table: CsvTable): string {
  switch (format) {
    case 'csv':
      return recordCsv(record, table);
    case 'json':
      return recordJson(record);
    case 'fhir':
      return fhirJson(record);
  }
}

/** `show --json`: the record without its samples (export --json has them), with their count, then
 * the recorded schema version (null: none, begun before schema 4) last, so no earlier field moves. */
function showJson(record: TreatmentRecord): string {
  const { samples, schemaVersion, ...rest } = record;
  return `${JSON.stringify({ ...rest, sampleCount: samples.length, schemaVersion }, null, 2)}\n`;
}

/** What verify says of a file older software wrote (empty for the current schema). */
function schemaNote(schemaVersion: number): string {
  return schemaVersion < SCHEMA_VERSION ? ` (schema version ${schemaVersion}, older than this software's ${SCHEMA_VERSION}: checked as it is, read-only; not migrated)` : '';
}

export function registerRecords(
  program: Command,
  io: CliIo,
  setResult: (code: number) => void,
  openReader: RecordsOpener = defaultOpener,
  verifyRecords: RecordsVerifier = defaultVerifier,
): void {
  const dataDirOf = (flags: StoreFlags): string => flags.dataDir ?? defaultDataDir(process.env);
  const dataDirHelp = 'data directory (default: $CRYO_DATA_DIR or ./data)';
  const records = program.command('records').description('treatment records: list, show, export, report, verify; the nerve catalog');

  records
    .command('list')
    .description('the newest treatments, newest first')
    .option('--json', 'print a JSON array')
    .option('--limit <n>', `how many (default ${DEFAULT_LIST_LIMIT}, at most ${MAX_LIST_LIMIT})`)
    .option('--data-dir <dir>', dataDirHelp)
    .action(async (flags: ListFlags) => {
      const limit = flags.limit === undefined ? DEFAULT_LIST_LIMIT : parseInteger('--limit', flags.limit, 1, MAX_LIST_LIMIT);
      const rows = await withReader(openReader, dataDirOf(flags), (r) => r.list(limit));
      io.stdout(flags.json === true ? `${JSON.stringify(rows, null, 2)}\n` : formatTreatmentList(rows));
      setResult(0);
    });

  records
    .command('show')
    .description('one treatment: console, probe, target, outcome, cycles and alarm log')
    .argument('<ID>', 'treatment id')
    .option('--json', 'print the record (without its samples) as JSON')
    .option('--data-dir <dir>', dataDirHelp)
    .action(async (idText: string, flags: StoreFlags) => {
      const id = parseTreatmentId(idText);
      const dataDir = dataDirOf(flags);
      const record = await withReader(openReader, dataDir, (r) => recordOrRefuse(r, id, dataDir));
      io.stdout(flags.json === true ? showJson(record) : formatTreatment(record));
      setResult(0);
    });

  records
    .command('export')
    .description('one treatment as CSV, JSON or an HL7 FHIR R4 Bundle, to stdout or --out')
    .argument('<ID>', 'treatment id')
    .option('--csv', 'CSV of one table (--table)')
    .option('--json', 'the whole record as JSON')
    .option('--fhir', 'an HL7 FHIR R4 Bundle (Procedure, Devices, an Observation per cycle)')
    .option('--table <table>', `with --csv: ${CSV_TABLES.join(', ')} (default samples)`)
    .option('--out <file>', 'file to write (default: stdout)')
    .option('--data-dir <dir>', dataDirHelp)
    .action(async (idText: string, flags: ExportFlags) => {
      const id = parseTreatmentId(idText);
      const { format, table } = exportFormat(flags);
      const dataDir = dataDirOf(flags);
      const record = await withReader(openReader, dataDir, (r) => recordOrRefuse(r, id, dataDir));
      const text = exportText(record, format, table);
      if (flags.out === undefined) io.stdout(text);
      else {
        writeOutFile(flags.out, text, dataDir);
        io.stderr(`cryo: treatment ${id} exported as ${format}${format === 'csv' ? ` (${table})` : ''} to ${flags.out}\n`);
      }
      setResult(0);
    });

  records
    .command('report')
    .description('write a printable treatment report (self-contained HTML)')
    .argument('<ID>', 'treatment id')
    .requiredOption('--out <file>', 'HTML file to write')
    .option('--data-dir <dir>', dataDirHelp)
    .action(async (idText: string, flags: ReportFlags) => {
      const id = parseTreatmentId(idText);
      const dataDir = dataDirOf(flags);
      const record = await withReader(openReader, dataDir, (r) => recordOrRefuse(r, id, dataDir));
      writeOutFile(flags.out, reportHtml(record), dataDir);
      io.stdout(`report for treatment ${id} written to ${flags.out}\n`);
      setResult(0);
    });

  records
    .command('verify')
    .description("check every treatment's rows against the hash chain; names the first row that does not match")
    .option('--data-dir <dir>', dataDirHelp)
    .action(async (flags: StoreFlags) => {
      const dataDir = dataDirOf(flags);
      let checked: VerifiedRecords;
      try {
        checked = await verifyRecords(dataDir);
      } catch (err) {
        throw new ConsoleError(`records: cannot verify the treatment records in ${dataDir}: ${err instanceof Error ? err.message : String(err)}`, EXIT_SYSTEM);
      }
      const { result, schemaVersion } = checked;
      const note = schemaNote(schemaVersion);
      if (result.ok) {
        io.stdout(`records verified: ${result.treatments} treatment(s), ${result.rows} row(s), hash chain intact${note}\n`);
        setResult(0);
        return;
      }
      io.stderr(`cryo: records verify: treatment ${result.treatmentId}: ${result.table} row ${result.rowId} does not match: ${result.reason}${note}\n`);
      setResult(EXIT_DATA);
    });

  records
    .command('nerves')
    .description('the catalog of target nerves (--target NERVE:SIDE): territory and motor fibres')
    .option('--json', 'print the catalog as JSON')
    .action((flags: StoreFlags) => {
      io.stdout(flags.json === true ? `${JSON.stringify(NERVES, null, 2)}\n` : formatNerves(NERVES));
      setResult(0);
    });
}
