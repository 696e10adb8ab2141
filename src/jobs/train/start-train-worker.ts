import { Worker } from 'node:worker_threads';
import type { TrainEvent, TrainJob } from './train-job.ts';

/**
 * Runs a TrainJob in a worker thread so the caller's event loop stays free, relaying its events.
 * The worker registers tsx itself (loader hooks are per thread on Node 20), then imports train-worker.ts.
 */
export function startTrainWorker(job: TrainJob, onEvent: (event: TrainEvent) => void): Promise<void> {
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./train-worker.ts', import.meta.url).href;
  const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData: job });
    let settled = false;
    const finish = (error?: Error): void => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      if (error === undefined) resolve();
      else reject(error);
    };
    worker.on('message', (message: TrainEvent | { type: 'done' } | { type: 'error'; message: string }) => {
      if (message.type === 'done') finish();
      else if (message.type === 'error') finish(new Error(message.message));
      else onEvent(message);
    });
    worker.on('error', (error) => finish(error));
    worker.on('exit', (code) =>
      finish(code === 0 ? undefined : new Error(`training worker exited with code ${code}`)),
    );
  });
}
