import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { ConsoleError, EXIT_DATA, UsageError } from '../src/cli/errors.js';
import { refuseRepeatedOptions } from '../src/cli/options.js';
import { DEFAULT_LIST_LIMIT, registerRecords } from '../src/cli/records.js';
import { defaultOpener, defaultVerifier } from '../src/cli/records-opener.js';
import type { RecordsOpener, RecordsVerifier } from '../src/cli/records-opener.js';
import { SCHEMA_VERSION } from '../src/records/migrations.js';
import { eventsCsv, recordJson, samplesCsv } from '../src/records/export.js';
import { NERVES } from '../src/records/nerves.js';
import { reportHtml } from '../src/records/report.js';
import type { TreatmentRecord, TreatmentSummaryRow, VerifyResult } from '../src/records/types.js';
import { cryo } from './helpers/cli.js';
import { completeRecord, FakeReader, interruptedRecord } from './helpers/records-fixtures.js';
import { tempDirMaker } from './helpers/temp.js';

const newTempDir = tempDirMaker('cryo-records-cli-');

interface Run {
  code: number | null;
  out: string;
  err: string;
  thrown: unknown;
  /** The data dirs the opener was asked for, in order. */
  opened: string[];
  reader: FakeReader;
}

async function run(args: string[], opts: { records?: TreatmentRecord[]; verify?: VerifyResult; opener?: RecordsOpener; verifier?: RecordsVerifier } = {}): Promise<Run> {
  const reader = new FakeReader(opts.records ?? [completeRecord(), interruptedRecord()], opts.verify);
  const result: Run = { code: null, out: '', err: '', thrown: null, opened: [], reader };
  const io = { stdout: (t: string) => void (result.out += t), stderr: (t: string) => void (result.err += t) };
  const program = new Command().exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  const opener: RecordsOpener = (dataDir) => {
    result.opened.push(dataDir);
    return opts.opener === undefined ? reader : opts.opener(dataDir);
  };
  // verify reads the file itself (any schema, read-only); a test's verify result is the fake reader's.
  const verifier: RecordsVerifier = opts.verifier ?? (() => ({ schemaVersion: SCHEMA_VERSION, result: reader.verify() }));
  registerRecords(program, io, (c) => (result.code = c), opener, verifier);
  refuseRepeatedOptions(program);
  try {
    await program.parseAsync(['records', ...args], { from: 'user' });
  } catch (err) {
    result.thrown = err;
  }
  return result;
}

const messageOf = (r: Run): string => (r.thrown instanceof Error ? r.thrown.message : '');

describe('cryo records list', () => {
  it('prints the newest treatments first, one line each, asking for the default limit', async () => {
    const r = await run(['list', '--data-dir', '/srv/cryo']);
    expect(r.code).toBe(0);
    expect(r.opened).toEqual(['/srv/cryo']);
    expect(r.reader.lastLimit).toBe(DEFAULT_LIST_LIMIT);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+STARTED \(UTC\)\s+OUTCOME\s+TARGET\s+PROBE\s+CYCLES\s+MIN TIP C$/);
    expect(lines[1]).toMatch(/^8\s+2026-03-02T10:00:00.000Z\s+interrupted\s+superficial-peroneal:right\s+P-0002\s+0\s+-$/);
    expect(lines[2]).toMatch(/^7\s+2026-03-02T09:00:00.000Z\s+complete\s+infrapatellar-saphenous:left\s+P-0001\s+2\s+-74.9$/);
    expect(r.reader.closed).toBe(true);
  });

  it('honours --limit and prints JSON with --json', async () => {
    const r = await run(['list', '--limit', '1', '--json']);
    expect(r.reader.lastLimit).toBe(1);
    const rows = JSON.parse(r.out) as TreatmentSummaryRow[];
    expect(rows.map((row) => row.id)).toEqual([8]);
  });

  it('says so when there are no treatments', async () => {
    const r = await run(['list'], { records: [] });
    expect(r.out).toBe('no treatments recorded\n');
  });

  it.each(['0', 'abc', '1.5', '-2', '100001'])('refuses --limit %s before opening the store', async (limit) => {
    const r = await run(['list', '--limit', limit]);
    expect(r.thrown).toBeInstanceOf(UsageError);
    expect(messageOf(r)).toMatch(new RegExp(`^--limit: '${limit}'`));
    expect(r.opened).toEqual([]);
  });
});

