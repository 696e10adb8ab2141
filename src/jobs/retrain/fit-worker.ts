/**
 * Worker-thread entry of a retrain's fits (fit-in-thread.ts starts it): runs the FitRequest in
 * `workerData`, posting FitProgress events, then `{ type: 'done', result }` or `{ type: 'error' }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { evaluateCandidate, refitCandidate, type FitRequest } from './fit-candidate.ts';

const port = parentPort;
if (port === null) throw new Error('fit-worker.ts runs only as a worker thread');
try {
  const request = workerData as FitRequest;
  const progress = (p: unknown) => port.postMessage(p);
  if (request.kind === 'evaluate') {
    port.postMessage({ type: 'done', result: evaluateCandidate(request, progress) });
  } else {
    const bytes = refitCandidate(request, progress);
    port.postMessage({ type: 'done', result: bytes }, [bytes.buffer as ArrayBuffer]);
  }
} catch (error) {
  port.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) });
}
