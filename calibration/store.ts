// Calibration records on disk: `<dataDir>/calibrations/<probeId>.json`, one per probe, each sealed
// with the console's key (calibration/key.ts). Writes are atomic (temporary file in the same
// directory, fsync, rename, fsync the directory) so a power cut leaves either the old record or
// the new one, never half of either. Linux/POSIX: fsync of a directory is how a rename is made
// durable there. Reads go through the shared bounded reader (kernel/json-input.ts): only a
// regular file of bounded size, so a FIFO or a device named like a record cannot hang the console.
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputFileError, parseJsonInput, readBoundedFile } from '../kernel/json-input.js';
import { CalibrationCorruptError, CalibrationKeyError, CalibrationMissingError, CalibrationWriteError } from './errors.js';
import { fsyncDirectory } from './fsync-dir.js';
import { loadCalibrationKey, loadOrCreateCalibrationKey } from './key.js';
import { isValidProbeId } from '../kernel/probe.js';
import { checkCalibrationRecord, checkProbeId, futureDateProblem, legacyProblem, parseCalibrationFile, sealRecord } from './record.js';
import type { CalibrationRecord } from './record.js';
import type { CalibrationLoad } from './status.js';
import { isExpired } from './status.js';

/** The data directory: `CRYO_DATA_DIR` if set and not empty, else `./data`. */
export const DEFAULT_DATA_DIR = './data';

export function defaultDataDir(env: Readonly<Record<string, string | undefined>>): string {
  const fromEnv = env.CRYO_DATA_DIR;
  return fromEnv === undefined || fromEnv === '' ? DEFAULT_DATA_DIR : fromEnv;
}

export function calibrationDir(dataDir: string): string {
  return join(dataDir, 'calibrations');
}

/** The record file of a probe; throws ProbeIdError naming an id that is unsafe as a file name. */
export function calibrationPath(dataDir: string, probeId: string): string {
  return join(calibrationDir(dataDir), `${checkProbeId(probeId)}.json`);
}

/**
 * Validate the record, seal it with the console's key (made on first need) and write it
 * atomically; returns its path. Throws CalibrationCorruptError for a record the product refuses,
 * CalibrationKeyError for an unusable key, CalibrationWriteError naming the path otherwise.
 */
export function writeCalibration(dataDir: string, record: CalibrationRecord): string {
  const path = calibrationPath(dataDir, record.probeId);
  const sealed = sealRecord(checkCalibrationRecord(record, `calibration for probe '${record.probeId}'`), loadOrCreateCalibrationKey(dataDir));
  const dir = calibrationDir(dataDir);
  const tempPath = join(dir, `.${record.probeId}.json.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    mkdirSync(dir, { recursive: true });
    const fd = openSync(tempPath, 'wx', 0o644);
    try {
      // writeFileSync on a descriptor loops until every byte is written (writeSync may write fewer).
      writeFileSync(fd, `${JSON.stringify(sealed, null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tempPath, path);
    fsyncDirectory(dir);
  } catch (err) {
    rmSync(tempPath, { force: true });
    throw new CalibrationWriteError(path, err);
  }
  return path;
}

/**
 * Read a record file and check it against the key; throws CalibrationMissingError or
 * CalibrationCorruptError naming the file (an unusable key makes every record corrupt).
 */
export function readCalibrationFile(path: string, probeId: string, key: () => Buffer): CalibrationRecord {
  let json: unknown;
  try {
    json = parseJsonInput(readBoundedFile(path, 'calibration record'), path, 'calibration record');
  } catch (err) {
    if (!(err instanceof InputFileError)) throw err;
    if (err.missing) throw new CalibrationMissingError(path, probeId);
    const prefix = `${path}: `;
    throw new CalibrationCorruptError(path, err.message.split('\n').map((l) => (l.startsWith(prefix) ? l.slice(prefix.length) : l)));
  }
  // An older record says so before the key is looked for: a data dir from before signing has none yet.
  const legacy = legacyProblem(json);
  if (legacy !== null) throw new CalibrationCorruptError(path, [legacy]);
  let keyBytes: Buffer;
  try {
    keyBytes = key();
  } catch (err) {
    if (!(err instanceof CalibrationKeyError)) throw err;
    const why = err.missing ? `no calibration key (${err.path}): this console did not sign it` : err.message;
    throw new CalibrationCorruptError(path, [`cannot verify the record: ${why}; recalibrate the probe`]);
  }
  const record = parseCalibrationFile(json, path, keyBytes);
  if (record.probeId !== probeId) {
    throw new CalibrationCorruptError(path, [`probeId: '${record.probeId}' does not match the file name (probe '${probeId}'): a copied file`]);
  }
  return record;
}

export function readCalibration(dataDir: string, probeId: string): CalibrationRecord {
  return readCalibrationFile(calibrationPath(dataDir, probeId), probeId, () => loadCalibrationKey(dataDir));
}

/** As readCalibration, but missing and corrupt records are values (for the interlock). */
export function loadCalibration(dataDir: string, probeId: string): CalibrationLoad {
  try {
    return { kind: 'loaded', record: readCalibration(dataDir, probeId) };
  } catch (err) {
    if (err instanceof CalibrationMissingError) return { kind: 'missing', message: err.message };
    if (err instanceof CalibrationCorruptError) return { kind: 'corrupt', message: err.message };
    throw err;
  }
}

export type CalibrationListEntry =
  | { readonly probeId: string; readonly path: string; readonly status: 'valid' | 'expired'; readonly record: CalibrationRecord }
  | { readonly probeId: string; readonly path: string; readonly status: 'corrupt' | 'invalid'; readonly reason: string };

/** One entry per `*.json` file, sorted by probe id; a bad file is an entry, never an exception. */
export function listCalibrations(dataDir: string, now: Date): CalibrationListEntry[] {
  const dir = calibrationDir(dataDir);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  // Dot files are temporaries of interrupted writes, not records.
  const files = names.filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort();
  // One look at the key for the whole list; an unusable key makes every entry corrupt, with why.
  let key: Buffer | CalibrationKeyError | null = null;
  const keyOnce = (): Buffer => {
    if (key === null) {
      try {
        key = loadCalibrationKey(dataDir);
      } catch (err) {
        if (!(err instanceof CalibrationKeyError)) throw err;
        key = err;
      }
    }
    if (key instanceof CalibrationKeyError) throw key;
    return key;
  };
  return files.map((name): CalibrationListEntry => {
    const probeId = name.slice(0, -'.json'.length);
    const path = join(dir, name);
    if (!isValidProbeId(probeId)) return { probeId, path, status: 'corrupt', reason: `file name: '${probeId}' is not a valid probe id` };
    try {
      const record = readCalibrationFile(path, probeId, keyOnce);
      const future = futureDateProblem(record, now.getTime());
      if (future !== null) return { probeId, path, status: 'invalid', reason: future };
      return { probeId, path, status: isExpired(record, now) ? 'expired' : 'valid', record };
    } catch (err) {
      if (err instanceof CalibrationCorruptError) return { probeId, path, status: 'corrupt', reason: err.reason };
      if (err instanceof CalibrationMissingError) return { probeId, path, status: 'corrupt', reason: 'removed while listing' };
      throw err;
    }
  });
}
