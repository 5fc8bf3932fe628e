// The treatment records store (issue 10): one SQLite file under the data dir, written by the
// records worker thread through this synchronous class, read by the command line. Durability:
// WAL with synchronous=FULL (better-sqlite3's WAL default, NORMAL, may roll a commit back on power
// loss: shared/domain.md section 10). Every failure is a RecordsError naming the file (errors.ts).
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { assert } from '../../kernel/assert.js';
import type { Phase } from '../controller/types.js';
import { PHASES } from '../controller/types.js';
import { CYCLE_COLUMNS, CYCLE_VERDICT_COLUMNS, EVENT_COLUMNS, GENESIS_SHA256, SAMPLE_COLUMNS, TREATMENT_SCHEMA_VERSION_COLUMN, TREATMENT_START_COLUMNS, cycleHashValues, insertSql, rowSha256, sealSha256, startHashValues } from './chain.js';
import { RecordsError, toRecordsError } from './errors.js';
import { PHASE_CODES, SCHEMA_VERSION, assertNotNewer, migrate, schemaVersionOf } from './migrations.js';
import { cyclesOf, frozenMsOf } from './recovery.js';
import type { RecoverySample } from './recovery.js';
import { cycleOf, cycleValues, endOf, endValues, eventOf, eventValues, phaseOf, recordedSchemaVersionOf, sampleOf, sampleValues, startOf, startValues } from './rows.js';
import type { PhaseCodes } from './rows.js';
import type {
  EventRow,
  InterruptedTreatment,
  RecordsReader,
  RecordsWriter,
  SampleRow,
  TreatmentEnd,
  TreatmentRecord,
  TreatmentStart,
  TreatmentSummaryRow,
  VerifiedRecords,
  VerifyResult,
} from './types.js';
import { EventRowSchema, MAX_EVENTS_PER_APPEND, MAX_EVENT_DETAIL_CHARS, MAX_SAMPLES_PER_APPEND, SampleRowSchema, TreatmentEndSchema, TreatmentStartSchema, checked, checkedId } from './validate.js';
import { FREEZE_VERDICT_EVENT_KIND, verdictsFromEvents, withVerdicts } from './verdict.js';
import { verifyChain } from './verify.js';

export { RecordsError } from './errors.js';
export type { RecordsErrorCode } from './errors.js';

/** The records file's name in the data dir. */
export const RECORDS_FILE_NAME = 'records.sqlite';
/** How long a write waits for another connection's lock before failing 'locked'. Short: the
 * worker writes a batch every 500 ms, and a store that stays locked must raise its alarm within a
 * batch or two, not hold the worker (better-sqlite3's default is 5 s). 200 ms still rides over a
 * reader's checkpoint or `cryo records verify` starting its read. */
export const RECORDS_BUSY_TIMEOUT_MS = 200;
/** `list()` without a limit: a screen of recent treatments. */
export const DEFAULT_LIST_LIMIT = 50;
export const MAX_LIST_LIMIT = 100_000;

export function recordsPath(dataDir: string): string {
  return join(dataDir, RECORDS_FILE_NAME);
}

export interface RecordsOpenOptions {
  /** Open for reading only (the command line): never migrates, never writes. */
  readonly readonly?: boolean;
  readonly busyTimeoutMs?: number;
  /** A quota on the file's size in pages (4 KiB each; SQLite's max_page_count): past it every
   * write fails 'full', as on a full disk. None by default. */
  readonly maxPageCount?: number;
}

type Row = Record<string, unknown>;
interface Tail {
  readonly seq: number;
  readonly sha256: Buffer;
}

// Built once: a zod schema compiles itself on first use.
const SamplesSchema = z.array(SampleRowSchema).max(MAX_SAMPLES_PER_APPEND);
const EventsSchema = z.array(EventRowSchema).max(MAX_EVENTS_PER_APPEND);
const EpochMsSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const OptionsSchema = z.strictObject({
  readonly: z.boolean().optional(),
  busyTimeoutMs: z.number().int().min(0).max(60_000).optional(),
  maxPageCount: z.number().int().min(1).max(0xfffffffe).optional(),
});