describe('cryo records show', () => {
  it('prints the treatment, its cycles and its alarm log', async () => {
    const r = await run(['show', '7']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('treatment 7\n');
    expect(r.out).toContain('  target       Infrapatellar branch of the saphenous nerve, left\n');
    expect(r.out).toContain('  outcome      complete\n');
    expect(r.out).toMatch(/\n2\s+60.0\s+30.0\s+-74.9\s+11.0\s+62.7\s+55.7\s+1.8\s+2.0\s+NOT effective\n/);
    expect(r.out).toMatch(/\n1\s+60.0\s+30.0\s.*\s2.3\s+2.0\s+effective\n/);
    expect(r.out).toMatch(/\n186.0\s+trip\s+EMERGENCY_STOP \(high, latched\)/);
    expect(r.out).not.toContain('WARNING');
  });

  it('warns when the target carries motor fibres', async () => {
    const r = await run(['show', '8']);
    expect(r.out).toContain('  WARNING      motor fibres: supplies peroneus');
  });

  it('shows a control character in a stored text as an escape, not raw', async () => {
    const base = completeRecord();
    const r = await run(['show', '7'], { records: [{ ...base, start: { ...base.start, patientRef: 'KN\u001b[2J\nX' } }] });
    expect(r.out).toContain('  patient ref  KN\\u001b[2J\\u000aX\n');
  });

  it('prints the record without its samples as JSON', async () => {
    const r = await run(['show', '7', '--json']);
    const shown = JSON.parse(r.out) as Record<string, unknown>;
    expect(shown.samples).toBeUndefined();
    expect(shown.sampleCount).toBe(1900);
    expect(shown.cycles).toEqual(completeRecord().cycles);
  });

  it.each(['abc', '0', '1.5', '-3', '07', '99999999999999999'])('refuses the id %s, naming it, before opening the store', async (id) => {
    const r = await run(['show', id]);
    expect(r.thrown).toBeInstanceOf(UsageError);
    expect(messageOf(r)).toBe(`ID: '${id}' is not a treatment id (a whole number from 1, as cryo records list shows)`);
    expect(r.opened).toEqual([]);
  });

  it('refuses an unknown treatment, naming it, and closes the store', async () => {
    const r = await run(['show', '42', '--data-dir', '/srv/cryo']);
    expect(r.thrown).toBeInstanceOf(UsageError);
    expect(messageOf(r)).toBe('ID: no treatment 42 in the records of /srv/cryo (cryo records list shows them)');
    expect(r.reader.closed).toBe(true);
  });
});

describe('cryo records export', () => {
  it('writes the samples CSV to stdout with --csv', async () => {
    const r = await run(['export', '7', '--csv']);
    expect(r.code).toBe(0);
    expect(r.out).toBe(samplesCsv(completeRecord()));
  });

  it('writes another table with --table', async () => {
    const r = await run(['export', '7', '--csv', '--table', 'events']);
    expect(r.out).toBe(eventsCsv(completeRecord()));
  });

  it('writes the whole record with --json', async () => {
    const r = await run(['export', '8', '--json']);
    expect(r.out).toBe(recordJson(interruptedRecord()));
  });

  it('writes a FHIR Bundle with --fhir', async () => {
    const r = await run(['export', '7', '--fhir']);
    const bundle = JSON.parse(r.out) as { resourceType: string; type: string };
    expect([bundle.resourceType, bundle.type]).toEqual(['Bundle', 'collection']);
  });

  it('writes to --out and says where on stderr, leaving stdout empty', async () => {
    const file = join(newTempDir(), 't7.json');
    const r = await run(['export', '7', '--json', '--out', file]);
    expect(r.code).toBe(0);
    expect(r.out).toBe('');
    expect(r.err).toBe(`cryo: treatment 7 exported as json to ${file}\n`);
    expect(readFileSync(file, 'utf8')).toBe(recordJson(completeRecord()));
  });

  it('refuses a missing format before opening the store', async () => {
    const r = await run(['export', '7']);
    expect(messageOf(r)).toBe('export: give a format: one of --csv, --json or --fhir');
    expect(r.opened).toEqual([]);
  });

  it('refuses two formats, naming both', async () => {
    const r = await run(['export', '7', '--csv', '--fhir']);
    expect(r.thrown).toBeInstanceOf(UsageError);
    expect(messageOf(r)).toBe('export: --csv and --fhir given: give exactly one format');
  });

  it('refuses --table without --csv and an unknown table', async () => {
    expect(messageOf(await run(['export', '7', '--json', '--table', 'events']))).toBe("--table: 'events' applies to --csv only");
    expect(messageOf(await run(['export', '7', '--csv', '--table', 'alarms']))).toBe("--table: 'alarms' is not one of samples, cycles, events");
  });

  it('refuses an --out it cannot write, naming it', async () => {
    const dir = newTempDir();
    const r = await run(['export', '7', '--csv', '--out', join(dir, 'missing', 'x.csv')]);
    expect(r.thrown).toBeInstanceOf(UsageError);
    expect(messageOf(r)).toMatch(/^--out: cannot write .*missing\/x\.csv: ENOENT/);
  });
});

describe('cryo records report', () => {
  it('writes the HTML report to --out', async () => {
    const file = join(newTempDir(), 'report.html');
    const r = await run(['report', '7', '--out', file]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(`report for treatment 7 written to ${file}\n`);
    expect(readFileSync(file, 'utf8')).toBe(reportHtml(completeRecord()));
  });

  it('refuses --out naming the records database of --data-dir, which it leaves as it was', async () => {
    const dataDir = newTempDir();
    const db = join(dataDir, 'records.sqlite');
    writeFileSync(db, 'SQLite format 3');
    for (const args of [['report', '7'], ['export', '7', '--json']]) {
      const r = await run([...args, '--out', db, '--data-dir', dataDir]);
      expect(r.thrown).toBeInstanceOf(UsageError);
      expect(messageOf(r)).toContain(`is ${db}, a file of the data directory`);
    }
    expect(readFileSync(db, 'utf8')).toBe('SQLite format 3');
  });

  it('requires --out', async () => {
    const r = await run(['report', '7']);
    expect(r.thrown).toBeInstanceOf(CommanderError);
    expect(r.err).toContain("required option '--out <file>' not specified");
  });
});

describe('cryo records verify', () => {
  it('says the chain is intact and exits 0', async () => {
    const r = await run(['verify'], { verify: { ok: true, treatments: 2, rows: 2345 } });
    expect(r.code).toBe(0);
    expect(r.out).toBe('records verified: 2 treatment(s), 2345 row(s), hash chain intact\n');
  });

  it('names the first row that does not match and exits EXIT_DATA', async () => {
    const r = await run(['verify'], { verify: { ok: false, treatmentId: 3, table: 'events', rowId: 57, reason: 'hash differs from the chain' } });
    expect(r.code).toBe(EXIT_DATA);
    expect(r.out).toBe('');
    expect(r.err).toBe('cryo: records verify: treatment 3: events row 57 does not match: hash differs from the chain\n');
  });

  it('verifies an older schema read-only, saying which, and leaves the file as it was (review of issue 11, L5)', async () => {
    const dataDir = newTempDir();
    const file = join(dataDir, 'records.sqlite');
    copyFileSync(new URL('./fixtures/records-v2.sqlite', import.meta.url), file);
    const before = readFileSync(file);
    const r = await run(['verify', '--data-dir', dataDir], { opener: defaultOpener, verifier: defaultVerifier });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^records verified: 3 treatment\(s\), \d+ row\(s\), hash chain intact \(schema version 2, older than this software's \d+: checked as it is, read-only; not migrated\)\n$/);
    expect(r.out).toContain(`older than this software's ${SCHEMA_VERSION}:`);
    expect(readFileSync(file).equals(before)).toBe(true);
  });
});

describe('opening the store', () => {
  it('turns a store that cannot be opened into one line naming the data dir (exit 1)', async () => {
    const r = await run(['list', '--data-dir', '/nowhere'], {
      opener: () => {
        throw new Error('unable to open database file');
      },
    });
    expect(r.thrown).toBeInstanceOf(ConsoleError);
    expect((r.thrown as ConsoleError).exitCode).toBe(1);
    expect(messageOf(r)).toBe('records: cannot open the treatment records in /nowhere: unable to open database file');
  });

  it('waits for an async opener (the real one imports the store lazily)', async () => {
    const reader = new FakeReader([completeRecord()]);
    const r = await run(['show', '7', '--json'], { opener: () => Promise.resolve(reader) });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.out) as { id: number }).id).toBe(7);
    expect(reader.closed).toBe(true);
  });

  it('closes the store when reading fails', async () => {
    class FailingReader extends FakeReader {
      override get(): never {
        throw new Error('disk I/O error');
      }
    }
    const failing = new FailingReader([]);
    const r = await run(['show', '7'], { opener: () => failing });
    expect(messageOf(r)).toBe('disk I/O error');
    expect(failing.closed).toBe(true);
  });
});

describe('cryo records nerves', () => {
  it('prints the catalog with territory and motor flag, without opening the store', async () => {
    const r = await run(['nerves']);
    expect(r.code).toBe(0);
    expect(r.opened).toEqual([]);
    const lines = r.out.trimEnd().split('\n');
    expect(lines).toHaveLength(NERVES.length + 1);
    expect(lines.find((l) => l.startsWith('genitofemoral '))).toMatch(/^genitofemoral\s+yes\s+Genitofemoral nerve\s+genital branch/);
    expect(lines.find((l) => l.startsWith('sural '))).toMatch(/^sural\s+no\s+Sural nerve\s+skin/);
  });

  it('prints the catalog as JSON', async () => {
    const r = await run(['nerves', '--json']);
    expect(JSON.parse(r.out)).toEqual(NERVES);
  });
});

describe('cryo records through main', () => {
  it('is registered', async () => {
    const r = await cryo(['records', 'nerves', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual(NERVES);
  });

  it('exits 2 on a bad id, naming it', async () => {
    const r = await cryo(['records', 'show', 'x7']);
    expect(r.code).toBe(2);
    expect(r.err).toBe("cryo: ID: 'x7' is not a treatment id (a whole number from 1, as cryo records list shows)\n");
  });
});
