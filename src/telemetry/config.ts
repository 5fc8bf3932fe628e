// Telemetry configuration (issue 10 section 2): where the broker is and who the console is on it.
// Runtime configuration, not controller settings: it changes nothing the control step does, so it
// stays out of the controller's settings (and out of the settings hash every treatment records,
// which must not change with a broker password). It may sit in the settings file under the
// `telemetry` key; `--mqtt URL` sets or overrides its url. Validated here, once; every error names
// the field and the value.
import { z } from 'zod';
import { valueText } from '../../kernel/config-error.js';

/** The default telemetry rate: the records' sample rate (10 Hz). */
export const DEFAULT_TELEMETRY_RATE_HZ = 10;
/** At most the records' 10 Hz: a fleet server needs no more, and the loop builds one frame per
 * period of this rate. At least one frame every 10 s, or a dashboard reads the console as gone. */
export const TELEMETRY_RATE_HZ_MIN = 0.1;
export const TELEMETRY_RATE_HZ_MAX = 10;
/** The Sparkplug group of the console fleet unless the settings name another. */
export const DEFAULT_GROUP_ID = 'cryo-consoles';
/** MQTT 3.1.1 servers must accept client ids of 23 characters; most accept more. 64 is the bound. */
const CLIENT_ID_MAX = 64;
const SECRET_MAX = 256;
const PATH_MAX = 4_096;

/** A group or edge node id: Sparkplug forbids the MQTT wildcards and the level separator. (Here,
 * not in sparkplug.ts: the loop's thread validates options without loading the protobuf codec.) */
export const SPARKPLUG_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

const sparkplugId = (what: string) => z.string().regex(SPARKPLUG_ID_PATTERN, `${what}: letters, digits and . _ - only, 1-64 characters (no / + #)`);

const parsedUrl = (u: string): URL | null => {
  try {
    return new URL(u);
  } catch {
    return null;
  }
};

/** A broker URL. Credentials in it (`mqtt://user:secret@host`) are refused: mqtt.js would use them,
 * but the URL is logged (publishing to, connection lost) and kept in the run's log, where a password
 * must never be; they belong in telemetry.username and telemetry.password, which are never shown. */
export const MqttUrlSchema = z
  .string()
  .max(PATH_MAX)
  .refine((u) => {
    const url = parsedUrl(u);
    return url !== null && (url.protocol === 'mqtt:' || url.protocol === 'mqtts:') && url.hostname !== '';
  }, 'a broker URL mqtt://HOST[:PORT] or mqtts://HOST[:PORT]')
  .refine((u) => {
    const url = parsedUrl(u);
    return url === null || (url.username === '' && url.password === '');
  }, 'credentials in the broker URL are refused (the URL is logged): give them as telemetry.username and telemetry.password');

/** A URL as an error may show it: any user or password part hidden. */
export function urlForDisplay(text: string): string {
  return text.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/?#]*@/, '$1(credentials hidden)@');
}

export const TelemetryFileSchema = z.strictObject({
  url: MqttUrlSchema.optional(),
  groupId: sparkplugId('groupId').default(DEFAULT_GROUP_ID),
  /** Default: derived from the records' console id, unique per console. */
  edgeNodeId: sparkplugId('edgeNodeId').optional(),
  /** Default: the edge node id. Two clients with one id kick each other off for ever. */
  clientId: z.string().min(1).max(CLIENT_ID_MAX).optional(),
  username: z.string().min(1).max(SECRET_MAX).optional(),
  password: z.string().min(1).max(SECRET_MAX).optional(),
  tls: z
    .strictObject({
      caFile: z.string().min(1).max(PATH_MAX).optional(),
      certFile: z.string().min(1).max(PATH_MAX).optional(),
      keyFile: z.string().min(1).max(PATH_MAX).optional(),
    })
    .optional(),
  rateHz: z.number().min(TELEMETRY_RATE_HZ_MIN).max(TELEMETRY_RATE_HZ_MAX).default(DEFAULT_TELEMETRY_RATE_HZ),
});
export type TelemetryFile = z.infer<typeof TelemetryFileSchema>;

/** The validated configuration of a run with telemetry. */
export type TelemetryConfig = TelemetryFile & { readonly url: string };

export class TelemetryConfigError extends Error {}

/** `raw` (the settings file's `telemetry` block, or `{}`) with `--mqtt` applied; null when no
 * broker is configured (no telemetry, no error). */
export function parseTelemetryConfig(raw: unknown, mqttFlag: string | undefined, source: string): TelemetryConfig | null {
  const data = parseTelemetryBlock(raw, source);
  let url = data.url;
  if (mqttFlag !== undefined) {
    const u = MqttUrlSchema.safeParse(mqttFlag);
    if (!u.success) throw new TelemetryConfigError(`--mqtt: ${u.error.issues[0]?.message ?? 'invalid'} (got ${JSON.stringify(urlForDisplay(mqttFlag))})`);
    url = u.data;
  }
  if (url === undefined) return null;
  const tls = data.tls;
  if (tls !== undefined && !url.startsWith('mqtts:')) throw new TelemetryConfigError(`${source}: telemetry.tls: TLS files are used only with an mqtts:// broker (url is ${url})`);
  if ((tls?.certFile === undefined) !== (tls?.keyFile === undefined)) throw new TelemetryConfigError(`${source}: telemetry.tls: certFile and keyFile come together (a client certificate and its key)`);
  if ((data.username === undefined) !== (data.password === undefined)) {
    throw new TelemetryConfigError(`${source}: telemetry: username and password come together`);
  }
  return { ...data, url };
}

/** The settings file's telemetry block (`raw`; undefined or null: none) against its schema alone,
 * field by field; the checks that depend on --mqtt are parseTelemetryConfig's. */
export function parseTelemetryBlock(raw: unknown, source: string): TelemetryFile {
  const r = TelemetryFileSchema.safeParse(raw ?? {});
  if (!r.success) {
    const issue = r.error.issues[0];
    const path = issue?.path.join('.') ?? '';
    const value = issue === undefined ? undefined : issue.path.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), raw);
    const shown = /password/i.test(path) ? '(hidden)' : valueText(typeof value === 'string' && path === 'url' ? urlForDisplay(value) : value);
    const field = path === '' ? 'telemetry' : `telemetry.${path}`;
    const got = issue?.code === 'unrecognized_keys' ? '' : ` (got ${shown})`;
    throw new TelemetryConfigError(`${source}: ${field}: ${issue?.message ?? 'invalid'}${got}`);
  }
  return r.data;
}
