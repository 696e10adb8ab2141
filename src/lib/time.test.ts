import { describe, expect, it } from 'vitest';
import { sleep, waitUntil } from './time.ts';

describe('sleep and waitUntil with an abort signal', () => {
  it('ends a sleep as soon as the signal aborts, with its reason', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const slept = sleep(10_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(slept).rejects.toThrow('stop');
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('stops polling when the signal aborts instead of waiting out the deadline', async () => {
    const controller = new AbortController();
    let checks = 0;
    const waited = waitUntil(
      async () => {
        checks += 1;
        if (checks === 2) controller.abort(new Error('stopping'));
        return false;
      },
      60_000,
      10,
      controller.signal,
    );
    await expect(waited).rejects.toThrow('stopping');
    expect(checks).toBe(2);
  });

  it('still reports a timeout with the last error when nothing aborts', async () => {
    const result = await waitUntil(
      async () => {
        throw new Error('not yet');
      },
      30,
      10,
      new AbortController().signal,
    );
    expect(result).toEqual({ ok: false, lastError: 'not yet' });
  });
});
