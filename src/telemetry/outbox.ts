// The telemetry outbox (issue 10 section 2): events and treatment summaries are written here, in
// the records database's `outbox` table (migration 2), before they are published, and removed
// once the broker acknowledges them (QoS 1). What the broker has not acknowledged when the
// connection drops, or what arrives while it is away, waits here, survives a restart, and is
// replayed in order after the next NBIRTH, marked historical. Bounded: past OUTBOX_MAX_ROWS the
// oldest row is dropped and counted. The telemetry worker owns this connection; the records
// worker has its own (WAL lets both write, one transaction at a time, each a few rows).
import Database from 'better-sqlite3';
import { migrate } from '../records/migrations.js';
import { nextBdSeq } from './sparkplug.js';

/** Rows kept for a broker that is away: at a few events a minute, days of them, and a few MB at
 * most (an event is a few hundred bytes). Past it the oldest row goes first, counted. */
export const OUTBOX_MAX_ROWS = 10_000;
/** Another connection's write lock (the records worker's batch) is waited for this long. This is
 * the telemetry worker's own thread, never the loop's. */
export const OUTBOX_BUSY_TIMEOUT_MS = 2_000;
const BD_SEQ_KEY = 'mqtt_bd_seq';

export interface OutboxRow {
  readonly id: number;
  readonly atEpochMs: number;
  readonly type: 'event' | 'summary';
  readonly body: string;
}

export class Outbox {
  readonly #db: Database.Database;
  readonly #maxRows: number;
  #dropped = 0;
  readonly #sql;

  constructor(file: string, maxRows = OUTBOX_MAX_ROWS) {
    this.#maxRows = maxRows;
    this.#db = new Database(file, { timeout: OUTBOX_BUSY_TIMEOUT_MS });
    try {
      this.#db.pragma('journal_mode = WAL');
      this.#db.pragma('synchronous = FULL');
      migrate(this.#db, file);
    } catch (err) {
      this.#db.close();
      throw err;
    }
    const db = this.#db;
    this.#sql = {
      consoleId: db.prepare("SELECT value FROM meta WHERE key = 'console_id'").pluck(),
      getBdSeq: db.prepare('SELECT value FROM meta WHERE key = ?').pluck(),
      setBdSeq: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
      insert: db.prepare('INSERT INTO outbox (at_epoch_ms, type, body) VALUES (?, ?, ?)'),
      count: db.prepare('SELECT count(*) FROM outbox').pluck(),
      dropOldest: db.prepare('DELETE FROM outbox WHERE id IN (SELECT id FROM outbox ORDER BY id LIMIT ?)'),
      after: db.prepare('SELECT id, at_epoch_ms AS atEpochMs, type, body FROM outbox WHERE id > ? ORDER BY id LIMIT ?'),
      remove: db.prepare('DELETE FROM outbox WHERE id = ?'),
    };
  }

  consoleId(): string {
    return this.#sql.consoleId.get() as string;
  }

  /** The boot counter for the next connection: the last one +1 mod 256 (0 the first time), kept
   * before it is used, so a restart never reuses the bdSeq of a will the broker may still hold. */
  takeBdSeq(): number {
    return this.#db
      .transaction(() => {
        const raw = this.#sql.getBdSeq.get(BD_SEQ_KEY) as string | undefined;
        const previous = raw === undefined ? null : Number.parseInt(raw, 10);
        const next = nextBdSeq(previous === null || !Number.isInteger(previous) ? null : previous);
        this.#sql.setBdSeq.run(BD_SEQ_KEY, String(next));
        return next;
      })
      .immediate();
  }

  /** Keeps one event or summary; past the bound the oldest go, counted. Returns its id. */
  add(atEpochMs: number, type: OutboxRow['type'], body: string): number {
    return this.#db
      .transaction(() => {
        const count = this.#sql.count.get() as number;
        if (count >= this.#maxRows) {
          const excess = count - this.#maxRows + 1;
          this.#sql.dropOldest.run(excess);
          this.#dropped += excess;
        }
        return Number(this.#sql.insert.run(Math.round(atEpochMs), type, body).lastInsertRowid);
      })
      .immediate();
  }

  /** Up to `limit` rows after id `afterId`, oldest first. */
  after(afterId: number, limit: number): OutboxRow[] {
    return this.#sql.after.all(afterId, limit) as OutboxRow[];
  }

  remove(id: number): void {
    this.#sql.remove.run(id);
  }

  get size(): number {
    return this.#sql.count.get() as number;
  }

  /** Rows dropped past the bound since this outbox was opened. */
  get dropped(): number {
    return this.#dropped;
  }

  close(): void {
    this.#db.close();
  }
}
