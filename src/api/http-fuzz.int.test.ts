import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestScope } from '../../test/isolation.ts';
import { generateRequests } from '../../test/support/http-fuzz/fuzz-requests.ts';
import { describeFailures, formatSummary, runFuzz } from '../../test/support/http-fuzz/fuzz-run.ts';
import { startFuzzTarget, type FuzzTarget } from '../../test/support/http-fuzz/fuzz-target.ts';

/**
 * The bounded form of `npm run fuzz`: requests generated from the running API's /openapi.json
 * (valid instances of its schemas, then mutated) against `marquee api` as a process; no answer may be
 * a 5xx, every request must get an answer, and the process must still be there at the end.
 */
const scope = createTestScope('http-fuzz');
const seed = Number(process.env['FUZZ_SEED'] ?? Date.now() % 2 ** 31);
let target: FuzzTarget | undefined;

beforeAll(async () => {
  target = await startFuzzTarget(scope);
}, 60_000);

afterAll(async () => {
  await target?.api.stop();
  await scope.cleanup();
}, 60_000);

describe('HTTP fuzz from /openapi.json', () => {
  it('answers 1,500 generated requests without a 5xx, and the API process survives them', async () => {
    const { api, port, auth, doc } = target as FuzzTarget;
    const summary = await runFuzz(generateRequests(doc, auth, 1_500, seed), { host: '127.0.0.1', port });
    const detail = `seed ${seed} (FUZZ_SEED=${seed} repeats it)\n${formatSummary(summary)}\n${describeFailures(summary)}`;
    expect(summary.serverErrors, detail).toBe(0);
    expect(summary.noAnswer, detail).toBe(0);
    expect(api.child.exitCode, detail).toBeNull();
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect(api.output()).not.toMatch(/unhandled/);
    // The run reached the routes, not only their guards: ratings accepted, lists served.
    const got = (operation: string, status: string) => summary.byOperation.get(operation)?.get(status) ?? 0;
    expect(got('POST /v1/ratings', '202'), detail).toBeGreaterThan(0);
    expect(got('GET /recommend/{userId}', '200'), detail).toBeGreaterThan(0);
    expect(got('GET /v1/users/{userId}/recommendations', '200'), detail).toBeGreaterThan(0);
  }, 180_000);
});
