// `verify()`: the whole hash chain recomputed in order (chain.ts), stopping at the first row that
// does not match. Run inside one read transaction, so the writer appending meanwhile is not seen
// half-way. One statement iterates at a time (better-sqlite3 allows no other use of the
// connection while an iterator is open): the treatments are read whole (few), their rows streamed.
import type Database from 'better-sqlite3';
import {
  CYCLE_COLUMNS,
  CYCLE_VERDICT_COLUMNS,
  EVENT_COLUMNS,
  GENESIS_SHA256,
  SAMPLE_COLUMNS,
  TREATMENT_END_COLUMNS,
  TREATMENT_SCHEMA_VERSION_COLUMN,
  TREATMENT_START_COLUMNS,
  columnsSql,
  cycleHashValues,
  rowSha256,
  sealSha256,
  startHashValues,
} from './chain.js';
import type { Stored } from './chain.js';
import { CYCLE_VERDICT_SCHEMA_VERSION, PHASE_CODES, SCHEMA_VERSION, TREATMENT_VERSION_SCHEMA_VERSION } from './migrations.js';
import type { VerifyResult } from './types.js';

type ChainTable = 'samples' | 'events' | 'cycles';
type Failure = Extract<VerifyResult, { ok: false }>;

interface TreatmentRow {
  readonly id: number;
  readonly start: Stored[];
  /** The schema version it was begun at (hashed in its start); null: begun before migration 4, or
   * a file without the column. */
  readonly recordedVersion: number | null;
  readonly end: Stored[];
  readonly startSha256: Buffer;
  readonly sealSha256: Buffer | null;
}

interface ChainEnd {
  readonly tail: Buffer;
  readonly count: number;
}

const CHANGED = 'its hash does not match: the row was changed, or a row before it was removed, added or moved';

interface ChainKey {
  readonly column: string;
  readonly contiguous: boolean;
  readonly columns: readonly string[];
  readonly hashed: (stored: readonly Stored[]) => readonly Stored[];
}
type ChainKeys = Record<ChainTable, ChainKey>;

/** The key column of each chained table and whether its values run 1, 2, 3... (a gap is a
 * removed row); cycle indices are the caller's, so only their hashes say a cycle was removed. */
const KEYS: ChainKeys = {
  samples: { column: 'seq', contiguous: true, columns: SAMPLE_COLUMNS, hashed: (v) => v },
  events: { column: 'seq', contiguous: true, columns: EVENT_COLUMNS, hashed: (v) => v },
  cycles: { column: 'idx', contiguous: false, columns: [...CYCLE_COLUMNS, ...CYCLE_VERDICT_COLUMNS], hashed: cycleHashValues },
};
/** A file from before the verdict columns (schema 1 and 2): its cycle rows hash CYCLE_COLUMNS. */
const KEYS_BEFORE_VERDICTS: ChainKeys = { ...KEYS, cycles: { column: 'idx', contiguous: false, columns: CYCLE_COLUMNS, hashed: (v) => v } };

function columnsOf(db: Database.Database, table: string): Set<string> {
  return new Set(db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(table) as string[]);
}

/** Every treatment, with its recorded schema version whenever the file has the column (whatever
 * version the file claims: a claim set back below a treatment's own is what this catches). */
function treatmentsOf(db: Database.Database): TreatmentRow[] {
  const recorded = columnsOf(db, 'treatments').has(TREATMENT_SCHEMA_VERSION_COLUMN) ? TREATMENT_SCHEMA_VERSION_COLUMN : 'NULL';
  const sql = `SELECT ${columnsSql(TREATMENT_START_COLUMNS)}, ${columnsSql(TREATMENT_END_COLUMNS)}, start_sha256, seal_sha256, ${recorded} FROM treatments ORDER BY id`;
  const startCount = TREATMENT_START_COLUMNS.length;
  const endCount = TREATMENT_END_COLUMNS.length;
  return (db.prepare(sql).raw().all() as unknown[][]).map((r) => ({
    id: r[0] as number,
    start: r.slice(0, startCount) as Stored[],
    end: r.slice(startCount, startCount + endCount) as Stored[],
    startSha256: r[startCount + endCount] as Buffer,
    sealSha256: r[startCount + endCount + 1] as Buffer | null,
    recordedVersion: r[startCount + endCount + 2] as number | null,
  }));
}