function pragmas(db: Database.Database, file: string, options: RecordsOpenOptions): void {
  const version = schemaVersionOf(db);
  assertNotNewer(file, version);
  if (options.readonly === true) {
    if (version < SCHEMA_VERSION) {
      throw new RecordsError(
        'read-only',
        `${file}: open: the records database is at schema version ${version}, this software's is ${SCHEMA_VERSION}: open it once for writing (start the console) to migrate it (cryo records verify checks it as it is)`,
      );
    }
  } else {
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new RecordsError('io', `${file}: open: journal_mode is "${String(mode)}", WAL could not be set`);
    db.pragma('synchronous = FULL');
    migrate(db, file);
  }
  db.pragma('foreign_keys = ON');
  if (options.maxPageCount !== undefined) db.pragma(`max_page_count = ${options.maxPageCount}`);
}

/**
 * The hash chain of the records file `file` checked at the schema it is at, from 1 to this
 * software's (`cryo records verify`): an auditor's copy written by older software is verified as
 * it is, never migrated first. Opened read-only: the file is never written (SQLite may add its
 * own -wal and -shm beside a WAL file, as for every read-only open). A file at schema 0 is not a
 * records database; a newer one is refused (assertNotNewer). Throws a RecordsError naming the file.
 */
export function verifyRecordsFile(file: string): VerifiedRecords {
  let db: Database.Database | null = null;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true, timeout: RECORDS_BUSY_TIMEOUT_MS });
    const conn = db;
    const schemaVersion = schemaVersionOf(conn);
    assertNotNewer(file, schemaVersion);
    if (schemaVersion < 1) throw new RecordsError('corrupt', `${file}: verify: schema version 0: not a treatment records database (no migration has run on it)`);
    const result = conn.transaction(() => verifyChain(conn, schemaVersion))();
    return { schemaVersion, result };
  } catch (error) {
    throw toRecordsError(file, 'verify', error);
  } finally {
    if (db?.open === true) db.close();
  }
}

/** The phase codes as this code defines them (migrations.ts PHASE_CODES), never as the file's
 * `phases` table says: that table is outside the hash chain (verify checks it agrees). */
function phaseCodes(): PhaseCodes {
  const known = PHASE_CODES.map((name, code) => ({ code, name })).filter((r): r is { code: number; name: Phase } => (PHASES as readonly string[]).includes(r.name));
  return { codeOf: new Map(known.map((r) => [r.name, r.code])), nameOf: new Map(known.map((r) => [r.code, r.name])) };
}

/** What `begin` inserts: the start fields and the schema version the treatment is written at. */
const STARTED_COLUMNS = [...TREATMENT_START_COLUMNS, TREATMENT_SCHEMA_VERSION_COLUMN] as const;

function prepareAll(db: Database.Database) {
  return {
    consoleId: db.prepare("SELECT value FROM meta WHERE key = 'console_id'").pluck(),
    lastTreatment: db.prepare('SELECT id, seal_sha256 FROM treatments ORDER BY id DESC LIMIT 1'),
    treatment: db.prepare('SELECT * FROM treatments WHERE id = ?'),
    openTreatments: db.prepare('SELECT id, started_at_epoch_ms, start_sha256 FROM treatments WHERE seal_sha256 IS NULL ORDER BY id'),
    insertTreatment: db.prepare(
      `INSERT INTO treatments (${STARTED_COLUMNS.join(', ')}, start_sha256) VALUES (${STARTED_COLUMNS.map(() => '?').join(', ')}, ?)`,
    ),
    sealTreatment: db.prepare('UPDATE treatments SET ended_at_epoch_ms = ?, outcome = ?, frozen_ms = ?, samples_dropped = ?, seal_sha256 = ? WHERE id = ?'),
    insertSample: db.prepare(insertSql('samples', SAMPLE_COLUMNS)),
    insertEvent: db.prepare(insertSql('events', EVENT_COLUMNS)),
    insertCycle: db.prepare(insertSql('cycles', [...CYCLE_COLUMNS, ...CYCLE_VERDICT_COLUMNS])),
    sampleTail: db.prepare('SELECT seq, sha256 FROM samples WHERE treatment_id = ? ORDER BY seq DESC LIMIT 1'),
    eventTail: db.prepare('SELECT seq, sha256 FROM events WHERE treatment_id = ? ORDER BY seq DESC LIMIT 1'),
    samples: db.prepare('SELECT * FROM samples WHERE treatment_id = ? ORDER BY seq'),
    recoverySamples: db.prepare('SELECT t_ms, phase, tip0_c, supply_valve_open FROM samples WHERE treatment_id = ? ORDER BY seq'),
    events: db.prepare('SELECT * FROM events WHERE treatment_id = ? ORDER BY seq'),
    verdictEvents: db.prepare(`SELECT * FROM events WHERE treatment_id = ? AND kind = '${FREEZE_VERDICT_EVENT_KIND}' ORDER BY seq`),
    cycles: db.prepare('SELECT * FROM cycles WHERE treatment_id = ? ORDER BY idx'),
    list: db.prepare(
      `SELECT t.id, t.started_at_epoch_ms, t.ended_at_epoch_ms, t.outcome, t.target_nerve_id, t.target_side, t.probe_id,
         (SELECT count(*) FROM cycles c WHERE c.treatment_id = t.id) AS cycles,
         (SELECT min(c.min_tip_c) FROM cycles c WHERE c.treatment_id = t.id) AS min_tip_c
       FROM treatments t ORDER BY t.id DESC LIMIT ?`,
    ),
  };
}
type Statements = ReturnType<typeof prepareAll>;

