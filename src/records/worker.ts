// The records worker (issue 10): a thread of its own that owns the treatment records' database, so
// no disk wait ever lands on the control loop's thread. It opens the store (migrating it, closing
// as interrupted what a crash left open when asked to), then commits each message from the loop
// (src/runtime/records-link.ts) in one transaction, in order, and acknowledges it. A message that
// cannot be committed (locked, read-only, full, corrupt) is reported, kept at the head and retried
// every RETRY_MS; nothing behind it is written first, so the record keeps its order. A store that
// cannot be opened is reported and opened again every RETRY_MS.
import { parentPort, workerData } from 'node:worker_threads';
import { z } from 'zod';
import { lowerThreadPriority } from '../console/worker-priority.js';
import { SITE_EVENT_KIND } from './protocol.js';
import type { FromRecords, RecordsWrite, SiteEventDetail, ToRecords } from './protocol.js';
import { RecordsError, RecordsStore, recordsPath } from './store.js';
import type { ConsoleIdentity, InterruptedTreatment } from './types.js';

/** How often a failed write or open is tried again. */
export const RETRY_MS = 1_000;
/** How often an idle worker checks that the store still takes a write (so RECORDS_UNAVAILABLE
 * blocks a start before it begins a treatment, not just after). */
export const IDLE_CHECK_MS = 2_000;

export const RecordsWorkerDataSchema = z
  .object({
    dataDir: z.string().min(1),
    /** Close treatments a crash left open (the first worker of a console run only). */
    recover: z.boolean(),
  })
  .strict();

/** How many recent treatments a restarted worker looks through for one it is sent again. */
const RESENT_LOOKBACK = 10;

interface Known {
  readonly id: number;
  samples: number;
  events: number;
  ended: boolean;
}

function describe(err: unknown): { code: string; message: string } {
  if (err instanceof RecordsError) return { code: err.code, message: err.message };
  return { code: 'io', message: (err as Error).message };
}

/** How many treatments back `siteAtStartMs` looks for a recorded site figure. */
const SITE_LOOKBACK = 10;

/** The site's cumulative freeze when treatment `id` began: its 'site' event; without one (the
 * process died after its begin was committed, before its first batch), the site total the
 * treatment before it reached (its own site figure plus what it froze), never 0: that
 * over-counts only when a new site was declared in between, the safe direction for the cap. */
function siteAtStartMs(store: RecordsStore, id: number, lookback: number = SITE_LOOKBACK): number {
  const record = store.get(id);
  if (record === null) return 0;
  const site = record.events.find((e) => e.kind === SITE_EVENT_KIND);
  const raw: unknown = (site?.detail as Partial<SiteEventDetail> | undefined)?.cumulativeFreezeMsAtStart;
  if (typeof raw === 'number' && Number.isFinite(raw)) return Math.max(0, raw);
  if (site !== undefined || id <= 1 || lookback <= 0) return 0;
  const before = store.get(id - 1);
  return siteAtStartMs(store, id - 1, lookback - 1) + (before?.end?.frozenMs ?? 0);
}

/** The site's cumulative freeze at the end of the latest treatment, when that treatment was
 * interrupted: closed by this start's recovery or by an earlier one (a console that crashed
 * again, or was switched off, before a new treatment began still counts the site). Null when the
 * latest treatment ended normally: its console was running at the end, and a new start then
 * either continues the site (the controller's own count, its record's site event) or declares a
 * new one. */
function priorSite(store: RecordsStore, interrupted: readonly InterruptedTreatment[]): number | null {
  const recovered = interrupted.reduce<InterruptedTreatment | null>((a, b) => (a === null || b.id > a.id ? b : a), null);
  const latest = store.list(1)[0];
  if (latest === undefined) return null;
  if (recovered !== null && recovered.id === latest.id) return siteAtStartMs(store, latest.id) + recovered.frozenMs;
  if (latest.outcome !== 'interrupted') return null;
  const frozenMs = store.get(latest.id)?.end?.frozenMs ?? 0;
  return siteAtStartMs(store, latest.id) + frozenMs;
}

