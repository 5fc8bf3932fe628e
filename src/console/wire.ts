// The console socket between the server (src/console/server/) and the page
// (src/console/page/): what the page may send (a command from protocol.ts, or its token), and
// what the server sends (Moonraker style: the full snapshot and the tip trend on connect, then
// the changed top-level fields at every publish). Pure: no Node, no DOM.
import { z } from 'zod';
import { ConsoleCommandSchema } from './protocol.js';
import type { TreatmentSummaryRow, TreatmentTarget } from '../records/types.js';
import type { ClientOrigin, ConsoleCommandType, Snapshot } from './protocol.js';

/** A token presented as the first message (instead of `?token=` in the URL, which a browser may
 * keep in its history). Bounded like every other field. */
export const AuthMessageSchema = z.object({ type: z.literal('auth'), token: z.string().min(1).max(128) }).strict();

/** Everything a client may send. Anything else is refused with a reason. */
export const ClientMessageSchema = z.union([ConsoleCommandSchema, AuthMessageSchema]);
export type ClientMessage = z.infer<typeof ClientMessageSchema>;

/** What this client may do, and why not when it may not. */
export interface Access {
  readonly origin: ClientOrigin;
  /** stop, acknowledge. */
  readonly canCommand: boolean;
  /** start: only the kiosk (loopback), even with the token (KIOSK_ONLY_COMMANDS). */
  readonly canStart: boolean;
  /** audio pause: only the kiosk (loopback), even with the token (KIOSK_ONLY_COMMANDS). */
  readonly canAudioPause: boolean;
  /** Why the controls are limited, for the page to say; null when it may do everything. */
  readonly reason: string | null;
}

/** The tip trend as two columns (uPlot's own data shape): controller ms and tip C (null: no reading). */
export interface Trend {
  readonly atMs: readonly number[];
  readonly tipC: readonly (number | null)[];
}

/** A nerve of the shipped catalog (src/records/nerves.ts) as the start dialog shows it. */
export interface NerveChoice {
  readonly id: string;
  readonly name: string;
  readonly territory: string;
  /** Carries motor fibres: the confirmation warns with `motorNote`. */
  readonly motor: boolean;
  readonly motorNote: string;
}

/** The latest treatments in the records, newest first (`cryo records list`'s rows), or why they
 * cannot be read. */
export type RecentTreatments =
  | { readonly available: true; readonly treatments: readonly TreatmentSummaryRow[] }
  | { readonly available: false; readonly reason: string };

export type ServerMessage =
  | { readonly kind: 'access'; readonly access: Access }
  /** The last snapshot and the trend, on connect (and at a server's first publish). `server`
   * names this server's life (new at every start: the loop's seq carries on across a worker
   * restart, but the page must not compare across servers); `ageMs` is how long ago the server
   * received this snapshot from the loop: over STALE_AFTER_MS, it is old (a loop gone silent)
   * and proves nothing about the loop being live. */
  | { readonly kind: 'full'; readonly snapshot: Snapshot; readonly trend: Trend; readonly server: string; readonly ageMs: number }
  /** Changed top-level fields only; `seq` and `atMs` always (they change at every publish). */
  | { readonly kind: 'changes'; readonly changes: Partial<Snapshot>; readonly point: readonly [number, number | null] }
  /** On connect: the nerve catalog for the start dialog, and the run's `--target` (null: none),
   * which the dialog preselects. */
  | { readonly kind: 'catalog'; readonly nerves: readonly NerveChoice[]; readonly defaultTarget: TreatmentTarget | null }
  /** On connect and whenever the list changes. */
  | { readonly kind: 'recent'; readonly recent: RecentTreatments }
  | { readonly kind: 'accepted'; readonly command: ConsoleCommandType }
  | { readonly kind: 'refused'; readonly command: string | null; readonly reason: string };
