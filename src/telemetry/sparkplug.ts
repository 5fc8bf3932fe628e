// Sparkplug B 3.0 for the console (issue 10 section 2; shared/domain.md section 10): the topic
// namespace, the message sequence number, and the protobuf payload through Eclipse Tahu's
// `sparkplug-payload`. Pure apart from the encoder: no socket here.
import sparkplug from 'sparkplug-payload';
import type { UMetric, UPayload } from 'sparkplug-payload/lib/sparkplugbpayload.js';
import { z } from 'zod';
import { valueText } from '../../kernel/config-error.js';
import { METRICS } from './metrics.js';
import type { MetricType, OutMetric } from './metrics.js';

export const NAMESPACE = 'spBv1.0';
/** Sparkplug's sequence numbers (seq and bdSeq) wrap at 256. */
export const SEQ_MODULO = 256;
export type NodeMessageType = 'NBIRTH' | 'NDEATH' | 'NDATA' | 'NCMD';

export function nodeTopic(groupId: string, type: NodeMessageType, edgeNodeId: string): string {
  return `${NAMESPACE}/${groupId}/${type}/${edgeNodeId}`;
}

/** The message sequence of one MQTT session: NBIRTH is 0, every later message +1 mod 256. */
export class SparkplugSequence {
  #seq = 0;

  /** A birth (or rebirth) starts the count again at 0. */
  birth(): number {
    this.#seq = 0;
    return 0;
  }

  next(): number {
    this.#seq = (this.#seq + 1) % SEQ_MODULO;
    return this.#seq;
  }

  get current(): number {
    return this.#seq;
  }
}

export const nextBdSeq = (previous: number | null): number => (previous === null ? 0 : (previous + 1) % SEQ_MODULO);

const encoder = sparkplug.get(NAMESPACE);
if (encoder === null) throw new Error(`sparkplug-payload does not know the namespace ${NAMESPACE}`);
const codec = encoder;

function toTahu(m: OutMetric): UMetric {
  const out: UMetric = { name: m.name, type: m.type, value: m.value, timestamp: m.timestamp };
  if (m.value === null) out.isNull = true;
  if (m.isHistorical === true) out.isHistorical = true;
  if (m.quality !== undefined) out.properties = { Quality: { type: 'Int32', value: m.quality } };
  return out;
}

/** One Sparkplug B payload: the protobuf bytes of `metrics`, stamped `atEpochMs`, with `seq`
 * (omitted for NDEATH, which carries only bdSeq). */
export function encodePayload(metrics: readonly OutMetric[], atEpochMs: number, seq: number | null): Buffer {
  const payload: UPayload = { timestamp: atEpochMs, metrics: metrics.map(toTahu) };
  if (seq !== null) payload.seq = seq;
  return Buffer.from(codec.encodePayload(payload));
}

/** A decoded metric with plain numbers (Tahu decodes 64-bit values as Long). */
export interface InMetric {
  readonly name: string;
  readonly type: string;
  readonly value: unknown;
  readonly timestamp: number | null;
  readonly isHistorical: boolean;
  readonly quality: number | null;
}

export interface InPayload {
  readonly timestamp: number | null;
  readonly seq: number | null;
  readonly metrics: readonly InMetric[];
}

const asNumber = (v: unknown): unknown => {
  if (v !== null && typeof v === 'object' && 'toNumber' in v && typeof v.toNumber === 'function') return (v.toNumber as () => number).call(v);
  return v;
};
const numberOrNull = (v: unknown): number | null => {
  const n = asNumber(v);
  return typeof n === 'number' ? n : null;
};

/** Decodes a payload; throws on bytes that are not a Sparkplug B payload. */
export function decodePayload(bytes: Uint8Array): InPayload {
  const p = codec.decodePayload(bytes);
  return {
    timestamp: numberOrNull(p.timestamp),
    seq: numberOrNull(p.seq),
    metrics: (p.metrics ?? []).map((m) => ({
      name: m.name ?? '',
      type: m.type,
      value: m.isNull === true ? null : asNumber(m.value),
      timestamp: numberOrNull(m.timestamp),
      isHistorical: m.isHistorical === true,
      quality: numberOrNull(m.properties?.['Quality']?.value),
    })),
  };
}

/** The largest NCMD payload considered: a command is a few metrics of a few bytes. */
export const MAX_COMMAND_BYTES = 4_096;
/** The most metrics one NCMD may carry (rebirth, stop, acknowledge, and start to refuse). */
export const MAX_COMMAND_METRICS = 8;
/** The metric a host would use to start a freeze: never accepted over the network. */
export const START_COMMAND_METRIC = 'Command/Start';

export type RemoteCommand = 'rebirth' | 'stop' | 'acknowledge';
const COMMAND_OF_METRIC: Readonly<Record<string, RemoteCommand>> = {
  [METRICS.rebirth.name]: 'rebirth',
  [METRICS.commandStop.name]: 'stop',
  [METRICS.commandAcknowledge.name]: 'acknowledge',
};

const BooleanTrue = z.literal(true);
const CommandMetricSchema = z.object({ name: z.string().min(1).max(100), type: z.string(), value: z.unknown() });
const CommandPayloadSchema = z.object({ metrics: z.array(CommandMetricSchema).min(1).max(MAX_COMMAND_METRICS) });

/** What one NCMD asks: the commands to apply, or why it is refused whole (nothing applied). A
 * payload naming start is refused whole: start is never accepted over the network. */
export type ParsedCommand =
  | { readonly ok: true; readonly commands: readonly RemoteCommand[] }
  | { readonly ok: false; readonly start: boolean; readonly reason: string };

export function parseCommand(bytes: Uint8Array): ParsedCommand {
  if (bytes.length > MAX_COMMAND_BYTES) return { ok: false, start: false, reason: `payload of ${bytes.length} bytes (at most ${MAX_COMMAND_BYTES})` };
  let decoded: InPayload;
  try {
    decoded = decodePayload(bytes);
  } catch (err) {
    return { ok: false, start: false, reason: `not a Sparkplug B payload: ${(err as Error).message}` };
  }
  const shape = CommandPayloadSchema.safeParse(decoded);
  if (!shape.success) {
    const issue = shape.error.issues[0];
    return { ok: false, start: false, reason: `${issue?.path.join('.') || 'payload'}: ${issue?.message ?? 'invalid'}` };
  }
  const metrics = shape.data.metrics;
  if (metrics.some((m) => m.name === START_COMMAND_METRIC)) {
    return { ok: false, start: true, reason: 'start is never accepted over the network: start only from the console itself' };
  }
  const commands: RemoteCommand[] = [];
  for (const [i, m] of metrics.entries()) {
    const command = Object.hasOwn(COMMAND_OF_METRIC, m.name) ? COMMAND_OF_METRIC[m.name] : undefined;
    if (command === undefined) return { ok: false, start: false, reason: `metrics.${i}.name: unknown command metric ${JSON.stringify(m.name)}` };
    const expected: MetricType = 'Boolean';
    if (m.type !== expected || !BooleanTrue.safeParse(m.value).success) {
      return { ok: false, start: false, reason: `metrics.${i} (${m.name}): must be Boolean true (got ${m.type} ${valueText(m.value)})` };
    }
    if (!commands.includes(command)) commands.push(command);
  }
  return { ok: true, commands };
}
