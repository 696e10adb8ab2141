import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WriteBatch } from './write-batch.ts';
import { redisKeys } from '../store/redis-keys.ts';
import { createTestScope } from '../../test/isolation.ts';
import { clusterEnv, ensureTestCluster, TEST_CLUSTER_NODES } from '../../test/support/redis-cluster.ts';
import { createOffsetStore, formatPosition } from './offset-store.ts';
import { forEachMaster } from '../store/redis-client.ts';

describe.each([
  ['one Redis (commitBatch.lua)', process.env],
  ['Redis Cluster (beginBatch, applySlot, endBatch)', clusterEnv(TEST_CLUSTER_NODES)],
])('OffsetStore.commit on %s', (_name, env) => {
  const scope = createTestScope('offset-store', env);
  beforeAll(async () => {
    if (scope.config.redis.clusterNodes !== undefined)
      await ensureTestCluster(scope.config.redis.clusterNodes);
  });
  afterAll(() => scope.cleanup());
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
    expect(await redis.exists(keys.partitionPending('g', 't', 0))).toBe(0);
    expect(await redis.hget(keys.ratingHistogram(), '4')).toBeNull();
    expect(await store.readOffset('t', 0)).toBe(100);
  });

  it('still works after the server forgets its scripts', async () => {
    for (const node of scope.config.redis.clusterNodes === undefined ? [redis] : await masters(redis))
      await node.script('FLUSH');
    expect(await store.commit('t', 0, 100, 140, new WriteBatch())).toBe(true);
    expect(await store.readOffset('t', 0)).toBe(140);
  });
});

/** The masters of a cluster client. */
async function masters(redis: Redis): Promise<Redis[]> {
  const nodes: Redis[] = [];
  await forEachMaster(redis, async (node) => void nodes.push(node));
  return nodes;
}

describe('OffsetStore.commit on Redis Cluster, interrupted', () => {
  const scope = createTestScope('offset-store-cut', clusterEnv(TEST_CLUSTER_NODES));
  beforeAll(() => ensureTestCluster(TEST_CLUSTER_NODES));
  afterAll(() => scope.cleanup());
  const redis = scope.redis();
  const keys = redisKeys(scope.config.redis.keyPrefix);
  /** 40 users' counters (40 slots, all three masters), a board, and the watermarks beside the offset. */
  const batch = (offset: number) => {
    const w = new WriteBatch();
    for (let u = 0; u < 40; u++) w.hincrby(keys.userState(String(u)), 'n', 1);
    w.zincrby(keys.popularFor('all'), 1.5, 'm');
    w.hset(keys.partitionWatermarks('g', 't', 0), { 'src:0': String(offset) });
    return w;
  };
  const counts = async () =>
    Promise.all(Array.from({ length: 40 }, (_, u) => redis.hget(keys.userState(String(u)), 'n')));

  it('finishes a batch cut off halfway exactly once, whoever reads the offset next', async () => {
    const cut = createOffsetStore(redis, keys, 'g', () => {
      throw new Error('killed mid-commit');
    });
    const store = createOffsetStore(redis, keys, 'g');
    expect(await store.commit('t', 0, null, 10, batch(10))).toBe(true);
    await expect(cut.commit('t', 0, 10, 20, batch(20))).rejects.toThrow('killed mid-commit');
    // Half of the slots hold the second batch; the offset does not, and the batch is pending.
    const half = await counts();
    expect(half.filter((n) => n === '2').length).toBeGreaterThan(0);
    expect(half.filter((n) => n === '1').length).toBeGreaterThan(0);
    expect(await redis.get(keys.partitionOffset('g', 't', 0))).toBe('10');
    // A new owner refuses to begin over it, then finishes it when it reads the offset.
    expect(await store.commit('t', 0, 10, 20, batch(20))).toBe(false);
    expect(await store.readOffset('t', 0)).toBe(20);
    expect(await counts()).toEqual(Array.from({ length: 40 }, () => '2'));
    expect(await redis.zscore(keys.popularFor('all'), 'm')).toBe('3');
    expect(await store.readWatermarks('t', 0)).toEqual(new Map([['src:0', { offset: 20, index: 0 }]]));
    expect(await redis.exists(keys.partitionPending('g', 't', 0))).toBe(0);
    // Reading again applies nothing twice; the next batch goes on from there.
    expect(await store.readOffset('t', 0)).toBe(20);
    expect(await store.commit('t', 0, 20, 30, batch(30))).toBe(true);
    expect(await counts()).toEqual(Array.from({ length: 40 }, () => '3'));
    expect(await redis.zscore(keys.popularFor('all'), 'm')).toBe('4.5');
  });
});
