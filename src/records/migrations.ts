// The records database's schema, as an ordered list of migrations (issue 10). `PRAGMA
// user_version` holds the number of migrations applied. At open, the pending ones run in order,
// each in its own transaction with its version bump, so a crash mid-migration leaves the previous
// version whole. A shipped migration never changes: a new column or table is a new migration at
// the end of the list. A file whose version is above the code's was written by newer software:
// it is refused and never altered (docs/records.md "Migrations").
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { RecordsError } from './errors.js';

export interface Migration {
  /** 1-based; equal to its position in MIGRATIONS plus one. */
  readonly version: number;
  readonly description: string;
  readonly up: (db: Database.Database) => void;
}

/** Phase codes of the samples table, frozen with migration 1 (src/controller/types.ts PHASES at
 * the time). A new phase is a new migration adding its row; tests check every phase has a code. */
const PHASE_CODES_V1 = ['Idle', 'SelfTest', 'Ready', 'Freezing', 'Thawing', 'Complete', 'Stopped', 'Fault'] as const;
/** Every phase code the migrations define, by code (the index): what the store reads a sample's
 * phase by, and what verify checks the file's `phases` table against. The table is outside the
 * hash chain, so the code, not the file, says what a code means (a renamed row would otherwise
 * turn every Freezing sample into Thawing with verify passing). A migration adding a phase appends
 * it here. */
export const PHASE_CODES: readonly string[] = [...PHASE_CODES_V1];

// Samples and events are keyed (treatment_id, seq) WITHOUT ROWID: one b-tree, no rowid index
// beside it, and a gap in seq is a removed row. Hashes are 32-byte BLOBs (SHA-256), half the
// size of hex text. Booleans are 0/1 integers, which SQLite stores in the record header alone.
const SCHEMA_V1 = `
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE phases (
  code INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE treatments (
  id INTEGER PRIMARY KEY,
  started_at_epoch_ms INTEGER NOT NULL,
  console_id TEXT NOT NULL,
  software_version TEXT NOT NULL,
  board_name TEXT NOT NULL,
  board_sha256 TEXT NOT NULL,
  protocol_cycles INTEGER NOT NULL,
  protocol_freeze_s REAL NOT NULL,
  protocol_thaw_s REAL NOT NULL,
  settings_sha256 TEXT NOT NULL,
  probe_id TEXT,
  calibration_id TEXT,
  calibration_checksum TEXT,
  target_nerve_id TEXT,
  target_side TEXT CHECK (target_side IN ('left', 'right')),
  patient_ref TEXT,
  operator_id TEXT,
  start_sha256 BLOB NOT NULL,
  ended_at_epoch_ms INTEGER,
  outcome TEXT CHECK (outcome IN ('complete', 'stopped', 'fault', 'interrupted')),
  frozen_ms REAL,
  samples_dropped INTEGER,
  seal_sha256 BLOB,
  CHECK ((target_nerve_id IS NULL) = (target_side IS NULL)),
  CHECK ((outcome IS NULL) = (seal_sha256 IS NULL))
) STRICT;

CREATE TABLE samples (
  treatment_id INTEGER NOT NULL REFERENCES treatments(id),
  seq INTEGER NOT NULL,
  t_ms REAL NOT NULL,
  phase INTEGER NOT NULL REFERENCES phases(code),
  tip0_c REAL,
  tip_rest_c TEXT,
  supply_bar_gauge REAL,
  return_bar_abs REAL,
  supply_valve_open INTEGER NOT NULL CHECK (supply_valve_open IN (0, 1)),
  safety_valve_open INTEGER NOT NULL CHECK (safety_valve_open IN (0, 1)),
  sha256 BLOB NOT NULL,
  PRIMARY KEY (treatment_id, seq)
) STRICT, WITHOUT ROWID;

CREATE TABLE events (
  treatment_id INTEGER NOT NULL REFERENCES treatments(id),
  seq INTEGER NOT NULL,
  t_ms REAL NOT NULL,
  kind TEXT NOT NULL,
  detail TEXT NOT NULL,
  sha256 BLOB NOT NULL,
  PRIMARY KEY (treatment_id, seq)
) STRICT, WITHOUT ROWID;

CREATE TABLE cycles (
  treatment_id INTEGER NOT NULL REFERENCES treatments(id),
  idx INTEGER NOT NULL,
  freeze_s REAL NOT NULL,
  thaw_s REAL NOT NULL,
  min_tip_c REAL,
  seconds_to_minus50_c REAL,
  below_minus20_s REAL NOT NULL,
  below_minus40_s REAL NOT NULL,
  sha256 BLOB NOT NULL,
  PRIMARY KEY (treatment_id, idx)
) STRICT, WITHOUT ROWID;

-- Append-only, as far as this file can say so: rows are never changed or removed, and a sealed
-- treatment never changes. This stops mistakes, not a tamperer (who can drop the triggers): the
-- hash chain is what shows tampering.
CREATE TRIGGER samples_append_only_update BEFORE UPDATE ON samples BEGIN SELECT RAISE(ABORT, 'records are append-only: samples cannot be changed'); END;
CREATE TRIGGER samples_append_only_delete BEFORE DELETE ON samples BEGIN SELECT RAISE(ABORT, 'records are append-only: samples cannot be removed'); END;
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'records are append-only: events cannot be changed'); END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'records are append-only: events cannot be removed'); END;
CREATE TRIGGER cycles_append_only_update BEFORE UPDATE ON cycles BEGIN SELECT RAISE(ABORT, 'records are append-only: cycles cannot be changed'); END;
CREATE TRIGGER cycles_append_only_delete BEFORE DELETE ON cycles BEGIN SELECT RAISE(ABORT, 'records are append-only: cycles cannot be removed'); END;
CREATE TRIGGER treatments_sealed_update BEFORE UPDATE ON treatments WHEN OLD.seal_sha256 IS NOT NULL BEGIN SELECT RAISE(ABORT, 'records are append-only: a sealed treatment cannot be changed'); END;
CREATE TRIGGER treatments_append_only_delete BEFORE DELETE ON treatments BEGIN SELECT RAISE(ABORT, 'records are append-only: treatments cannot be removed'); END;
`;

