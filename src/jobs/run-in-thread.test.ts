import { describe, expect, it } from 'vitest';
import { runInThread } from './run-in-thread.ts';

const module = (code: string) => new URL(`data:text/javascript,${encodeURIComponent(code)}`);
const post = "import { parentPort } from 'node:worker_threads';";

describe('runInThread', () => {
  it('resolves with the result and relays the other messages', async () => {
    const events: unknown[] = [];
    const entry = module(`${post} parentPort.postMessage({ type: 'step', n: 1 });
      parentPort.postMessage({ type: 'done', result: 42 });`);
    await expect(runInThread(entry, null, (e) => events.push(e))).resolves.toBe(42);
    expect(events).toEqual([{ type: 'step', n: 1 }]);
  });

  it('stops a thread that is still working when its signal is aborted, rejecting with the reason', async () => {
    const stop = new AbortController();
    const started = performance.now();
    const entry = module(`${post} parentPort.postMessage({ type: 'busy' }); setInterval(() => {}, 1000);`);
    const running = runInThread(entry, null, () => stop.abort(new Error('gate rejected')), [], stop.signal);
    await expect(running).rejects.toThrow('gate rejected');
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('never starts a thread for a signal aborted already', async () => {
    await expect(runInThread(module(post), null, () => undefined, [], AbortSignal.abort())).rejects.toThrow();
  });
});