export class RecordsStore implements RecordsWriter, RecordsReader {
  private constructor(
    private readonly db: Database.Database,
    /** The file's path, as named in every error. */
    readonly file: string,
    private readonly sql: Statements,
    private readonly phases: PhaseCodes,
  ) {}

  /** Opens (creating and migrating it unless read-only) the records file. */
  static open(file: string, options: RecordsOpenOptions = {}): RecordsStore {
    const o = checked(OptionsSchema, file, 'open: options', options);
    let db: Database.Database | null = null;
    try {
      const readonly = o.readonly === true;
      db = new Database(file, { readonly, fileMustExist: readonly, timeout: o.busyTimeoutMs ?? RECORDS_BUSY_TIMEOUT_MS });
      pragmas(db, file, o);
      return new RecordsStore(db, file, prepareAll(db), phaseCodes());
    } catch (error) {
      if (db?.open === true) db.close();
      throw toRecordsError(file, 'open', error);
    }
  }

  /** The console's id, made once when the file was created. */
  consoleId(): string {
    return this.guard('consoleId', () => this.sql.consoleId.get() as string);
  }

  /** Closes every open treatment as 'interrupted' at its last sample (docs/records.md). */
  recoverInterrupted(nowEpochMs: number): InterruptedTreatment[] {
    const now = checked(EpochMsSchema, this.file, 'recoverInterrupted: nowEpochMs', nowEpochMs);
    return this.guard('recoverInterrupted', () => {
      const open = this.sql.openTreatments.all() as Row[];
      return open.map((t) => this.db.transaction(() => this.recoverOne(t, now)).immediate());
    });
  }

  begin(start: TreatmentStart): number {
    return this.guard('begin', () => {
      const s = checked(TreatmentStartSchema, this.file, 'begin', start);
      return this.db
        .transaction(() => {
          const last = this.sql.lastTreatment.get() as { id: number; seal_sha256: Buffer | null } | undefined;
          if (last !== undefined && last.seal_sha256 === null) {
            throw new RecordsError('invalid', `${this.file}: begin: treatment ${last.id} is still open: end it (or recoverInterrupted) before another begins`);
          }
          const id = (last?.id ?? 0) + 1;
          // The schema this treatment is written at, hashed in its start: the file was migrated
          // to this software's at open (a read-only connection cannot get here).
          const fileVersion = schemaVersionOf(this.db);
          // Newer software migrated the file while this console held it: refused as at open.
          assertNotNewer(this.file, fileVersion);
          assert(fileVersion === SCHEMA_VERSION, `records begin: the file is at schema ${fileVersion}, this software writes ${SCHEMA_VERSION}`);
          const values = startValues(id, s);
          this.sql.insertTreatment.run(...values, SCHEMA_VERSION, rowSha256(last?.seal_sha256 ?? GENESIS_SHA256, startHashValues(values, SCHEMA_VERSION)));
          return id;
        })
        .immediate();
    });
  }

