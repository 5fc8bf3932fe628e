// What crosses between the control loop's thread and the records worker (issue 10). The loop
// sends a treatment's start, its samples and events in batches, and its end, each numbered; the
// worker commits each in one transaction and acknowledges its number. The acknowledgement is the
// records side's heartbeat (RECORDS_UNAVAILABLE judges its silence) and frees the loop's copy: a
// message not acknowledged is sent again to a restarted worker, so nothing is lost that the loop
// still holds. The worker's own start reports the treatments it closed as interrupted.

/** The event the loop's side records first in each treatment: the site's cumulative freeze when it
 * began (a stop and a new start continue the same site), so a restart after a crash knows the
 * site's total, not only the interrupted treatment's. */
export const SITE_EVENT_KIND = 'site';
/** How often the loop's side posts a batch to the worker (src/runtime/records-link.ts); a kill -9
 * loses at most this plus one commit of samples. Here, beside the messages, because the store's
 * recovery of an interrupted treatment counts it too (recovery.ts). */
export const RECORDS_FLUSH_MS = 250;
export interface SiteEventDetail {
  readonly cumulativeFreezeMsAtStart: number;
}
import type { ConsoleIdentity, EventRow, InterruptedTreatment, SampleRow, TreatmentEnd, TreatmentStart } from './types.js';

/** A treatment's start as the loop knows it: the worker adds the console id it keeps. */
export type StartFromLoop = Omit<TreatmentStart, 'console'> & { readonly console: Omit<ConsoleIdentity, 'consoleId'> };

/** Messages the worker commits, in order. `uid` names the treatment for one worker's life; a
 * restarted worker, sent again what its predecessor may have committed without acknowledging it,
 * finds the treatment by `startedAtEpochMs` and skips what is there already: a begin whose
 * treatment exists, an append whose rows are all there (`samplesBefore`/`eventsBefore`: the rows
 * the link sent for the treatment before this batch), an end of a closed treatment. */
export type RecordsWrite =
  | { readonly kind: 'begin'; readonly seq: number; readonly uid: string; readonly start: StartFromLoop }
  | {
      readonly kind: 'append';
      readonly seq: number;
      readonly uid: string;
      readonly startedAtEpochMs: number;
      readonly samplesBefore: number;
      readonly eventsBefore: number;
      readonly samples: readonly SampleRow[];
      readonly events: readonly EventRow[];
    }
  | { readonly kind: 'end'; readonly seq: number; readonly uid: string; readonly startedAtEpochMs: number; readonly end: TreatmentEnd };

export type ToRecords = RecordsWrite | { readonly kind: 'stop' };

export type FromRecords =
  /** The store is open (migrated, interrupted treatments closed when asked to). */
  | {
      readonly kind: 'ready';
      readonly consoleId: string;
      readonly interrupted: readonly InterruptedTreatment[];
      /** The site's cumulative freeze at the end of the latest interrupted treatment (its 'site'
       * event at the start plus what it froze), or null when none was interrupted. */
      readonly priorSiteFreezeMs: number | null;
    }
  /** Every message up to `seq` is committed. */
  | { readonly kind: 'ack'; readonly seq: number }
  /** Message `seq` could not be committed; the worker retries it and writes nothing later first. */
  | { readonly kind: 'failure'; readonly seq: number; readonly code: string; readonly message: string }
  /** Idle, the store took its write lock again after a failure (nothing was owed). */
  | { readonly kind: 'writable' }
  /** The store could not be opened at all, or cannot take a write while idle; the worker retries. */
  | { readonly kind: 'unavailable'; readonly code: string; readonly message: string }
  /** Everything sent before `stop` is committed and the store closed. */
  | { readonly kind: 'stopped' };