function main(): void {
  const port = parentPort;
  if (port === null) throw new Error('src/records/worker.ts runs as a worker thread (new Worker), not on its own');
  const post = (m: FromRecords): void => {
    port.postMessage(m);
  };
  const parsed = RecordsWorkerDataSchema.safeParse(workerData);
  if (!parsed.success) {
    post({ kind: 'unavailable', code: 'io', message: `records worker data: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` });
    return;
  }
  const { dataDir, recover } = parsed.data;
  // Below the loop, like the console and telemetry workers: a thread started after the loop's was
  // raised inherits a raised nice value when real time was refused (loop-priority.ts).
  // Raising a nice value needs no privilege; a refusal (another OS) costs timing, not records.
  lowerThreadPriority();
  const file = recordsPath(dataDir);
  let store: RecordsStore | null = null;
  let consoleId = '';
  const queue: RecordsWrite[] = [];
  /** Treatment uid -> its database id and the rows this worker knows are committed, for this
   * worker's life. */
  const known = new Map<string, Known>();
  let retry: NodeJS.Timeout | null = null;
  let stopping = false;

  const open = (): boolean => {
    try {
      store = RecordsStore.open(file);
      consoleId = store.consoleId();
      const interrupted = recover ? store.recoverInterrupted(Date.now()) : [];
      post({ kind: 'ready', consoleId, interrupted, priorSiteFreezeMs: priorSite(store, interrupted) });
      return true;
    } catch (err) {
      store?.close();
      store = null;
      post({ kind: 'unavailable', ...describe(err) });
      return false;
    }
  };

  /** A treatment this worker did not begin (its predecessor did, and may have committed more of it
   * than it acknowledged): found by its start, with what is committed of it. */
  const found = (s: RecordsStore, uid: string, startedAtEpochMs: number): Known | null => {
    const row = s.list(RESENT_LOOKBACK).find((t) => t.startedAtEpochMs === startedAtEpochMs);
    const record = row === undefined ? null : s.get(row.id);
    if (record === null) return null;
    const k = { id: record.id, samples: record.samples.length, events: record.events.length, ended: record.end !== null };
    known.set(uid, k);
    return k;
  };

  const knownOf = (s: RecordsStore, uid: string, startedAtEpochMs: number): Known => {
    const k = known.get(uid) ?? found(s, uid, startedAtEpochMs);
    if (k === null) throw new RecordsError('io', `${file}: no treatment started at ${startedAtEpochMs} for ${uid}`);
    return k;
  };

  /** Commits `m`, or skips it when it is committed already (sent again after a restart). */
  const write = (s: RecordsStore, m: RecordsWrite): void => {
    switch (m.kind) {
      case 'begin': {
        if (!known.has(m.uid) && found(s, m.uid, m.start.startedAtEpochMs) !== null) return;
        const console: ConsoleIdentity = { ...m.start.console, consoleId };
        known.set(m.uid, { id: s.begin({ ...m.start, console }), samples: 0, events: 0, ended: false });
        return;
      }
      case 'append': {
        const k = knownOf(s, m.uid, m.startedAtEpochMs);
        if (k.samples >= m.samplesBefore + m.samples.length && k.events >= m.eventsBefore + m.events.length) return;
        s.append(k.id, m.samples, m.events);
        k.samples += m.samples.length;
        k.events += m.events.length;
        return;
      }
      case 'end': {
        const k = knownOf(s, m.uid, m.startedAtEpochMs);
        if (!k.ended) s.end(k.id, m.end);
        known.delete(m.uid);
        return;
      }
    }
  };

  const drain = (): void => {
    if (retry !== null) return;
    if (store === null && !open()) {
      retry = setTimeout(() => {
        retry = null;
        drain();
      }, RETRY_MS);
      return;
    }
    const s = store;
    if (s === null) return;
    let last: number | null = null;
    while (queue.length > 0) {
      const m = queue[0];
      if (m === undefined) break;
      try {
        write(s, m);
      } catch (err) {
        if (last !== null) post({ kind: 'ack', seq: last });
        post({ kind: 'failure', seq: m.seq, ...describe(err) });
        if (err instanceof RecordsError && err.code === 'invalid') {
          // The store refuses this message's content (a defect on the loop's side, named in the
          // failure): retrying cannot help and would hold every later message back for ever. It
          // is set aside; the next commit clears the failure, and a treatment whose end it was
          // stays open until the next start closes it as interrupted.
          queue.shift();
          last = m.seq;
          continue;
        }
        retry = setTimeout(() => {
          retry = null;
          drain();
        }, RETRY_MS);
        return;
      }
      queue.shift();
      last = m.seq;
    }
    if (last !== null) post({ kind: 'ack', seq: last });
    if (stopping) finish();
  };

  const finish = (): void => {
    clearInterval(idleCheck);
    store?.close();
    store = null;
    post({ kind: 'stopped' });
    port.close();
  };

  // Idle: is the store still writable? Reported once per change, so the loop's failure clears.
  let idleFailing = false;
  const idleCheck = setInterval(() => {
    const s = store;
    if (s === null || queue.length > 0 || retry !== null || stopping) return;
    try {
      s.checkWritable();
      if (idleFailing) post({ kind: 'writable' });
      idleFailing = false;
    } catch (err) {
      idleFailing = true;
      post({ kind: 'unavailable', ...describe(err) });
    }
  }, IDLE_CHECK_MS);

  port.on('message', (m: ToRecords) => {
    if (m.kind === 'stop') {
      stopping = true;
      if (queue.length === 0 && retry === null) finish();
      return;
    }
    queue.push(m);
    drain();
  });
  drain();
}

main();
