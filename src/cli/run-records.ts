// `cryo run`'s treatment records (issue 10): the options that name the treatment (target nerve
// and side, a pseudonymous patient reference, the operator), validated once here, and the records
// link that runs the store on its own thread. Records are kept on every board; `--no-records` is
// accepted on simulated boards only (a simulation treats no patient), since RECORDS_UNAVAILABLE
// is a safety function no option may switch off where a patient is treated.
import { z } from 'zod';
import type { Clock } from '../../kernel/clock.js';
import type { Logger } from '../../kernel/log.js';
import type { Settings } from '../controller/settings.js';
import { parseTarget } from '../records/nerves.js';
import type { ProbeUsed, TreatmentTarget } from '../records/types.js';
import type { PreloadedCalibration } from '../runtime/calibration-provider.js';
import { RecordsLink } from '../runtime/records-link.js';
import type { RecordsContext } from '../runtime/records-link.js';
import type { SessionKind } from '../runtime/board-session.js';
import { VERSION } from '../version.js';
import { ConsoleError, EXIT_UNAVAILABLE, UsageError } from './errors.js';

/** How long start-up waits for the records store to open (and close what a crash left open)
 * before the console comes up with RECORDS_UNAVAILABLE blocking start. */
export const RECORDS_OPEN_WAIT_MS = 10_000;

/** A pseudonymous reference or operator id: letters, digits and `._-`, 1-64 characters. No spaces:
 * a full name does not fit (no names by default, issue 10). */
const PSEUDONYM = /^[A-Za-z0-9._-]{1,64}$/;

export interface RecordsFlags {
  target?: string;
  patientRef?: string;
  operator?: string;
  /** false with --no-records (simulated boards only). */
  records?: boolean;
}

export interface TreatmentNaming {
  readonly target: TreatmentTarget | null;
  readonly patientRef: string | null;
  readonly operatorId: string | null;
}

const pseudonym = (option: string) =>
  z.string().regex(PSEUDONYM, `${option}: letters, digits and . _ - only, 1-64 characters (a pseudonymous reference, never a name)`);

/** The treatment's naming options, validated; a UsageError names the option and value. */
export function treatmentNaming(flags: RecordsFlags, kind: SessionKind): TreatmentNaming {
  if (flags.records === false && kind !== 'sim') throw new UsageError(`--no-records: accepted only for simulated boards (this board is ${kind}: every treatment on it is recorded)`);
  const check = (option: string, value: string | undefined): string | null => {
    if (value === undefined) return null;
    const r = pseudonym(option).safeParse(value);
    if (!r.success) throw new UsageError(`${r.error.issues[0]?.message ?? option} (got ${JSON.stringify(value)})`);
    return r.data;
  };
  let target: TreatmentTarget | null = null;
  if (flags.target !== undefined) {
    try {
      target = parseTarget(flags.target);
    } catch (err) {
      throw new UsageError(`--target: ${(err as Error).message}`);
    }
  }
  return { target, patientRef: check('--patient-ref', flags.patientRef), operatorId: check('--operator', flags.operator) };
}

/** The records worker's module beside this one; it exists only in the compiled build. */
export function recordsWorkerUrl(): URL | null {
  return import.meta.url.endsWith('.js') ? new URL('../records/worker.js', import.meta.url) : null;
}

export interface RecordsLinkInput {
  readonly dataDir: string;
  readonly boardName: string;
  /** SHA-256 of the board file as it was read and parsed (loadHashedBoardFile): never read again
   * here, so the records name the board the console runs with even if the file changes since. */
  readonly boardSha256: string;
  readonly settings: Settings;
  readonly naming: TreatmentNaming;
  readonly calibration: PreloadedCalibration;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The board's kind: records may go unkept on a simulated board only. */
  readonly kind: SessionKind;
}

/** The records link for this run, or null when none is kept (and says why). From the TypeScript
 * sources there is no worker module: allowed on a simulated board only, refused on any board that
 * treats a patient (an unrecorded treatment, with RECORDS_UNAVAILABLE never watching). */
export function recordsLink(input: RecordsLinkInput, keep: boolean): RecordsLink | null {
  if (!keep) {
    input.logger.warn('treatment records are not kept (--no-records, simulated board)');
    return null;
  }
  const workerUrl = recordsWorkerUrl();
  if (workerUrl === null) {
    if (input.kind !== 'sim') {
      throw new ConsoleError(`treatment records cannot be kept from the TypeScript sources, and every treatment on this ${input.kind} board must be: npm run build, then run dist/src/cli/main.js`, EXIT_UNAVAILABLE);
    }
    input.logger.warn('treatment records are not kept: this run is from the TypeScript sources (npm run build, then dist/src/cli/main.js)');
    return null;
  }
  return new RecordsLink(
    {
      workerUrl,
      dataDir: input.dataDir,
      clock: input.clock,
      wallNowMs: () => Date.now(),
      logger: input.logger,
      context: recordsContext(input),
    },
    input.settings,
  );
}

/** What every treatment's start records of this run: the console, the board, the naming options,
 * and the probe's calibration as it is when the treatment starts. */
export function recordsContext(input: RecordsLinkInput): RecordsContext {
  const probe = (probeId: string | null): ProbeUsed => {
    const record = input.calibration.record();
    return { probeId: probeId ?? record?.probeId ?? null, calibrationId: record?.calibrationId ?? null, calibrationChecksum: record?.fingerprintSha256 ?? null };
  };
  return { softwareVersion: VERSION, boardName: input.boardName, boardSha256: input.boardSha256, ...input.naming, probe };
}
