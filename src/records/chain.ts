// The hash chain that makes tampering evident (docs/records.md "Tamper evidence"). Each row's hash
// is SHA-256(previous hash || the row's canonical JSON), where the canonical JSON is the array of
// the row's stored column values in the fixed order below: the writer hashes the values it
// inserts, verify hashes the values it reads back, and SQLite gives back exactly what it stored.
//
// A treatment's start row (with the schema version it was written at, from migration 4) is
// chained to the previous treatment's seal (GENESIS_SHA256 for the first); its samples, its events and its cycles are three chains anchored at the start hash; the
// seal hashes the start hash, the tail of each chain, the counts and the end fields.
import { createHash } from 'node:crypto';

/** What the first treatment's start is chained to. */
export const GENESIS_SHA256: Buffer = Buffer.alloc(32);

export const TREATMENT_START_COLUMNS = [
  'id',
  'started_at_epoch_ms',
  'console_id',
  'software_version',
  'board_name',
  'board_sha256',
  'protocol_cycles',
  'protocol_freeze_s',
  'protocol_thaw_s',
  'settings_sha256',
  'probe_id',
  'calibration_id',
  'calibration_checksum',
  'target_nerve_id',
  'target_side',
  'patient_ref',
  'operator_id',
] as const;
/** The treatments column migration 4 added: the schema version (SQLite user_version, which is
 * outside the chain) of the software that began the treatment. A start with one (not NULL) hashes
 * it after TREATMENT_START_COLUMNS; a start without one (begun before migration 4) hashes
 * TREATMENT_START_COLUMNS alone, as every start did before, so a migrated file verifies
 * unchanged. Hashed, it says which columns the treatment's rows were written with: verify refuses
 * a file claiming an older schema than a treatment was written at (a version set back with the
 * verdict columns dropped would otherwise erase every verdict unseen). */
export const TREATMENT_SCHEMA_VERSION_COLUMN = 'schema_version';

export const TREATMENT_END_COLUMNS = ['ended_at_epoch_ms', 'outcome', 'frozen_ms', 'samples_dropped'] as const;
export const SAMPLE_COLUMNS = [
  'treatment_id',
  'seq',
  't_ms',
  'phase',
  'tip0_c',
  'tip_rest_c',
  'supply_bar_gauge',
  'return_bar_abs',
  'supply_valve_open',
  'safety_valve_open',
] as const;
export const EVENT_COLUMNS = ['treatment_id', 'seq', 't_ms', 'kind', 'detail'] as const;
export const CYCLE_COLUMNS = [
  'treatment_id',
  'idx',
  'freeze_s',
  'thaw_s',
  'min_tip_c',
  'seconds_to_minus50_c',
  'below_minus20_s',
  'below_minus40_s',
] as const;

/** The cycle columns migration 3 added (a freeze's efficacy verdict, issue 11). A row with a
 * verdict (`effective` not NULL) hashes them after CYCLE_COLUMNS; a row without one hashes
 * CYCLE_COLUMNS alone, as every row did before migration 3, so a migrated file verifies unchanged
 * and a verdict removed (set NULL) or added to an old row shows as a changed row. */
export const CYCLE_VERDICT_COLUMNS = ['r20_mm_at_end', 'r20_target_mm', 'effective'] as const;

/** A stored value as better-sqlite3 hands it over (no BLOBs among the hashed columns). */
export type Stored = number | string | null;

export function rowSha256(previous: Buffer, values: readonly Stored[]): Buffer {
  return createHash('sha256').update(previous).update(JSON.stringify(values), 'utf8').digest();
}

export interface ChainTails {
  readonly samples: Buffer;
  readonly events: Buffer;
  readonly cycles: Buffer;
}

export interface ChainCounts {
  readonly samples: number;
  readonly events: number;
  readonly cycles: number;
}

/** What a treatment's start hashes: its TREATMENT_START_COLUMNS values, then the schema version it
 * was written at when it has one (TREATMENT_SCHEMA_VERSION_COLUMN). */
export function startHashValues(start: readonly Stored[], schemaVersion: number | null): readonly Stored[] {
  return schemaVersion === null ? start : [...start, schemaVersion];
}

/** What a cycle row hashes, from its stored CYCLE_COLUMNS then CYCLE_VERDICT_COLUMNS values. */
export function cycleHashValues(stored: readonly Stored[]): readonly Stored[] {
  const effective = stored[CYCLE_COLUMNS.length + CYCLE_VERDICT_COLUMNS.indexOf('effective')];
  return effective === null || effective === undefined ? stored.slice(0, CYCLE_COLUMNS.length) : stored;
}

/** The treatment's seal: its start, the tail of each chain (the start hash for an empty one),
 * how many rows each holds (so removing rows at the end shows), and the end fields. */
export function sealSha256(start: Buffer, tails: ChainTails, counts: ChainCounts, end: readonly Stored[]): Buffer {
  return createHash('sha256')
    .update(start)
    .update(tails.samples)
    .update(tails.events)
    .update(tails.cycles)
    .update(JSON.stringify([counts.samples, counts.events, counts.cycles, ...end]), 'utf8')
    .digest();
}

/** `SELECT a, b, c` for a column list. */
export function columnsSql(columns: readonly string[]): string {
  return columns.join(', ');
}

/** `INSERT INTO t (a, b, c, sha256) VALUES (?, ?, ?, ?)`. */
export function insertSql(table: string, columns: readonly string[]): string {
  return `INSERT INTO ${table} (${columnsSql(columns)}, sha256) VALUES (${columns.map(() => '?').join(', ')}, ?)`;
}
