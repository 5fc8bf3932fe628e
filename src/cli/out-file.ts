// Writing a report or an export (`--out FILE`) without destroying what the console keeps: the
// data directory holds the treatment records (records.sqlite and its WAL), the calibration records
// and keys, and the console token. A typo that names one of them, by any path (a symlink, a hard
// link, `./data/records.sqlite`), would have replaced every treatment record with one report.
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { calibrationDir } from '../../calibration/store.js';
import { UsageError } from './errors.js';

/** The data directory's file that `out` is (the same file, by device and inode), or null. */
function dataFileAt(out: string, dataDir: string): string | null {
  let target: ReturnType<typeof statSync>;
  try {
    target = statSync(out);
  } catch {
    return null; // Nothing there yet: writing it destroys nothing.
  }
  for (const dir of [dataDir, calibrationDir(dataDir)]) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const path = join(dir, name);
      try {
        const s = statSync(path);
        if (s.isFile() && s.dev === target.dev && s.ino === target.ino) return path;
      } catch {
        // Gone while listing: not the target.
      }
    }
  }
  return null;
}

/** Writes `text` to `out`; refuses (naming it) a file of `dataDir`, and names a file it cannot write. */
export function writeOutFile(out: string, text: string, dataDir: string): void {
  const clash = dataFileAt(out, dataDir);
  if (clash !== null) {
    throw new UsageError(`--out: ${JSON.stringify(out)} is ${clash}, a file of the data directory (treatment records, calibrations, keys): writing it would destroy it; write the file elsewhere`);
  }
  try {
    writeFileSync(out, text);
  } catch (err) {
    throw new UsageError(`--out: cannot write ${out}: ${(err as Error).message}`);
  }
}
