// The console's calibration key: a per-console secret that seals calibration records
// (HMAC-SHA256, calibration/record.ts), so a record edited on disk cannot be resealed by anyone
// without the key, and a record copied from another console is refused. `<dataDir>/calibration.key`
// holds 32 random bytes as hex. It is created on first need (the first record written), mode 0600,
// and refused when it is not a regular file or its mode lets group or others read it: a key
// others could read is a key others could forge with. Linux/POSIX file modes.
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fchmodSync, fstatSync, fsyncSync, linkSync, mkdirSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CalibrationKeyError } from './errors.js';
import { fsyncDirectory } from './fsync-dir.js';

export const CALIBRATION_KEY_FILE = 'calibration.key';
/** 32 bytes: the HMAC-SHA256 block of security; more adds nothing, less weakens it. */
export const CALIBRATION_KEY_BYTES = 32;
/** The file holds 64 hex digits and a newline; anything much larger is not a key. */
const MAX_KEY_FILE_BYTES = 256;
const KEY_TEXT = /^[0-9a-f]{64}\n?$/;
/** Group and others: no bit of either may be set. */
const GROUP_OTHER_BITS = 0o077;

export function calibrationKeyPath(dataDir: string): string {
  return join(dataDir, CALIBRATION_KEY_FILE);
}

/** The key; throws CalibrationKeyError (missing: true when there is none) naming the file. */
export function loadCalibrationKey(dataDir: string): Buffer {
  const path = calibrationKeyPath(dataDir);
  let fd: number;
  try {
    // O_NONBLOCK: a FIFO must not hang the console; O_NOFOLLOW: the key is this file, not a link to one.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CalibrationKeyError(path, 'no calibration key: no record was signed on this console', true);
    if (code === 'ELOOP') throw new CalibrationKeyError(path, 'the calibration key is a symbolic link, not a regular file: remove it and recalibrate every probe');
    throw new CalibrationKeyError(path, `cannot read the calibration key: ${code ?? (err as Error).message}`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new CalibrationKeyError(path, 'the calibration key is not a regular file: remove it and recalibrate every probe');
    if ((stat.mode & GROUP_OTHER_BITS) !== 0) {
      const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
      throw new CalibrationKeyError(
        path,
        `the calibration key has mode ${mode}, which lets group or others read it: anyone who read it can forge records; ` +
          'delete it and recalibrate every probe (a new key is made, mode 0600)',
      );
    }
    const buffer = Buffer.alloc(MAX_KEY_FILE_BYTES + 1);
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    const text = buffer.subarray(0, length).toString('latin1');
    if (!KEY_TEXT.test(text)) throw new CalibrationKeyError(path, 'the calibration key is damaged (not 64 hex digits): delete it and recalibrate every probe');
    return Buffer.from(text.trim(), 'hex');
  } finally {
    closeSync(fd);
  }
}

/**
 * The key, made first if there is none. The new key is written whole to a temporary file and
 * linked into place, so a power cut never leaves half a key and two writers racing end up with
 * one key (the link fails for the second, which then reads the first's).
 */
export function loadOrCreateCalibrationKey(dataDir: string): Buffer {
  try {
    return loadCalibrationKey(dataDir);
  } catch (err) {
    if (!(err instanceof CalibrationKeyError && err.missing)) throw err;
  }
  const path = calibrationKeyPath(dataDir);
  const tempPath = join(dataDir, `.${CALIBRATION_KEY_FILE}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    mkdirSync(dataDir, { recursive: true });
    const fd = openSync(tempPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      fchmodSync(fd, 0o600); // the umask may only take bits away, but say it outright
      writeFileSync(fd, `${randomBytes(CALIBRATION_KEY_BYTES).toString('hex')}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(tempPath, path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    fsyncDirectory(dataDir);
  } catch (err) {
    throw new CalibrationKeyError(path, `cannot create the calibration key: ${(err as Error).message}`);
  } finally {
    rmSync(tempPath, { force: true });
  }
  return loadCalibrationKey(dataDir);
}