  append(treatmentId: number, samples: readonly SampleRow[], events: readonly EventRow[]): void {
    this.guard('append', () => {
      const id = checkedId(this.file, 'append', treatmentId);
      const rows = checked(SamplesSchema, this.file, 'append: samples', samples);
      const evs = checked(EventsSchema, this.file, 'append: events', events);
      const details = evs.map((e, i) => this.detailJson(e, i));
      this.db.transaction(() => {
        this.appendRows(id, rows, evs, details);
      }).immediate();
    });
  }

  end(treatmentId: number, end: TreatmentEnd): void {
    this.guard('end', () => {
      const id = checkedId(this.file, 'end', treatmentId);
      const e = checked(TreatmentEndSchema, this.file, 'end', end);
      this.db.transaction(() => {
        this.seal(id, e);
      }).immediate();
    });
  }

  /** Newest first, at most `limit` (DEFAULT_LIST_LIMIT). `cycles` and `minTipC` come from the cycle rows
   * written at the end: 0 and null while a treatment is open. */
  list(limit: number = DEFAULT_LIST_LIMIT): TreatmentSummaryRow[] {
    return this.guard('list', () => {
      const n = checked(z.number().int().min(1).max(MAX_LIST_LIMIT), this.file, 'list: limit', limit);
      return (this.sql.list.all(n) as Row[]).map((r) => ({
        id: r.id as number,
        startedAtEpochMs: r.started_at_epoch_ms as number,
        endedAtEpochMs: r.ended_at_epoch_ms as number | null,
        outcome: r.outcome as TreatmentSummaryRow['outcome'],
        target: r.target_nerve_id === null ? null : { nerveId: r.target_nerve_id as string, side: r.target_side as 'left' | 'right' },
        probeId: r.probe_id as string | null,
        cycles: r.cycles as number,
        minTipC: r.min_tip_c as number | null,
      }));
    });
  }

  get(id: number): TreatmentRecord | null {
    return this.guard('get', () => {
      const tid = checkedId(this.file, 'get', id);
      return this.db.transaction(() => {
        const t = this.sql.treatment.get(tid) as Row | undefined;
        if (t === undefined) return null;
        const cycles = (this.sql.cycles.all(tid) as Row[]).map(cycleOf);
        const seal = t.seal_sha256 as Buffer | null;
        return {
          id: tid,
          start: startOf(t),
          end: endOf(t, cycles),
          cycles,
          events: (this.sql.events.all(tid) as Row[]).map(eventOf),
          samples: (this.sql.samples.all(tid) as Row[]).map((r) => sampleOf(r, this.phases)),
          sealSha256: seal === null ? null : seal.toString('hex'),
          schemaVersion: recordedSchemaVersionOf(t),
        };
      })();
    });
  }

  /** Throws a RecordsError when the store cannot take a write now: a connection SQLite opened
   * read-only (asked so, or a file it could only open read-only), or the write lock held elsewhere
   * (takes the lock and gives it back, writing nothing). The records worker asks while idle, so a
   * start is refused before a treatment begins rather than after. A full disk, or a file system made
   * read-only after the open, shows only on a real write. */
  checkWritable(): void {
    if (this.db.readonly) throw new RecordsError('read-only', `${this.file}: checkWritable: the database is open read-only`);
    this.guard('checkWritable', () => {
      this.db.transaction(() => undefined).immediate();
    });
  }

  verify(): VerifyResult {
    return this.guard('verify', () => this.db.transaction(() => verifyChain(this.db))());
  }

  close(): void {
    this.guard('close', () => {
      if (this.db.open) this.db.close();
    });
  }

  private guard<T>(operation: string, body: () => T): T {
    try {
      return body();
    } catch (error) {
      throw toRecordsError(this.file, operation, error);
    }
  }

  private detailJson(e: EventRow, i: number): string {
    let json: string | undefined;
    try {
      json = JSON.stringify(e.detail);
    } catch (error) {
      throw new RecordsError('invalid', `${this.file}: append: events.${i}.detail: not JSON (${String(error)})`);
    }
    if (json.length > MAX_EVENT_DETAIL_CHARS) {
      throw new RecordsError('invalid', `${this.file}: append: events.${i}.detail: ${json.length} characters of JSON, more than ${MAX_EVENT_DETAIL_CHARS}`);
    }
    return json;
  }

