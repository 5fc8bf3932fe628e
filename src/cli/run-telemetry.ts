// `cryo run`'s telemetry over MQTT (issue 10 section 2): the broker from `--mqtt URL` or the
// settings file's `telemetry` block, validated once here (errors name the field and value), the
// TLS files read here (an unreadable one is named), and the link that runs the MQTT client on its
// own thread. No broker configured: no telemetry worker, and no error.
import type { AlarmLog } from '../runtime/alarm-log.js';
import { InputFileError, readBoundedFile } from '../../kernel/json-input.js';
import type { Clock } from '../../kernel/clock.js';
import type { Logger } from '../../kernel/log.js';
import type { EndedTreatment, RecordsLink } from '../runtime/records-link.js';
import { loadTelemetryBlock } from '../runtime/settings-file.js';
import { TelemetryLink } from '../runtime/telemetry-link.js';
import { TelemetryConfigError, parseTelemetryConfig } from '../telemetry/config.js';
import { MAX_PEM_BYTES } from '../telemetry/protocol.js';
import type { TelemetryConfig } from '../telemetry/config.js';
import { VERSION } from '../version.js';
import { UsageError } from './errors.js';

export interface TelemetryFlags {
  /** `--mqtt URL`: mqtt:// or mqtts:// */
  mqtt?: string;
  settings?: string;
}

/** The validated configuration and the TLS files' text. */
export interface TelemetrySetup {
  readonly config: TelemetryConfig;
  readonly tls: { readonly ca?: string; readonly cert?: string; readonly key?: string };
}

/** The validated telemetry configuration with its TLS files read, or null when no broker is
 * configured. Called before the board opens: a bad option stops the run at once. */
export function telemetrySetup(flags: TelemetryFlags): TelemetrySetup | null {
  let config: TelemetryConfig | null;
  try {
    const block = flags.settings === undefined ? undefined : loadTelemetryBlock(flags.settings);
    config = parseTelemetryConfig(block, flags.mqtt, flags.settings ?? 'settings');
  } catch (err) {
    if (err instanceof TelemetryConfigError) throw new UsageError(err.message);
    throw err;
  }
  if (config === null) return null;
  const t = config.tls;
  const tls = { ca: pem('caFile', t?.caFile), cert: pem('certFile', t?.certFile), key: pem('keyFile', t?.keyFile) };
  return { config, tls: Object.fromEntries(Object.entries(tls).filter(([, v]) => v !== undefined)) };
}

/** A TLS file's text, read as every input file is (kernel/json-input.ts): a regular file (a FIFO
 * held `cryo run` at start-up with no word), bounded (/dev/zero), UTF-8; and holding a PEM block (an
 * empty file passed here, then the telemetry worker refused its data and was restarted for ever). */
function pem(field: string, path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  let text: string;
  try {
    text = readBoundedFile(path, 'TLS file', MAX_PEM_BYTES);
  } catch (err) {
    const why = err instanceof InputFileError ? err.message.slice(`${path}: `.length) : (err as Error).message;
    throw new UsageError(`telemetry.tls.${field}: '${path}' cannot be read: ${why}`);
  }
  if (!text.includes('-----BEGIN ')) throw new UsageError(`telemetry.tls.${field}: '${path}' holds no PEM block ('-----BEGIN ...'): give the file in PEM form`);
  return text;
}

/** The telemetry worker's module beside this one; it exists only in the compiled build. */
export function telemetryWorkerUrl(): URL | null {
  return import.meta.url.endsWith('.js') ? new URL('../telemetry/worker.js', import.meta.url) : null;
}

export interface TelemetryLinkInput {
  readonly setup: TelemetrySetup;
  readonly dataDir: string;
  readonly board: string;
  readonly clock: Clock;
  readonly loopRateHz: number;
  readonly lateThresholdMs: number;
  readonly logger: Logger;
  /** The run's records: remote commands go into the open treatment, and each treatment's end
   * becomes the telemetry's summary. */
  readonly records: RecordsLink | null;
  /** The run's alarm log: a start refused because it came over the network goes in it. */
  readonly alarmLog?: Pick<AlarmLog, 'recordRemoteStartRefused'>;
}

/** The summary published when a treatment ends (metric Treatment/Summary, docs/telemetry.md). */
export function treatmentSummary(t: EndedTreatment): Record<string, unknown> {
  return {
    treatmentUid: t.uid,
    startedAtEpochMs: t.startedAtEpochMs,
    endedAtEpochMs: t.end.endedAtEpochMs,
    outcome: t.end.outcome,
    protocol: t.protocol,
    target: t.target,
    probeId: t.probeId,
    cycles: t.end.cycles,
    frozenMs: t.end.frozenMs,
    samplesDropped: t.end.samplesDropped,
  };
}

/** The telemetry link for this run, or null when it cannot run (and says why). */
export function telemetryLink(input: TelemetryLinkInput): TelemetryLink | null {
  const workerUrl = telemetryWorkerUrl();
  if (workerUrl === null) {
    input.logger.warn('telemetry not published: this run is from the TypeScript sources (npm run build, then dist/src/cli/main.js)');
    return null;
  }
  const c = input.setup.config;
  const records = input.records;
  const alarmLog = input.alarmLog;
  const link: TelemetryLink = new TelemetryLink({
    workerUrl,
    workerData: { config: c, tls: input.setup.tls, dataDir: input.dataDir, softwareVersion: VERSION, board: input.board },
    clock: input.clock,
    wallNowMs: () => Date.now(),
    rateHz: c.rateHz,
    board: input.board,
    loopRateHz: input.loopRateHz,
    lateThresholdMs: input.lateThresholdMs,
    logger: input.logger,
    ...(records === null ? {} : { recordEvent: (nowMs: number, kind: string, detail: Readonly<Record<string, unknown>>) => { records.addEvent(nowMs, kind, detail); } }),
    ...(alarmLog === undefined ? {} : { onStartRefused: (nowMs: number, from: string, reason: string) => { alarmLog.recordRemoteStartRefused(nowMs, from, reason); } }),
  });
  records?.onTreatmentEnd((ended) => { link.treatmentEnded(treatmentSummary(ended)); });
  return link;
}
