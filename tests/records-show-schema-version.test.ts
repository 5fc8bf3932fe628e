// A treatment's recorded schema version (treatments.schema_version, migration 4) as an auditor reads
// it: `cryo records show` (text and --json), `export --json`, `export --fhir` and `report`, on a real
// records file. The file is the schema-3 fixture opened by this software (migrated, its open
// treatment recovered as a console start does) with one more treatment begun after: treatments 1
// to 3 were begun before migration 4 and have none recorded; treatment 4 has this software's.
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import { refuseRepeatedOptions } from '../src/cli/options.js';
import { registerRecords } from '../src/cli/records.js';
import { SCHEMA_VERSION } from '../src/records/migrations.js';
import { recordedSchemaVersionOf } from '../src/records/rows.js';
import { RecordsStore, recordsPath } from '../src/records/store.js';
import { phaseEvent, recordsErrorOf, samples, treatmentEnd, treatmentStart } from './helpers/records.js';
import { tempDirMaker } from './helpers/temp.js';

const newTempDir = tempDirMaker('cryo-records-show-schema-');
/** Written by the schema-3 software: two sealed treatments and a third left open. */
const V3_FIXTURE = new URL('./fixtures/records-v3.sqlite', import.meta.url);
/** The last treatment of the fixture, and the one this software begins after it. */
const LAST_V3_TREATMENT = 3;
const BEGUN_AT_CURRENT = LAST_V3_TREATMENT + 1;
/** After every treatment of the fixture (its starts are in 2026). */
const LATER_EPOCH_MS = Date.parse('2027-01-01T00:00:00.000Z');
const NOT_RECORDED = 'not recorded (begun before schema 4)';

let dataDir = '';

beforeAll(() => {
  dataDir = newTempDir();
  copyFileSync(V3_FIXTURE, recordsPath(dataDir));
  const store = RecordsStore.open(recordsPath(dataDir));
  try {
    store.recoverInterrupted(LATER_EPOCH_MS);
    const id = store.begin(treatmentStart({ startedAtEpochMs: LATER_EPOCH_MS }));
    expect(id).toBe(BEGUN_AT_CURRENT);
    store.append(id, samples(3), [phaseEvent(0, 'Freezing')]);
    store.end(id, treatmentEnd({ endedAtEpochMs: LATER_EPOCH_MS + 300_000 }));
  } finally {
    store.close();
  }
});

/** `cryo records ARGS --data-dir <the file's dir>` with the real (read-only) store; stdout. */
async function records(args: string[]): Promise<string> {
  let out = '';
  let err = '';
  let code: number | null = null;
  const program = new Command().exitOverride();
  registerRecords(program, { stdout: (t) => void (out += t), stderr: (t) => void (err += t) }, (c) => (code = c));
  refuseRepeatedOptions(program);
  await program.parseAsync(['records', ...args, '--data-dir', dataDir], { from: 'user' });
  expect(err).toBe('');
  expect(code).toBe(0);
  return out;
}

const showJson = async (id: number): Promise<Record<string, unknown>> => JSON.parse(await records(['show', String(id), '--json'])) as Record<string, unknown>;
const exportJson = async (id: number): Promise<Record<string, unknown>> => JSON.parse(await records(['export', String(id), '--json'])) as Record<string, unknown>;

interface FhirBundle {
  entry: { resource: { resourceType: string; note?: { text: string }[] } }[];
}
async function procedureNote(id: number): Promise<string> {
  const bundle = JSON.parse(await records(['export', String(id), '--fhir'])) as FhirBundle;
  return bundle.entry.find((e) => e.resource.resourceType === 'Procedure')?.resource.note?.[0]?.text ?? '';
}

async function reportOf(id: number): Promise<string> {
  const out = join(newTempDir(), `t${id}.html`);
  await records(['report', String(id), '--out', out]);
  return readFileSync(out, 'utf8');
}

describe('cryo records show: the schema version each treatment was begun at', () => {
  it("shows a treatment begun by this software at this software's schema, as the last header line", async () => {
    const text = await records(['show', String(BEGUN_AT_CURRENT)]);
    expect(text).toMatch(new RegExp(`\\n  seal {9}[0-9a-f]{64}\\n  schema {7}${SCHEMA_VERSION}\\n\\n`));
  });

  it.each([1, 2, LAST_V3_TREATMENT])('shows treatment %i of the schema-3 file as not recorded', async (id) => {
    const text = await records(['show', String(id)]);
    expect(text).toContain(`\n  schema       ${NOT_RECORDED}\n`);
  });

  it('gives it in --json as schemaVersion, appended after every field it had before', async () => {
    const shown = await showJson(BEGUN_AT_CURRENT);
    expect(shown.schemaVersion).toBe(SCHEMA_VERSION);
    expect(Object.keys(shown)).toEqual(['id', 'start', 'end', 'cycles', 'events', 'sealSha256', 'sampleCount', 'schemaVersion']);
  });

  it('gives null in --json for a treatment of the schema-3 file', async () => {
    const shown = await showJson(1);
    expect(shown).toHaveProperty('schemaVersion', null);
  });
});

describe('cryo records export and report: the schema version each treatment was begun at', () => {
  it('export --json gives it last, and null for a treatment of the schema-3 file', async () => {
    const current = await exportJson(BEGUN_AT_CURRENT);
    expect(current.schemaVersion).toBe(SCHEMA_VERSION);
    expect(Object.keys(current).at(-1)).toBe('schemaVersion');
    expect(await exportJson(1)).toHaveProperty('schemaVersion', null);
  });

  it("export --fhir ends the Procedure's note with it", async () => {
    expect(await procedureNote(BEGUN_AT_CURRENT)).toMatch(new RegExp(`; record seal sha256 [0-9a-f]{64}; records schema ${SCHEMA_VERSION}\\.$`));
    expect(await procedureNote(1)).toMatch(new RegExp(`; records schema ${NOT_RECORDED.replace(/[()]/g, '\\$&')}\\.$`));
  });

  it('the report has it as the last row of the header', async () => {
    expect(await reportOf(BEGUN_AT_CURRENT)).toContain(`<tr><th>Samples dropped</th><td>3</td></tr>\n<tr><th>Records schema</th><td>${SCHEMA_VERSION}</td></tr>\n</table>`);
    expect(await reportOf(1)).toContain(`<tr><th>Records schema</th><td>${NOT_RECORDED}</td></tr>\n</table>`);
  });
});

describe('reading the recorded schema version', () => {
  it('refuses a treatments row without the column rather than reading it as not recorded', () => {
    const error = recordsErrorOf(() => recordedSchemaVersionOf({ id: 5, started_at_epoch_ms: LATER_EPOCH_MS }));
    expect(error.code).toBe('corrupt');
    expect(error.message).toBe('treatments row 5: no schema_version column (a file before schema 4 is read only by verify)');
  });
});
