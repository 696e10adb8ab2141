/**
 * Worker-thread entry of `marquee train`: runs the TrainJob in `workerData` and posts each TrainEvent,
 * then `{ type: 'done' }` or `{ type: 'error', message }`. Started by start-train-worker.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runTrainJob, type TrainJob } from './train-job.ts';

const port = parentPort;
if (port === null) throw new Error('train-worker.ts runs only as a worker thread');
try {
  await runTrainJob(workerData as TrainJob, (event) => port.postMessage(event));
  port.postMessage({ type: 'done', result: undefined });
} catch (error) {
  port.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) });
}
