// The operator console's wire contract (issue 9): what the control loop publishes (a snapshot),
// what the console side may ask of it (commands), and the messages between the loop's thread and
// the console worker. Shared by the loop side (src/console/link.ts), the console worker and
// server (src/console/server/), and the page (src/console/page/, bundled for the browser).
// Pure: no Node, no DOM. Every message that crosses a boundary is validated here, once.
import { z } from 'zod';
import type { TimingPercentiles } from '../../kernel/loop-timing.js';
import type { AlarmView } from '../controller/alarms.js';
import type { FreezeVerdict, IceBallEstimate } from '../controller/ice-ball.js';
import { NERVES } from '../records/nerves.js';
import { NERVE_SIDES } from '../records/types.js';
import type { NerveSide } from '../records/types.js';

// The numbers of the contract live in a file without zod, so the page bundle stays small.
export { MAX_CLIENT_MESSAGE_BYTES, SNAPSHOT_PERIOD_MS, TREND_SAMPLES } from './constants.js';

const finite = z.number();
const int = (min: number, max: number) => z.number().int().min(min).max(max);

/** A protocol chosen on the page: a preset by name, or cycles/freeze/thaw. The bounds are the
 * controller's own (src/controller/settings.ts), checked again by the loop through
 * `withProtocol`; the page reads them from the snapshot's `limits`, never from a copy. */
export const ProtocolChoiceSchema = z.union([
  z.object({ preset: z.string().min(1).max(40) }).strict(),
  z.object({ cycles: int(1, 100), freezeS: finite, thawS: finite }).strict(),
]);
export type ProtocolChoice = z.infer<typeof ProtocolChoiceSchema>;

/** A nerve id longer than this is refused before it is looked up or echoed (the catalog's longest
 * id is under 30 characters). */
export const MAX_NERVE_ID_CHARS = 64;
/** How much of a refused value a reason echoes. */
const ECHO_CHARS = 40;
const echo = (value: unknown): string => JSON.stringify(typeof value === 'string' ? value.slice(0, ECHO_CHARS) : value);

/** The target nerve and side chosen on the page: a nerve of the shipped catalog
 * (src/records/nerves.ts) and left or right. A bad one is refused with the field and value. */
export const TreatmentTargetSchema = z
  .object({
    nerveId: z
      .string()
      .max(MAX_NERVE_ID_CHARS, { abort: true })
      .refine((id) => NERVES.some((n) => n.id === id), { error: (issue) => `unknown nerve ${echo(issue.input)} (not in the catalog)` }),
    side: z.string().refine((side) => (NERVE_SIDES as readonly string[]).includes(side), { error: (issue) => `side ${echo(issue.input)} is not one of ${NERVE_SIDES.join(', ')}` }),
  })
  .strict()
  .transform((t) => ({ nerveId: t.nerveId, side: t.side as NerveSide }));

/** What a console client may ask. Nothing here bypasses the control step: each becomes an
 * operator input at the start of the next tick, like a button press. */
export const ConsoleCommandSchema = z.discriminatedUnion('type', [
  /** `target` absent: the run's default (`cryo run --target`, or none). */
  z.object({ type: z.literal('start'), protocol: ProtocolChoiceSchema, target: TreatmentTargetSchema.optional() }).strict(),
  z.object({ type: z.literal('stop') }).strict(),
  z.object({ type: z.literal('acknowledge') }).strict(),
  z.object({ type: z.literal('audio-pause') }).strict(),
]);
export type ConsoleCommand = z.infer<typeof ConsoleCommandSchema>;
export type ConsoleCommandType = ConsoleCommand['type'];

/** Where a client connects from: the kiosk on this machine, or anything else. */
export type ClientOrigin = 'loopback' | 'remote';

/** The loop's tick-start error over a span (kernel/loop-timing.ts); `late` counts the ticks that
 * started more than the late threshold after their target. */
export type Percentiles = TimingPercentiles;

/** The loop's own timing: tick-start error since start and over the last minute. */
export interface LoopHealth {
  readonly rateHz: number;
  readonly lateThresholdMs: number;
  readonly sinceStart: Percentiles;
  readonly lastMinute: Percentiles;
  readonly missed: number;
}

/** The alarm view is the controller's own (`alarmView` in src/controller/alarms.ts builds it):
 * one definition, re-exported here for the server and the page. Type-only: nothing of the
 * controller is bundled into the page. */
export type {
  AlarmConditionView,
  AlarmView,
  AudibleSignalState,
  InfoSignalView,
  VisualSignalState,
} from '../controller/alarms.js';

export interface SnapshotEvent {
  readonly atMs: number;
  readonly text: string;
  readonly kind: string;
}

/** The controller's ice-ball types, re-exported for the server and the page (type-only). */
export type { FreezeVerdict, IceBallEstimate } from '../controller/ice-ball.js';

/** The live ice-ball estimate as the page shows it: a model of the tissue around the tip driven
 * by the measured tip temperature (docs/tissue-model.md), not a measurement. */