/** One chain (a treatment's samples, events or cycles) from the start hash: its tail and row
 * count, or the first row that does not match. */
function checkChain(db: Database.Database, keys: ChainKeys, table: ChainTable, treatmentId: number, start: Buffer): ChainEnd | Failure {
  const key = keys[table];
  const sql = `SELECT ${columnsSql(key.columns)}, sha256 FROM ${table} WHERE treatment_id = ? ORDER BY ${key.column}`;
  const fail = (rowId: number, reason: string): Failure => ({ ok: false, treatmentId, table, rowId, reason });
  let tail = start;
  let count = 0;
  for (const r of db.prepare(sql).raw().iterate(treatmentId) as IterableIterator<unknown[]>) {
    count += 1;
    const rowId = r[1] as number;
    if (key.contiguous && rowId !== count) return fail(rowId, `expected ${key.column} ${count} here, found ${rowId}: rows were removed or renumbered`);
    const values = r.slice(0, key.columns.length) as Stored[];
    const expected = rowSha256(tail, key.hashed(values));
    if (!expected.equals(r[key.columns.length] as Buffer)) return fail(rowId, CHANGED);
    tail = expected;
  }
  return { tail, count };
}

const isFailure = (x: ChainEnd | Failure): x is Failure => 'ok' in x;

/** The `phases` table (outside the chain: samples hash a phase's code) must say what the code
 * says each code means; a renamed, removed or added row is named by its code (treatment 0). */
function checkPhases(db: Database.Database): Failure | null {
  const rows = db.prepare('SELECT code, name FROM phases ORDER BY code').raw().all() as [number, string][];
  const inFile = new Map(rows);
  const codes = new Set([...inFile.keys(), ...PHASE_CODES.keys()]);
  for (const code of [...codes].sort((a, b) => a - b)) {
    const expected = PHASE_CODES[code];
    const found = inFile.get(code);
    if (found !== expected) {
      return { ok: false, treatmentId: 0, table: 'phases', rowId: code, reason: `the phases table says code ${code} is ${JSON.stringify(found ?? null)}; the records' schema says ${JSON.stringify(expected ?? null)}: every sample's phase would read wrong` };
    }
  }
  return null;
}

/** The columns a migration added to a table: a file at `from` or later has all of them, an older
 * one none. */
interface AddedColumns {
  readonly table: 'cycles' | 'treatments';
  readonly what: string;
  readonly columns: readonly string[];
  readonly from: number;
}
const ADDED_COLUMNS: readonly AddedColumns[] = [
  { table: 'cycles', what: 'verdict', columns: CYCLE_VERDICT_COLUMNS, from: CYCLE_VERDICT_SCHEMA_VERSION },
  { table: 'treatments', what: 'recorded-version', columns: [TREATMENT_SCHEMA_VERSION_COLUMN], from: TREATMENT_VERSION_SCHEMA_VERSION },
];

/**
 * The schema version (PRAGMA user_version) lies outside the chain, yet it chooses which columns are
 * read and hashed: a file whose cycles have the verdict columns must say schema 3 or later, and one
 * at 3 or later must have them (and the same for the treatments' schema_version from 4). Otherwise
 * a forged verdict behind a version set back to 2 would be hashed without its verdict and pass
 * (review of issue 11). Failure at treatment 0.
 */
