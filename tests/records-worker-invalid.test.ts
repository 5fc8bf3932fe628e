// A message the store refuses as invalid (a defect on the loop's side) is reported and set aside
// by the records worker, never retried for ever: the messages behind it are still committed and
// acknowledged, so one bad end cannot hold RECORDS_UNAVAILABLE on (and every start blocked).
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { FromRecords, ToRecords } from '../src/records/protocol.js';
import { RecordsStore, recordsPath } from '../src/records/store.js';
import { samples, treatmentEnd, treatmentStart } from './helpers/records.js';
import { tempDirMaker } from './helpers/temp.js';

const newDir = tempDirMaker('cryo-records-invalid-');
const WORKER = new URL('../dist/src/records/worker.js', import.meta.url);
let worker: Worker | null = null;
afterEach(async () => {
  await worker?.terminate();
  worker = null;
});

describe('the records worker and an invalid message', () => {
  it('reports it, sets it aside and commits what follows', async () => {
    const dataDir = newDir();
    const w = new Worker(WORKER, { workerData: { dataDir, recover: true } });
    worker = w;
    const seen: FromRecords[] = [];
    const waitFor = (match: (m: FromRecords) => boolean): Promise<FromRecords> =>
      new Promise((resolve) => {
        const found = seen.find(match);
        if (found !== undefined) {
          resolve(found);
          return;
        }
        const on = (m: FromRecords): void => {
          if (match(m)) {
            w.off('message', on);
            resolve(m);
          }
        };
        w.on('message', on);
      });
    w.on('message', (m: FromRecords) => seen.push(m));
    await waitFor((m) => m.kind === 'ready');
    const { console: c, ...rest } = treatmentStart({ startedAtEpochMs: 1_780_000_000_000 });
    const start = { ...rest, console: { softwareVersion: c.softwareVersion, boardName: c.boardName, boardSha256: c.boardSha256 } };
    const post = (m: ToRecords): void => {
      w.postMessage(m);
    };
    post({ kind: 'begin', seq: 1, uid: 'u1', start });
    post({ kind: 'end', seq: 2, uid: 'u1', startedAtEpochMs: start.startedAtEpochMs, end: { ...treatmentEnd(), frozenMs: -5 } });
    post({ kind: 'append', seq: 3, uid: 'u1', startedAtEpochMs: start.startedAtEpochMs, samplesBefore: 0, eventsBefore: 0, samples: samples(3), events: [] });
    const failure = await waitFor((m) => m.kind === 'failure');
    expect(failure).toMatchObject({ kind: 'failure', seq: 2, code: 'invalid' });
    expect((failure as { message: string }).message).toMatch(/frozenMs/);
    await waitFor((m) => m.kind === 'ack' && m.seq === 3);
    post({ kind: 'stop' });
    await waitFor((m) => m.kind === 'stopped');
    const store = RecordsStore.open(recordsPath(dataDir), { readonly: true });
    try {
      const t = store.list(1)[0];
      expect(t?.endedAtEpochMs).toBeNull();
      expect(store.get(t?.id ?? -1)?.samples).toHaveLength(3);
    } finally {
      store.close();
    }
  });
});
