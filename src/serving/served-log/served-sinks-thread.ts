import { Worker } from 'node:worker_threads';
import type { Config } from '../../../config/load-config.ts';
import type { ServedEvent } from '../../../streams/events.ts';
import { topicNames } from '../../../streams/topics.ts';
import type { ServedSinks } from './served-recorder.ts';

/** What the worker starts from: the config and the topic names, resolved on the API thread. */
export interface SinkWorkerData {
  readonly config: Config;
  readonly topics: { readonly served: string; readonly userEvents: string };
}

/** A message to the served-sinks worker. */
export type SinkRequest =
  | { readonly type: 'publish'; readonly id: number; readonly events: readonly ServedEvent[] }
  | { readonly type: 'count'; readonly id: number; readonly counts: ReadonlyMap<string, number> }
  | { readonly type: 'stop' };

/** The worker's answer to one publish or count, or an error its clients reported meanwhile. */
export type SinkReply =
  | { readonly id: number; readonly ok: true }
  | { readonly id: number; readonly ok: false; readonly error: string }
  | { readonly id: -1; readonly clientError: string; readonly client: string };

/** Served sinks running in a worker thread, and how to stop it. */
export interface ServedSinksThread extends ServedSinks {
  /** Waits for the answers still due, then closes the worker's producer and Redis client. */
  stop(): Promise<void>;
}

/**
 * Runs the served-list sinks (served-sinks.ts) in a worker thread with their own Kafka producer and
 * Redis client. Encoding a batch for Kafka (JSON, record batches, CRC) and a leaderboard pipeline
 * took the API's event loop for several milliseconds every 100 ms, which requests waiting behind it
 * saw as tail latency; here the loop only posts the batch. The worker registers tsx itself (loader
 * hooks are per thread on Node 20), and imports no more than it needs: tsx's loader in a worker
 * thread cannot bind some of kafkajs's named CommonJS exports (streams/topics.ts's ConfigResourceTypes
 * failed the import, and with it every batch), so the topic names come resolved in workerData.
 * Publishing waits for `topicsReady`, so no batch creates a topic with the broker's defaults.
 */
export function startServedSinksThread(
  config: Config,
  topicsReady: Promise<unknown>,
  onClientError: (client: string, message: string) => void,
): ServedSinksThread {
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./served-sinks-worker.ts', import.meta.url).href;
  const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  const { served, userEvents } = topicNames(config);
  const workerData: SinkWorkerData = { config, topics: { served, userEvents } };
  const worker = new Worker(code, { eval: true, workerData });
  const pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  let nextId = 0;
  let exited: Error | undefined;
  worker.on('message', (reply: SinkReply) => {
    if ('clientError' in reply) return onClientError(reply.client, reply.clientError);
    const waiter = pending.get(reply.id);
    pending.delete(reply.id);
    if ('ok' in reply && reply.ok) waiter?.resolve();
    else if ('error' in reply) waiter?.reject(new Error(reply.error));
  });
  const fail = (error: Error) => {
    exited = error;
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`served-sinks worker exited with code ${code}`)));
  const call = (request: Exclude<SinkRequest, { type: 'stop' }>) =>
    new Promise<void>((resolve, reject) => {
      if (exited !== undefined) return reject(exited);
      pending.set(request.id, { resolve, reject });
      worker.postMessage(request);
    });
  return {
    publish: (events) => topicsReady.then(() => call({ type: 'publish', id: nextId++, events })),
    countServed: (counts) => call({ type: 'count', id: nextId++, counts }),
    async stop() {
      if (exited !== undefined) return;
      const gone = new Promise((resolve) => worker.once('exit', resolve));
      worker.postMessage({ type: 'stop' } satisfies SinkRequest);
      await gone;
    },
  };
}
