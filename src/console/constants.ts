// The console contract's numbers (re-exported by protocol.ts). No imports: the page bundles this
// file without zod.

/** Largest message a client may send, in bytes; larger ones are refused unread. */
export const MAX_CLIENT_MESSAGE_BYTES = 1_024;

/** Tip trend history the server keeps so a page that reconnects redraws at once (domain 10:
 * Moonraker keeps 1200 samples): 1200 samples at 10 Hz is two minutes. */
export const TREND_SAMPLES = 1_200;

/** The loop publishes at least this often (issue 9: at least 10 a second). */
export const SNAPSHOT_PERIOD_MS = 100;
