// Worker thread of `cryo hil run --jobs J`: runs the scenario files the main thread hands it, one
// at a time, replying with each file's report. Runs the real controller only.
import { parentPort } from 'node:worker_threads';
import { MonotonicClock } from '../../../kernel/clock.js';
import type { WorkerReply, WorkerRequest } from './execute.js';
import { runScenarioFile } from './execute.js';

const port = parentPort;
if (port === null) throw new Error('src/sim/scenarios/worker.js runs as a worker thread of cryo hil run');
const clock = new MonotonicClock();

port.on('message', (request: WorkerRequest) => {
  const report = runScenarioFile(request.file, () => clock.nowMs());
  port.postMessage({ index: request.index, report } satisfies WorkerReply);
});
