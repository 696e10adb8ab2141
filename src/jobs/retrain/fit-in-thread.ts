import { runInThread } from '../run-in-thread.ts';
import type { Evaluation, FitProgress, FitRequest } from './fit-candidate.ts';

/** Runs an `evaluate` fit in a worker thread. */
export function evaluateInThread(
  request: FitRequest & { kind: 'evaluate' },
  onProgress: (p: FitProgress) => void,
): Promise<Evaluation> {
  return runInThread(new URL('./fit-worker.ts', import.meta.url), request, onProgress);
}

/** Runs a `refit` in a worker thread; resolves with the encoded artifact. */
export function refitInThread(
  request: FitRequest & { kind: 'refit' },
  onProgress: (p: FitProgress) => void,
): Promise<Uint8Array> {
  return runInThread(new URL('./fit-worker.ts', import.meta.url), request, onProgress);
}
