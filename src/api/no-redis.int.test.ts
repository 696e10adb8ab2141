import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load-config.ts';
import { createTestScope } from '../../test/isolation.ts';
import { closedRedisUrl } from '../../test/support/private-redis.ts';
import { startApi, type RunningApi } from './start-api.ts';

const scope = createTestScope('no-redis');
const lines: string[] = [];
let api: RunningApi;
let base: string;
let where: string;

beforeAll(async () => {
  const url = await closedRedisUrl();
  where = url.slice('redis://'.length);
  const config = loadConfig({ ...scope.env, REDIS_URL: url, REDIS_PASSWORD: 'any' });
  api = await startApi(config, { port: 0, log: (line) => lines.push(line) });
  base = `http://127.0.0.1:${api.port}`;
});
afterAll(async () => {
  await api?.stop();
  await scope.cleanup();
});

describe('marquee api with no model and Redis down', () => {
  it('answers the course route with an empty 200 and logs why there is nothing to answer with', async () => {
    const reason = `no model loaded and no popular list: redis at ${where} is not reachable`;
    expect(lines).toContain(`/recommend answers an empty line (200) for now: ${reason}`);
    const res = await fetch(`${base}/recommend/1`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-model-version')).toBe('none');
    expect(await res.text()).toBe('');
    expect(lines).toContain(`recommend answered an empty line: ${reason}`);
  });
});
