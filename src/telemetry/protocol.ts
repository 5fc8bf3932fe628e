// What crosses between the control loop's thread and the telemetry worker (issue 10 section 2).
// The loop posts frames (state and telemetry) under credit-based flow control, and events and
// treatment summaries numbered, kept until the worker acknowledges them (stored in its outbox).
// The worker sends back its acknowledgements, the commands it accepted (stop, acknowledge) and
// those it refused, each validated where it arrives.
import { z } from 'zod';
import { MAX_BOARD_NAME_CHARS } from '../../hal/board-name.js';
import type { StateFrame, TelemetryFrame } from './metrics.js';
import { TelemetryFileSchema } from './config.js';

/** A state and/or telemetry frame; the worker acknowledges it by `seq` (the credit). */
export interface FrameMessage {
  readonly kind: 'frame';
  readonly seq: number;
  readonly state: StateFrame | null;
  readonly telemetry: TelemetryFrame | null;
}

/** An event or summary, numbered by the loop's side; kept there until acknowledged. */
export interface RecordMessage {
  readonly kind: 'record';
  readonly id: number;
  readonly type: 'event' | 'summary';
  readonly atEpochMs: number;
  /** JSON-able body: the controller event, a remote command's outcome, or the summary. */
  readonly body: Readonly<Record<string, unknown>>;
}

export type ToTelemetry = FrameMessage | RecordMessage | { readonly kind: 'stop' };

const RemoteCommandSchema = z.enum(['rebirth', 'stop', 'acknowledge']);
export const FromTelemetrySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('frame-ack'), seq: z.number().int() }).strict(),
  /** Every record up to `id` is in the outbox (or published). */
  z.object({ kind: z.literal('record-ack'), id: z.number().int() }).strict(),
  z.object({ kind: z.literal('command'), command: RemoteCommandSchema, from: z.string().max(200) }).strict(),
  z.object({ kind: z.literal('refused'), command: z.string().max(40), from: z.string().max(200), reason: z.string().max(500) }).strict(),
  z.object({ kind: z.literal('connected'), connected: z.boolean(), detail: z.string().max(500) }).strict(),
  z.object({ kind: z.literal('failed'), message: z.string().max(2_000) }).strict(),
  z.object({ kind: z.literal('stopped') }).strict(),
]);
export type FromTelemetry = z.infer<typeof FromTelemetrySchema>;

/** PEM text of the TLS files, read once at the command line's boundary (which names a file it
 * cannot read). */
/** The largest TLS file taken, bytes: a CA bundle is a few hundred kB. Read at the command line
 * with this bound (src/cli/run-telemetry.ts), so the worker never refuses what the run accepted. */
export const MAX_PEM_BYTES = 1_000_000;
const PemSchema = z.string().min(1).max(MAX_PEM_BYTES);
export const TelemetryWorkerDataSchema = z.strictObject({
  config: TelemetryFileSchema.extend({ url: z.string() }),
  tls: z.strictObject({ ca: PemSchema.optional(), cert: PemSchema.optional(), key: PemSchema.optional() }),
  dataDir: z.string().min(1),
  softwareVersion: z.string().max(100),
  board: z.string().max(MAX_BOARD_NAME_CHARS),
});
export type TelemetryWorkerData = z.input<typeof TelemetryWorkerDataSchema>;