function checkAddedColumns(db: Database.Database, schemaVersion: number): Failure | null {
  for (const added of ADDED_COLUMNS) {
    const names = columnsOf(db, added.table);
    const present = added.columns.filter((c) => names.has(c));
    const expected = schemaVersion >= added.from ? added.columns.length : 0;
    if (present.length === expected) continue;
    const has = present.length === 0 ? `none of the ${added.what} columns` : `the ${added.what} column(s) ${present.join(', ')}`;
    return { ok: false, treatmentId: 0, table: added.table, rowId: 0, reason: `the file says schema ${schemaVersion}, but its ${added.table} table has ${has} (schema ${added.from} and later have all of ${added.columns.join(', ')}, older ones none): its schema version or its tables were changed` };
  }
  return null;
}

/**
 * A treatment's recorded schema version (hashed in its start) against the file's claim and the
 * treatment before it: never above the claim (the file's version was set back: the columns that
 * version lacks, such as the cycles' verdicts, would go unhashed), never below migration 4 (no
 * software writes that), and never below the treatment before it, nor NULL after one that has it
 * (older software refuses a newer file, so versions only go up along the chain).
 */
function checkRecordedVersion(t: TreatmentRow, before: TreatmentRow | undefined, schemaVersion: number): Failure | null {
  const fail = (reason: string): Failure => ({ ok: false, treatmentId: t.id, table: 'treatments', rowId: t.id, reason });
  const field = `its ${TREATMENT_SCHEMA_VERSION_COLUMN}`;
  const recorded = t.recordedVersion;
  const previous = before?.recordedVersion ?? null;
  if (recorded !== null && recorded > schemaVersion) {
    return fail(`${field} is ${recorded} (the schema it was written at, hashed in its start), but the file says schema ${schemaVersion} (user_version): the file's schema version was set back, and the columns of the schemas between could have been dropped with it`);
  }
  if (recorded !== null && recorded < TREATMENT_VERSION_SCHEMA_VERSION) {
    return fail(`${field} is ${recorded}, below ${TREATMENT_VERSION_SCHEMA_VERSION}, the schema that added it: no software writes that`);
  }
  if (before !== undefined && previous !== null && (recorded === null || recorded < previous)) {
    return fail(`${field} is ${recorded ?? 'NULL'}, but treatment ${before.id} before it was written at schema ${previous}: versions only go up along the chain (older software refuses a newer file)`);
  }
  return null;
}

/** A start that shows no recorded version but hashes with one this software knows: that version
 * was removed (the column dropped, or set NULL). Null when the start matches as it is, or matches
 * no version (then the chain names it as changed). */
function droppedVersion(previousSeal: Buffer, t: TreatmentRow, schemaVersion: number, hasColumn: boolean): string | null {
  if (rowSha256(previousSeal, t.start).equals(t.startSha256)) return null;
  for (let v = TREATMENT_VERSION_SCHEMA_VERSION; v <= SCHEMA_VERSION; v += 1) {
    if (rowSha256(previousSeal, startHashValues(t.start, v)).equals(t.startSha256)) {
      // What the table shows, not what the claimed version implies (the two may disagree).
      const now = hasColumn ? `its ${TREATMENT_SCHEMA_VERSION_COLUMN} is NULL` : `the file says schema ${schemaVersion} and its treatments table has no ${TREATMENT_SCHEMA_VERSION_COLUMN} column`;
      return `its start hash matches the start with ${TREATMENT_SCHEMA_VERSION_COLUMN} ${v} (the schema it was written at), but ${now}: the recorded version was removed (the file's schema version set back, its columns dropped)`;
    }
  }
  return null;
}

/** A start that shows a recorded version but hashes only without one: the version was added to
 * a treatment written before migration 4 (its start was hashed with none). Named here, at that
 * treatment, before the ordering check would blame the untouched treatment after it. */
function addedVersion(previousSeal: Buffer, t: TreatmentRow): string | null {
  if (t.recordedVersion === null || rowSha256(previousSeal, startHashValues(t.start, t.recordedVersion)).equals(t.startSha256)) return null;
  if (!rowSha256(previousSeal, startHashValues(t.start, null)).equals(t.startSha256)) return null;
  return `its ${TREATMENT_SCHEMA_VERSION_COLUMN} is ${t.recordedVersion}, but its start hashes only without one: it was written before schema ${TREATMENT_VERSION_SCHEMA_VERSION} and the version was added afterwards`;
}

