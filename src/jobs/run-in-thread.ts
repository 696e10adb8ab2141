/**
 * Runs a module in a worker thread, so CPU-heavy work (training) leaves the caller's event loop free
 * (BullMQ's lock renewal, the API, progress reports). The thread registers tsx itself (loader hooks
 * are per thread on Node 20), imports `entry`, and talks back with messages: `{ type: 'done', result }`,
 * `{ type: 'error', message }`, or anything else, which goes to `onEvent`. Transferables in the
 * result (typed arrays' buffers) move without a copy.
 */
import { Worker } from 'node:worker_threads';

/** What a thread entry posts when it ends. */
export type ThreadEnd<R> =
  { readonly type: 'done'; readonly result: R } | { readonly type: 'error'; readonly message: string };

/** Runs `entry` with `data` in a worker thread; resolves with its result, relaying other messages. */
export function runInThread<R, E>(
  entry: URL,
  data: unknown,
  onEvent: (event: E) => void,
  transfer: readonly ArrayBuffer[] = [],
): Promise<R> {
  const tsx = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData: data, transferList: [...transfer] });
    let settled = false;
    const finish = (error: Error | undefined, result?: R): void => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      if (error === undefined) resolve(result as R);
      else reject(error);
    };
    worker.on('message', (message: ThreadEnd<R> | E) => {
      const end = message as ThreadEnd<R>;
      if (end.type === 'done') finish(undefined, end.result);
      else if (end.type === 'error') finish(new Error(end.message));
      else onEvent(message as E);
    });
    worker.on('error', (error) => finish(error));
    worker.on('exit', (code) =>
      finish(new Error(`worker thread exited with code ${code} before it finished`)),
    );
  });
}
