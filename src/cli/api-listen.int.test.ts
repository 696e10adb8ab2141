import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnApi } from '../../test/support/api-process.ts';
import { createTestScope } from '../../test/isolation.ts';

const scope = createTestScope('api-listen');
/** Another process's listener on the port the API is told to take. */
let taken: Server;
let port: number;

beforeAll(async () => {
  taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  port = (taken.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise((resolve) => taken.close(resolve));
  await scope.cleanup();
});

describe('marquee api on a port in use', () => {
  it.each([['0'], ['2']])(
    'exits 1 with one line naming the port and API_PORT, not a stack trace (--workers %s)',
    async (workers) => {
      const api = spawnApi(scope.env, ['--port', String(port), '--workers', workers]);
      try {
        expect(await api.exited).toBe(1);
        expect(api.output()).toContain(
          `marquee api: port ${port} on 127.0.0.1 is in use (another marquee api?): stop it, or set API_PORT\n`,
        );
        expect(api.output()).not.toMatch(/Unhandled 'error' event|node:events|^\s+at /m);
      } finally {
        await api.stop();
      }
    },
  );
});
