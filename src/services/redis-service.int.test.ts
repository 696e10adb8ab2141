import { afterAll, describe, expect, it } from 'vitest';
import { createTestScope } from '../../test/isolation.ts';

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
