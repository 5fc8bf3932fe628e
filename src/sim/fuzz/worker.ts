// Worker thread of `cryo hil fuzz --jobs J`: runs the chunks of run indices the main thread hands
// it, replying with each run's outcome and then with chunk-done. Runs the real controller only.
import { parentPort } from 'node:worker_threads';
import type { WorkerReply, WorkerRequest } from './campaign.js';
import { fuzzOne, seedOfRun } from './campaign.js';

const port = parentPort;
if (port === null) throw new Error('hil/fuzz/worker.js runs as a worker thread of the fuzz campaign');

port.on('message', (request: WorkerRequest) => {
  for (let i = request.fromIndex; i < request.fromIndex + request.count; i += 1) {
    const outcome = fuzzOne(i, seedOfRun(request.campaignSeed, i), { shrinkBudget: request.shrinkBudget });
    port.postMessage({ kind: 'outcome', outcome } satisfies WorkerReply);
  }
  port.postMessage({ kind: 'chunk-done' } satisfies WorkerReply);
});
