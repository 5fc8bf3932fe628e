// What the console page shows of the treatment records (issue 10), read in the console worker,
// never on the loop's thread: the nerve catalog for the start dialog, and the latest treatments.
// The records worker (src/records/worker.ts) owns the store and writes it; this side only opens it
// read-only, lists, and closes again at each poll, so it holds no lock and no file between polls.
// A store that is missing or cannot be read is reported as such, with its reason: nothing here
// may throw into the worker (a console worker that ends stops a freeze through CONSOLE_LOST).
import { NERVES } from '../records/nerves.js';
import type { NerveChoice, RecentTreatments } from './wire.js';

/** Treatments the page lists: a screen's corner, the day's last few. */
export const RECENT_TREATMENTS = 8;
/** How often the worker reads the list again. A treatment's row changes at its start and its end;
 * 5 s is soon enough to see a new one on the page and costs a few ms of the worker's time. */
export const RECENT_POLL_MS = 5_000;
/** A read waits at most this for a lock (a checkpoint): well inside the worker's acknowledgement
 * deadline (console.lostMs, at least several hundred ms), since the read runs on its thread. */
export const RECENT_BUSY_TIMEOUT_MS = 100;
/** A reason is cut to this many characters (an error may quote a long path). */
const MAX_REASON_CHARS = 200;

/** The catalog as the page shows it (never a copy kept in the page). */
export function nerveChoices(): NerveChoice[] {
  return NERVES.map((n) => ({ id: n.id, name: n.name, territory: n.territory, motor: n.motor, motorNote: n.motorNote }));
}

function reasonOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, MAX_REASON_CHARS);
}

/** The latest `limit` treatments of the records in `dataDir`, or why they cannot be read. The
 * store module (and better-sqlite3, a native addon) is loaded here, on first use: one that cannot
 * load makes the list unavailable, not the worker fail to start. */
export async function readRecent(dataDir: string, limit: number = RECENT_TREATMENTS): Promise<RecentTreatments> {
  let store: { close(): void } | null = null;
  try {
    const { RecordsStore, recordsPath } = await import('../records/store.js');
    const opened = RecordsStore.open(recordsPath(dataDir), { readonly: true, busyTimeoutMs: RECENT_BUSY_TIMEOUT_MS });
    store = opened;
    return { available: true, treatments: opened.list(limit) };
  } catch (error) {
    return { available: false, reason: reasonOf(error) };
  } finally {
    try {
      store?.close();
    } catch {
      // A read-only connection that cannot close has nothing to lose; the next poll opens anew.
    }
  }
}

/** Reads the list when asked and reports it only when it changed (compared as JSON). */
export class RecentPoller {
  #lastJson: string | null = null;
  #reading = false;

  constructor(
    private readonly dataDir: string,
    private readonly onChange: (recent: RecentTreatments) => void,
    private readonly read: (dataDir: string) => Promise<RecentTreatments> = readRecent,
  ) {}

  /** One poll; a poll still reading is not doubled. */
  async poll(): Promise<void> {
    if (this.#reading) return;
    this.#reading = true;
    try {
      const recent = await this.read(this.dataDir);
      const json = JSON.stringify(recent);
      if (json === this.#lastJson) return;
      this.#lastJson = json;
      this.onChange(recent);
    } finally {
      this.#reading = false;
    }
  }
}
