import { runInThread } from '../run-in-thread.ts';
import type { TrainEvent, TrainJob } from './train-job.ts';

/** Runs a TrainJob in a worker thread (train-worker.ts) so the caller's event loop stays free, relaying its events. */
export function startTrainWorker(job: TrainJob, onEvent: (event: TrainEvent) => void): Promise<void> {
  return runInThread<void, TrainEvent>(new URL('./train-worker.ts', import.meta.url), job, onEvent);
}
