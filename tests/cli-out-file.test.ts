// `--out FILE` of `cryo records export|report` and `cryo calibration report` never writes over a
// file of the data directory: `cryo records report 1 --out data/records.sqlite` replaced every
// treatment record with one HTML page (the records CLI is read-only), and a symlink or a hard
// link elsewhere did the same.
import { linkSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/cli/errors.js';
import { writeOutFile } from '../src/cli/out-file.js';
import { tempDirMaker } from './helpers/temp.js';

const newTempDir = tempDirMaker('cryo-out-file-');
const DB_BYTES = 'SQLite format 3\0 every treatment record';

/** A data directory with a records database, a key and a calibration record; and a folder beside it. */
function setup(): { dataDir: string; elsewhere: string; db: string; record: string } {
  const root = newTempDir();
  const dataDir = join(root, 'data');
  mkdirSync(join(dataDir, 'calibrations'), { recursive: true });
  const db = join(dataDir, 'records.sqlite');
  writeFileSync(db, DB_BYTES);
  writeFileSync(join(dataDir, 'calibration.key'), 'k'.repeat(64));
  const record = join(dataDir, 'calibrations', 'P-0001.json');
  writeFileSync(record, '{"probeId":"P-0001"}');
  const elsewhere = join(root, 'reports');
  mkdirSync(elsewhere);
  return { dataDir, elsewhere, db, record };
}

function refusal(out: string, dataDir: string): string {
  try {
    writeOutFile(out, '<html>report</html>', dataDir);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error(`${out} was written`);
}

describe('--out', () => {
  it('refuses the records database, naming it, and leaves it as it was', () => {
    const { dataDir, db } = setup();
    expect(refusal(db, dataDir)).toBe(`--out: ${JSON.stringify(db)} is ${db}, a file of the data directory (treatment records, calibrations, keys): writing it would destroy it; write the file elsewhere`);
    expect(readFileSync(db, 'utf8')).toBe(DB_BYTES);
  });

  it('refuses the database reached through a symlink or a hard link in another folder', () => {
    const { dataDir, elsewhere, db } = setup();
    const symlink = join(elsewhere, 'report.html');
    symlinkSync(db, symlink);
    expect(refusal(symlink, dataDir)).toContain(`is ${db}, a file of the data directory`);
    const hardLink = join(elsewhere, 'copy.html');
    linkSync(db, hardLink);
    expect(refusal(hardLink, dataDir)).toContain(`is ${db}, a file of the data directory`);
    expect(readFileSync(db, 'utf8')).toBe(DB_BYTES);
  });

  it('refuses a calibration record and the key', () => {
    const { dataDir, record } = setup();
    expect(refusal(record, dataDir)).toContain(`is ${record}, a file of the data directory`);
    expect(refusal(join(dataDir, '.', 'calibration.key'), dataDir)).toContain('calibration.key, a file of the data directory');
  });

  it('writes a new file, and replaces a report of its own, anywhere else', () => {
    const { dataDir, elsewhere } = setup();
    const out = join(elsewhere, 'report.html');
    writeOutFile(out, 'first', dataDir);
    writeOutFile(out, 'second', dataDir);
    expect(readFileSync(out, 'utf8')).toBe('second');
  });
});
