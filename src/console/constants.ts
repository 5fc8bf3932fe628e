// The console contract's numbers (re-exported by protocol.ts). No imports: the page bundles this
// file without zod.

/** Largest message a client may send, in bytes; larger ones are refused unread. */
export const MAX_CLIENT_MESSAGE_BYTES = 1_024;

/** Tip trend history the server keeps so a page that reconnects redraws at once (domain 10:
 * Moonraker keeps 1200 samples): 1200 samples at 10 Hz is two minutes. */
export const TREND_SAMPLES = 1_200;

/** The loop publishes at least this often (issue 9: at least 10 a second). */
export const SNAPSHOT_PERIOD_MS = 100;

/** The page's staleness limit: five missed publishes, well inside issue 9's 1 s and well above a
 * busy tab's jitter. A page that has had no new snapshot for this long says CONNECTION LOST; a
 * `full` snapshot whose age at the server (its `ageMs`) is over this proves nothing live. */
export const STALE_AFTER_MS = 5 * SNAPSHOT_PERIOD_MS;
