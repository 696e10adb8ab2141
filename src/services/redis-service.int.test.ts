import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestScope } from '../../test/isolation.ts';
import { sleep, waitUntil } from '../lib/time.ts';
import { createRedisService } from './redis-service.ts';
import { servicePaths } from './service-paths.ts';

const scope = createTestScope('redis');
afterAll(() => scope.cleanup());

describe('the local Redis server', () => {
  it('runs a Lua script that updates two keys atomically', async () => {
    const redis = scope.redis();
    const counter = `${scope.config.redis.keyPrefix}counter`;
    const board = `${scope.config.redis.keyPrefix}board`;
    // KEYS[1] counter, KEYS[2] sorted set; ARGV[1] member; returns the new count.
    const script = `local n = redis.call('INCR', KEYS[1]); redis.call('ZINCRBY', KEYS[2], 1, ARGV[1]); return n`;
    const results = [];
    for (const movie of ['a', 'b', 'a']) results.push(await redis.eval(script, 2, counter, board, movie));
    expect(results).toEqual([1, 2, 3]);
    expect(await redis.zrange(board, 0, -1, 'WITHSCORES')).toEqual(['b', '1', 'a', '2']);
  });

  it('reports a script error to the caller and leaves the key it failed on as it was', async () => {
    const redis = scope.redis();
    const key = `${scope.config.redis.keyPrefix}typed`;
    await redis.set(key, 'text');
    await expect(redis.eval(`return redis.call('INCR', KEYS[1])`, 1, key)).rejects.toThrow(/not an integer/);
    expect(await redis.get(key)).toBe('text');
  });
});

describe('a Redis that marquee services starts', () => {
  const home = mkdtempSync(join(tmpdir(), 'marquee-redis-'));
  const url = 'redis://127.0.0.1:16391';
  const service = createRedisService(url, servicePaths(home));
  const client = () => {
    const c = new Redis(url, { maxRetriesPerRequest: 1 });
    c.on('error', () => undefined);
    return c;
  };
  afterAll(async () => {
    await service.down();
    rmSync(home, { recursive: true, force: true });
  });

  it('keeps its data through a SIGKILL (append-only file, fsync every second) and never evicts', async () => {
    const first = await service.up(() => undefined);
    expect(first.state).toBe('running');
    const redis = client();
    expect(await redis.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
    expect(await redis.config('GET', 'appendfsync')).toEqual(['appendfsync', 'everysec']);
    expect(await redis.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
    await redis.set('offset:{g:t:0}', '12345');
    redis.disconnect();
    await sleep(1_500);
    process.kill(first.pid as number, 'SIGKILL');
    await waitUntil(async () => (await service.status()).state === 'stopped', 10_000);
    const second = await service.up(() => undefined);
    expect(second.pid).not.toBe(first.pid);
    const after = client();
    expect(await after.get('offset:{g:t:0}')).toBe('12345');
    after.disconnect();
  });

  it('turns persistence back on in one it started that runs without', async () => {
    const redis = client();
    await redis.config('SET', 'appendonly', 'no');
    const lines: string[] = [];
    expect((await service.up((line) => lines.push(line))).state).toBe('running');
    expect(await redis.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
    expect(lines).toEqual(['redis: now appendonly yes']);
    redis.disconnect();
  });
});