export interface IceBallView {
  /** The radii now (mm from the probe axis) and the loop time they were computed for; null when
   * no estimate runs, it is older than ICE_BALL_MAX_AGE_MS, or the tip reading it rests on is not
   * trusted. Never an old estimate shown as now. */
  readonly estimate: IceBallEstimate | null;
  /** Why `estimate` is null; null when it is shown. */
  readonly unknown: string | null;
  /** The r(-20 C) radius the treatment under way (between treatments: the last one) is judged
   * against, mm: the target the settings resolve now (its nerve's, else its protocol's, else the
   * default; targetRadiusMm), before the first verdict too. The next treatment's can differ (the
   * start dialog's startTargets). Null only from a sender that has none. */
  readonly targetMm: number | null;
}

/** The r(-20 C) target radius, mm, by the nerve a start names. */
export interface StartTargetsByNerve {
  /** A start naming no nerve (NOT LISTED, or no catalog): judged for the run's nerve (`--target`),
   * or none. */
  readonly noNerveMm: number;
  /** By catalog nerve id (every nerve of the catalog). */
  readonly byNerveMm: Readonly<Record<string, number>>;
}

/** The r(-20 C) target a treatment started now from the start dialog would be judged against, mm,
 * for each choice the dialog offers (issue 11), so the confirmation can name it. The loop works it
 * out with the controller's resolver (settings.ts targetRadiusMm) and the protocol and nerve it
 * applies to such a start (ControlLoop.setProtocol, the treatment's nerve): the page looks the
 * value up and decides nothing. */
export interface StartTargets {
  /** The run's protocol's figures: a protocol chosen with these (a preset or custom figures) is
   * the run's protocol, its own target (protocol.targetRadiusMm) included; other figures have none. */
  readonly runFigures: { readonly cycles: number; readonly freezeS: number; readonly thawS: number };
  /** A start with the run's figures. */
  readonly runProtocol: StartTargetsByNerve;
  /** A start with any other figures. */
  readonly otherProtocol: StartTargetsByNerve;
}

/** The controller's bounds for a protocol, published so the page never keeps its own copy. */
export interface ProtocolLimits {
  readonly cycles: { readonly min: number; readonly max: number };
  readonly freezeS: { readonly min: number; readonly max: number };
  readonly thawS: { readonly min: number; readonly max: number };
  readonly presets: Readonly<Record<string, { readonly cycles: number; readonly freezeS: number; readonly thawS: number }>>;
}

/** Everything the page shows, published by the loop at SNAPSHOT_PERIOD_MS. */
export interface Snapshot {
  /** +1 per publish. */
  readonly seq: number;
  /** Controller clock. */
  readonly atMs: number;
  readonly board: string;
  readonly phase: string;
  readonly cycle: number;
  readonly protocol: { readonly cycles: number; readonly freezeS: number; readonly thawS: number };
  /** Seconds left in the freeze or thaw; null outside them. */
  readonly secondsLeft: number | null;
  /** Control channel, calibrated; null when it has no usable reading. */
  readonly tipC: number | null;
  /** Why tipC is null: the channel's fault, its sample too old to show as live, or the controller
   * distrusting the reading since a tip-validity trip (state.tipDistrust, until the next start). */
  readonly tipFault: string | null;
  /** Null when not measured, not a number, or the sample is older than tip.staleMs. */
  readonly supplyBarGauge: number | null;
  readonly returnBarAbs: number | null;
  /** Why a pressure is not shown although measured: its sample is too old (or mis-stamped); null
   * when both shown are fresh. */
  readonly pressureFault: string | null;
  readonly outputs: {
    readonly supplyValveOpen: boolean;
    readonly safetyValveOpen: boolean;
    readonly buzzer: boolean;
    readonly lamps: { readonly high: boolean; readonly medium: boolean; readonly low: boolean };
  };
  /** SAFE TO WITHDRAW, DO NOT WITHDRAW, or TIP UNKNOWN with its wait (src/ui/status.ts). */
  readonly withdrawal: { readonly safe: boolean; readonly text: string };
  readonly estop: boolean;
  readonly footswitch: boolean;
  readonly alarms: AlarmView;
  readonly loop: LoopHealth;
  readonly limits: ProtocolLimits;
  /** The target each choice of the start dialog would be judged against. */
  readonly startTargets: StartTargets;
  /** The live ice-ball estimate (issue 11): a model, labelled as such on the page. */
  readonly iceBall: IceBallView;
  /** The efficacy verdict of each ended freeze of the treatment under way, in cycle order (the
   * controller's own list, state.freezeVerdicts). */
  readonly freezeVerdicts: readonly FreezeVerdict[];
  /** The latest events (bounded), newest last: refusals, trips, phase changes. */
  readonly events: readonly SnapshotEvent[];
}

/** Loop thread -> console worker. */
export type ToConsole =
  | { readonly kind: 'snapshot'; readonly snapshot: Snapshot }
  | { readonly kind: 'stop' };

/** Console worker -> loop thread. `ack` is also the worker's heartbeat. */
export const FromConsoleSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ack'), seq: z.number().int().min(0) }).strict(),
  z.object({ kind: z.literal('ready'), url: z.string() }).strict(),
  z.object({ kind: z.literal('failed'), message: z.string() }).strict(),
  z
    .object({
      kind: z.literal('command'),
      command: ConsoleCommandSchema,
      origin: z.enum(['loopback', 'remote']),
      client: z.string().max(80),
    })
    .strict(),
]);
export type FromConsole = z.infer<typeof FromConsoleSchema>;