  /** The open treatment's start hash; refuses an unknown or sealed one (inside the transaction). */
  private openStart(id: number, operation: string): Row {
    const t = this.sql.treatment.get(id) as Row | undefined;
    if (t === undefined) throw new RecordsError('invalid', `${this.file}: ${operation}: no treatment ${id}`);
    if (t.outcome !== null) throw new RecordsError('invalid', `${this.file}: ${operation}: treatment ${id} is closed (${t.outcome as string}): nothing more can be written to it`);
    return t;
  }

  private appendRows(id: number, samples: readonly SampleRow[], events: readonly EventRow[], details: readonly string[]): void {
    const start = this.openStart(id, 'append').start_sha256 as Buffer;
    let tail = (this.sql.sampleTail.get(id) as Tail | undefined) ?? { seq: 0, sha256: start };
    for (const s of samples) {
      const values = sampleValues(id, tail.seq + 1, s, this.phases);
      tail = { seq: tail.seq + 1, sha256: rowSha256(tail.sha256, values) };
      this.sql.insertSample.run(...values, tail.sha256);
    }
    tail = (this.sql.eventTail.get(id) as Tail | undefined) ?? { seq: 0, sha256: start };
    events.forEach((e, i) => {
      const values = eventValues(id, tail.seq + 1, e, details[i] ?? '{}');
      tail = { seq: tail.seq + 1, sha256: rowSha256(tail.sha256, values) };
      this.sql.insertEvent.run(...values, tail.sha256);
    });
  }

  private seal(id: number, end: TreatmentEnd): void {
    const start = this.openStart(id, 'end').start_sha256 as Buffer;
    let cycleTail = start;
    for (const c of [...end.cycles].sort((a, b) => a.index - b.index)) {
      const values = cycleValues(id, c);
      cycleTail = rowSha256(cycleTail, cycleHashValues(values));
      this.sql.insertCycle.run(...values, cycleTail);
    }
    const samples = (this.sql.sampleTail.get(id) as Tail | undefined) ?? { seq: 0, sha256: start };
    const events = (this.sql.eventTail.get(id) as Tail | undefined) ?? { seq: 0, sha256: start };
    const values = endValues(end);
    const seal = sealSha256(
      start,
      { samples: samples.sha256, events: events.sha256, cycles: cycleTail },
      { samples: samples.seq, events: events.seq, cycles: end.cycles.length },
      values,
    );
    this.sql.sealTreatment.run(...values, seal, id);
  }

  /** One open treatment closed as interrupted at its last sample: an 'interrupted' event says
   * when it was recovered; cycles and frozen time come from its samples (recovery.ts), each
   * cycle's verdict from its recorded freeze-verdict event (verdict.ts). */
  private recoverOne(t: Row, nowEpochMs: number): InterruptedTreatment {
    const id = t.id as number;
    const samples: RecoverySample[] = (this.sql.recoverySamples.all(id) as Row[]).map((r) => ({
      tMs: r.t_ms as number,
      phase: phaseOf(r.phase as number, this.phases),
      tip0C: r.tip0_c as number | null,
      supplyValveOpen: r.supply_valve_open === 1,
    }));
    const lastTMs = samples.at(-1)?.tMs ?? 0;
    const frozenMs = frozenMsOf(samples);
    const event: EventRow = { tMs: lastTMs, kind: 'interrupted', detail: { recoveredAtEpochMs: nowEpochMs, lastSampleTMs: lastTMs, samples: samples.length } };
    this.appendRows(id, [], [event], [JSON.stringify(event.detail)]);
    // Epoch ms are whole (an INTEGER column); a sample's tMs from the real-time loop's clock is not.
    const end: TreatmentEnd = { endedAtEpochMs: Math.round((t.started_at_epoch_ms as number) + lastTMs), outcome: 'interrupted', cycles: withVerdicts(cyclesOf(samples), verdictsFromEvents((this.sql.verdictEvents.all(id) as Row[]).map(eventOf))), frozenMs, samplesDropped: 0 };
    this.seal(id, end);
    return { id, lastTMs, frozenMs };
  }
}
