import { afterAll, describe, expect, it } from 'vitest';
import { WriteBatch } from './write-batch.ts';
import { redisKeys } from '../store/redis-keys.ts';
import { createTestScope } from '../../test/isolation.ts';
import { createOffsetStore, formatPosition } from './offset-store.ts';

const scope = createTestScope('offset-store');
afterAll(() => scope.cleanup());

describe('OffsetStore.commit (commitBatch.lua)', () => {
  const redis = scope.redis();
  const keys = redisKeys(scope.config.redis.keyPrefix);
  const store = createOffsetStore(redis, keys, 'g');

  it('applies every write and the next offset at once, binary values intact', async () => {
    const w = new WriteBatch();
    const vector = Buffer.from(Float32Array.of(1.5, -2, Math.PI).buffer);
    w.set(keys.userFactors('u'), vector);
    w.hset(keys.userState('u'), { bias: 0.25, ratings: 3 });
    w.hincrby(keys.ratingHistogram(), '5', 2);
    w.zadd(keys.userHistory('u'), 10, 'a');
    w.zadd(keys.userHistory('u'), 20, 'b');
    w.zadd(keys.userHistory('u'), 30, 'c');
    w.zkeepTop(keys.userHistory('u'), 2);
    // A plain offset (as written before packs) reads as index 0.
    w.hset(store.watermarksKey('t', 0), { 'src:3': '41', 'src:4': formatPosition({ offset: 7, index: 12 }) });
    expect(await store.commit('t', 0, null, 100, w)).toBe(true);
    expect(await store.readOffset('t', 0)).toBe(100);
    expect(await redis.getBuffer(keys.userFactors('u'))).toEqual(vector);
    expect(await redis.hgetall(keys.userState('u'))).toEqual({ bias: '0.25', ratings: '3' });
    expect(await redis.zrange(keys.userHistory('u'), 0, -1)).toEqual(['b', 'c']);
    expect(await store.readWatermarks('t', 0)).toEqual(
      new Map([
        ['src:3', { offset: 41, index: 0 }],
        ['src:4', { offset: 7, index: 12 }],
      ]),
    );
  });

  it('refuses a batch that started from an offset another owner has moved, writing nothing', async () => {
    const w = new WriteBatch();
    w.hincrby(keys.ratingHistogram(), '5', 1);
    expect(await store.commit('t', 0, 50, 120, w)).toBe(false);
    expect(await store.commit('t', 0, null, 120, w)).toBe(false);
    expect(await store.readOffset('t', 0)).toBe(100);
    expect(await redis.hget(keys.ratingHistogram(), '5')).toBe('2');
  });

  it('rejects a malformed batch before applying any of it', async () => {
    const w = new WriteBatch();
    w.hincrby(keys.ratingHistogram(), '4', 1);
    w.args.push('FLUSHALL', 2, 0);
    await expect(store.commit('t', 0, 100, 130, w)).rejects.toThrow(/bad write/);
    expect(await redis.hget(keys.ratingHistogram(), '4')).toBeNull();
    expect(await store.readOffset('t', 0)).toBe(100);
  });

  it('still works after the server forgets its scripts', async () => {
    await redis.script('FLUSH');
    expect(await store.commit('t', 0, 100, 140, new WriteBatch())).toBe(true);
    expect(await store.readOffset('t', 0)).toBe(140);
  });
});