// The telemetry outbox (src/telemetry/outbox.ts): events and treatment summaries wait here until
// the broker acknowledges them, and are replayed in id order after a reconnect. Unlike the record
// it is a queue: rows are removed once published. AUTOINCREMENT: an id is never reused after its
// row is removed, so id order is the order of arrival. The telemetry's boot counter (bdSeq) lives
// in meta under 'mqtt_bd_seq'.
const SCHEMA_V2_OUTBOX = `
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at_epoch_ms INTEGER NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('event', 'summary')),
  body TEXT NOT NULL
) STRICT;
`;

// Each freeze's efficacy verdict (issue 11): the live ice-ball estimate's r(-20 C) when the supply
// closed, the target it was judged against, and the verdict. NULL all three in a row without a
// verdict: a cycle recorded before this migration, or one the process did not live to judge (a
// treatment recovered as interrupted after its freeze's end was not recorded). A row with a
// verdict has its target; r(-20 C) alone may be NULL (the estimate was not running: not
// effective). The hash chain covers them when the row has a verdict (chain.ts cycleHashValues).
const SCHEMA_V3_CYCLE_VERDICT = `
ALTER TABLE cycles ADD COLUMN r20_mm_at_end REAL CHECK (r20_mm_at_end IS NULL OR r20_mm_at_end >= 0);
ALTER TABLE cycles ADD COLUMN r20_target_mm REAL CHECK (r20_target_mm IS NULL OR r20_target_mm > 0);
ALTER TABLE cycles ADD COLUMN effective INTEGER CHECK (
  (effective IS NULL AND r20_target_mm IS NULL AND r20_mm_at_end IS NULL)
  OR (effective IS NOT NULL AND effective IN (0, 1) AND r20_target_mm IS NOT NULL));
`;

// The schema version each treatment was begun at (review of issue 11): user_version is outside the
// hash chain yet says which columns a row has and so what is hashed; this copy of it is hashed in
// the treatment's start (chain.ts startHashValues). NULL in every treatment begun before this
// migration (their starts hash as before); from it on, the version of the software that began the
// treatment, never below this migration's.
const SCHEMA_V4_TREATMENT_VERSION = `
ALTER TABLE treatments ADD COLUMN schema_version INTEGER CHECK (schema_version IS NULL OR schema_version >= 4);
`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'treatments, samples, events, cycles; the console id',
    up: (db) => {
      db.exec(SCHEMA_V1);
      const phase = db.prepare('INSERT INTO phases (code, name) VALUES (?, ?)');
      PHASE_CODES_V1.forEach((name, code) => phase.run(code, name));
      // Made once per data dir and kept: the console's identity in every record and message.
      db.prepare("INSERT INTO meta (key, value) VALUES ('console_id', ?)").run(randomUUID());
    },
  },
  {
    version: 2,
    description: "the telemetry outbox: events and treatment summaries not yet published over MQTT",
    up: (db) => {
      db.exec(SCHEMA_V2_OUTBOX);
    },
  },
  {
    version: 3,
    description: "each cycle's efficacy verdict: estimated r(-20 C) at the freeze's end, its target, effective",
    up: (db) => {
      db.exec(SCHEMA_V3_CYCLE_VERDICT);
    },
  },
  {
    version: 4,
    description: 'the schema version each treatment was begun at, hashed in its start',
    up: (db) => {
      db.exec(SCHEMA_V4_TREATMENT_VERSION);
    },
  },
];

/** The migration that added the cycles' verdict columns (chain.ts CYCLE_VERDICT_COLUMNS): a file
 * below it has none, and its cycle rows hash CYCLE_COLUMNS alone. */
export const CYCLE_VERDICT_SCHEMA_VERSION = 3;

/** The migration that added the treatments' schema_version column (chain.ts
 * TREATMENT_SCHEMA_VERSION_COLUMN): a file below it has none, and every start hashes
 * TREATMENT_START_COLUMNS alone. A treatment's recorded version is never below it. */
export const TREATMENT_VERSION_SCHEMA_VERSION = 4;

/** The schema version this code writes: the number of migrations. */
export const SCHEMA_VERSION = MIGRATIONS.length;

export function schemaVersionOf(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Refuses a file written by newer software, before anything touches it. */
export function assertNotNewer(file: string, version: number): void {
  if (version > SCHEMA_VERSION) {
    throw new RecordsError(
      'newer-schema',
      `${file}: the records database is at schema version ${version}, newer than this software's ${SCHEMA_VERSION}: ` +
        'it was written by a newer version; it is left untouched (install that version, or use another data dir)',
    );
  }
}

/** Applies every pending migration, each in its own write transaction with its version bump.
 * The version is read again inside each transaction: another process migrating at the same
 * time makes this one skip what is done, never apply it twice. */
export function migrate(db: Database.Database, file: string): void {
  for (const migration of MIGRATIONS) {
    db.transaction(() => {
      const version = schemaVersionOf(db);
      assertNotNewer(file, version);
      if (version >= migration.version) return;
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
}
