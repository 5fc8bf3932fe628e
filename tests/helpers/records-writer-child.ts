// A records writer for the kill -9 test (tests/records-crash.test.ts): opens the store named by
// argv[2], begins a treatment and appends batches of five samples and an event as fast as it
// can, printing `committed N` after each batch's transaction returned. Runs until killed.
import { RecordsStore } from '../../src/records/store.js';
import { phaseEvent, samples, treatmentStart } from './records-data.js';

const file = process.argv[2];
if (file === undefined) throw new Error('usage: records-writer-child FILE');
const store = RecordsStore.open(file);
const id = store.begin(treatmentStart());
let batches = 0;
function batch(): void {
  store.append(id, samples(5, { fromMs: batches * 500 }), [phaseEvent(batches * 500, 'Freezing')]);
  batches += 1;
  process.stdout.write(`committed ${batches}\n`);
  setImmediate(batch);
}
batch();