/** The chained tables' columns and hashing for rows written at schema `version`. */
const keysAt = (version: number): ChainKeys => (version >= CYCLE_VERDICT_SCHEMA_VERSION ? KEYS : KEYS_BEFORE_VERDICTS);

/** The whole chain of a file at `schemaVersion` (1 to SCHEMA_VERSION), as that schema hashes it:
 * an older file is checked as it is, never migrated first (`cryo records verify`). */
export function verifyChain(db: Database.Database, schemaVersion: number = SCHEMA_VERSION): VerifyResult {
  if (schemaVersion < 1 || schemaVersion > SCHEMA_VERSION) throw new RangeError(`verifyChain: schema version ${schemaVersion} is not one of 1-${SCHEMA_VERSION}`);
  const phases = checkPhases(db);
  if (phases !== null) return phases;
  const treatments = treatmentsOf(db);
  // The recorded versions first, against the claim and the starts: a version set back explains
  // every mismatch after it (a verdict row read without its columns), and this names the
  // treatment and both versions where the column check or a row's hash could not.
  const hasVersionColumn = columnsOf(db, 'treatments').has(TREATMENT_SCHEMA_VERSION_COLUMN);
  for (const [i, t] of treatments.entries()) {
    const before = treatments[i - 1];
    const previousSeal = before === undefined ? GENESIS_SHA256 : before.sealSha256;
    const added = previousSeal === null ? null : addedVersion(previousSeal, t);
    if (added !== null) return { ok: false, treatmentId: t.id, table: 'treatments', rowId: t.id, reason: added };
    const version = checkRecordedVersion(t, before, schemaVersion);
    if (version !== null) return version;
    const dropped = t.recordedVersion === null && previousSeal !== null ? droppedVersion(previousSeal, t, schemaVersion, hasVersionColumn) : null;
    if (dropped !== null) return { ok: false, treatmentId: t.id, table: 'treatments', rowId: t.id, reason: dropped };
  }
  const columns = checkAddedColumns(db, schemaVersion);
  if (columns !== null) return columns;
  let previous: { readonly id: number; readonly seal: Buffer | null } = { id: 0, seal: GENESIS_SHA256 };
  let rows = 0;
  for (const t of treatments) {
    const fail = (reason: string): Failure => ({ ok: false, treatmentId: t.id, table: 'treatments', rowId: t.id, reason });
    if (previous.seal === null) return fail(`treatment ${previous.id} before it has no seal: a treatment began while another was open`);
    if (!rowSha256(previous.seal, startHashValues(t.start, t.recordedVersion)).equals(t.startSha256)) {
      return fail('its start hash does not match: the start fields were changed, or the treatment before it was changed or removed');
    }
    rows += 1;
    // Its rows as the schema it was written at hashes them (checkRecordedVersion: never above the
    // file's, whose columns checkAddedColumns checked); the file's own for a start without one.
    const keys = keysAt(t.recordedVersion ?? schemaVersion);
    const ends: ChainEnd[] = [];
    for (const table of ['samples', 'events', 'cycles'] as const) {
      const end = checkChain(db, keys, table, t.id, t.startSha256);
      if (isFailure(end)) return end;
      ends.push(end);
      rows += end.count;
    }
    const [samples, events, cycles] = ends as [ChainEnd, ChainEnd, ChainEnd];
    if (t.sealSha256 !== null) {
      const seal = sealSha256(
        t.startSha256,
        { samples: samples.tail, events: events.tail, cycles: cycles.tail },
        { samples: samples.count, events: events.count, cycles: cycles.count },
        t.end,
      );
      if (!seal.equals(t.sealSha256)) {
        return fail('its seal does not match: the end fields (end time, outcome, frozen time, samples dropped) were changed, or rows at the end of the treatment were removed');
      }
    }
    previous = { id: t.id, seal: t.sealSha256 };
  }
  return { ok: true, treatments: treatments.length, rows };
}
