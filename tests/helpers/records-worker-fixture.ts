// The real records worker (dist/src/records/worker.js, as npm test builds it) made to misbehave
// for tests/records-link.test.ts (a module in a data: URL, as console-fixture.ts does it, so it
// needs no file of its own outside the TypeScript project), steered by files the test writes in the data dir:
// - `die-at-ack` holding N: the worker exits (code 3) instead of posting its Nth acknowledgement,
//   so the batches it had committed reach the link unacknowledged; the file is removed then, so the
//   restarted worker behaves;
// - `die-after-end` present: the worker exits (code 3) instead of acknowledging a batch that held
//   a treatment's end (committed), and removes the file;
// - `mute` present: every acknowledgement is swallowed (the worker goes on committing);
// - `full` present: the store may not grow (SQLite's max_page_count at the file's size, set before
//   each append), so the next append that needs a page fails SQLITE_FULL, as on a full disk;
//   removed, the quota is lifted at the next try.

/** The compiled records worker. */
export const REAL_RECORDS_WORKER = new URL('../../dist/src/records/worker.js', import.meta.url);
const REAL_RECORDS_STORE = new URL('../../dist/src/records/store.js', import.meta.url);
/** SQLite's largest max_page_count (no quota). */
const NO_QUOTA_PAGES = 0xfffffffe;
/** The exit code of a worker made to die. */
export const FIXTURE_EXIT_CODE = 3;

const SOURCE = `
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';

const EXIT_CODE = ${FIXTURE_EXIT_CODE};
const dataDir = workerData.dataDir;
const dieAt = join(dataDir, 'die-at-ack');
const mute = join(dataDir, 'mute');
const dieAfterEnd = join(dataDir, 'die-after-end');
let endSinceAck = false;
parentPort.on('message', (message) => {
  if (message.kind === 'end') endSinceAck = true;
});
const post = parentPort.postMessage.bind(parentPort);
let acks = 0;
parentPort.postMessage = (message) => {
  if (message.kind === 'ack') {
    acks += 1;
    if (existsSync(dieAt) && acks >= Number(readFileSync(dieAt, 'utf8'))) {
      rmSync(dieAt);
      process.exit(EXIT_CODE);
    }
    if (endSinceAck && existsSync(dieAfterEnd)) {
      rmSync(dieAfterEnd);
      process.exit(EXIT_CODE);
    }
    endSinceAck = false;
    if (existsSync(mute)) return;
  }
  post(message);
};
const full = join(dataDir, 'full');
const { RecordsStore } = await import(${JSON.stringify(REAL_RECORDS_STORE.href)});
const append = RecordsStore.prototype.append;
RecordsStore.prototype.append = function (...args) {
  // max_page_count cannot go below the file's size: 1 sets it there.
  this.db.pragma('max_page_count = ' + (existsSync(full) ? 1 : ${NO_QUOTA_PAGES}));
  return append.apply(this, args);
};
await import(${JSON.stringify(REAL_RECORDS_WORKER.href)});
`;

export const MISBEHAVING_RECORDS_WORKER = new URL(`data:text/javascript,${encodeURIComponent(SOURCE)}`);
