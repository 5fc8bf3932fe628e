// Calibration records on disk: `<dataDir>/calibrations/<probeId>.json`, one per probe. Writes are
// atomic (temporary file in the same directory, fsync, rename, fsync the directory) so a power
// cut leaves either the old record or the new one, never half of either. Linux/POSIX: fsync of
// a directory is how a rename is made durable there.
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CalibrationCorruptError, CalibrationMissingError, CalibrationWriteError } from './errors.js';
import { checkProbeId, isValidProbeId, parseCalibrationRecord } from './record.js';
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

/** Validate and write the record atomically; returns its path. Throws CalibrationWriteError naming the path. */
export function writeCalibration(dataDir: string, record: CalibrationRecord): string {
  const path = calibrationPath(dataDir, record.probeId);
  parseCalibrationRecord(record, `calibration for probe '${record.probeId}'`);
  const dir = calibrationDir(dataDir);
  const tempPath = join(dir, `.${record.probeId}.json.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    mkdirSync(dir, { recursive: true });
    const fd = openSync(tempPath, 'wx', 0o644);
    try {
      // writeFileSync on a descriptor loops until every byte is written (writeSync may write fewer).
      writeFileSync(fd, `${JSON.stringify(record, null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tempPath, path);
    const dirFd = openSync(dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  } catch (err) {
    rmSync(tempPath, { force: true });
    throw new CalibrationWriteError(path, err);
  }
  return path;
}

/** Read a record file; throws CalibrationMissingError or CalibrationCorruptError naming the file. */
export function readCalibrationFile(path: string, probeId: string): CalibrationRecord {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new CalibrationMissingError(path, probeId);
    throw new CalibrationCorruptError(path, [`cannot read: ${(err as Error).message}`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new CalibrationCorruptError(path, [`not valid JSON (truncated or damaged?): ${(err as Error).message}`]);
  }
  const record = parseCalibrationRecord(json, path);
  if (record.probeId !== probeId) {
    throw new CalibrationCorruptError(path, [`probeId: '${record.probeId}' does not match the file name (probe '${probeId}'): a copied file`]);
  }
  return record;
}

export function readCalibration(dataDir: string, probeId: string): CalibrationRecord {
  return readCalibrationFile(calibrationPath(dataDir, probeId), probeId);
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
  | { readonly probeId: string; readonly path: string; readonly status: 'corrupt'; readonly reason: string };

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
  return files.map((name): CalibrationListEntry => {
    const probeId = name.slice(0, -'.json'.length);
    const path = join(dir, name);
    if (!isValidProbeId(probeId)) return { probeId, path, status: 'corrupt', reason: `file name: '${probeId}' is not a valid probe id` };
    try {
      const record = readCalibrationFile(path, probeId);
      return { probeId, path, status: isExpired(record, now) ? 'expired' : 'valid', record };
    } catch (err) {
      if (err instanceof CalibrationCorruptError) return { probeId, path, status: 'corrupt', reason: err.reason };
      if (err instanceof CalibrationMissingError) return { probeId, path, status: 'corrupt', reason: 'removed while listing' };
      throw err;
    }
  });
}
