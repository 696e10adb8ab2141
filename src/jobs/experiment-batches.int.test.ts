import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestScope } from '../../test/isolation.ts';
import { insertExperiment, readBatches } from '../store/postgres/experiments.ts';
import { redisKeys } from '../store/redis-keys.ts';
import { cutBatches } from './experiment-batches.ts';
import type pg from 'pg';

const scope = createTestScope('experiment-batches');
const keys = redisKeys(scope.config.redis.keyPrefix);
const redis = scope.redis();
let pool: pg.Pool;

beforeAll(async () => {
  pool = await scope.postgres();
});

afterAll(async () => {
  await scope.cleanup();
});

describe('cutting online residuals into batches of 1,000', () => {
  it('stores each complete batch exactly once, in commit order, even with two workers cutting at once', async () => {
    const arms = [
      { name: 'a', version: '1', weight: 1 },
      { name: 'b', version: '2', weight: 1 },
    ];
    const row = await insertExperiment(pool, {
      name: 't',
      arms,
      assignment: 'parity',
      primaryMetric: 'rmse',
      alpha: 0.05,
      tuning: 100,
    });
    const e = { id: row.id, arms, assignment: 'parity' as const, salt: row.salt };
    // Arm a: squared errors 1 for the first 1,000 ratings, 4 for the next 1,000, then 500 more.
    const residuals = keys.experimentEval(row.id, 'a', 'residuals');
    for (const [value, n] of [
      ['1', 1_000],
      ['4', 1_000],
      ['9', 500],
    ] as const)
      await redis.rpush(residuals, ...Array.from({ length: n }, () => value));
    const [one, two] = [redis.duplicate(), redis.duplicate()];
    try {
      const stored = await Promise.all([
        cutBatches({ pool, redis: one, keys }, e),
        cutBatches({ pool, redis: two, keys }, e),
      ]);
      expect(stored[0] + stored[1]).toBe(2);
    } finally {
      one.disconnect();
      two.disconnect();
    }
    const batches = await readBatches(pool, row.id);
    expect(batches.map((b) => [b.arm, b.batch, b.ratings, b.rmse])).toEqual([
      ['a', 0, 1_000, 1],
      ['a', 1, 1_000, 2],
    ]);
    expect(await redis.llen(residuals)).toBe(500);
    expect(await redis.hgetall(keys.experimentEval(row.id, 'a', 'cut'))).toEqual({
      batches: '2',
      residuals: '2000',
      rmse: '2',
    });
    // Nothing more to cut until 1,000 more arrive.
    const again = redis.duplicate();
    try {
      expect(await cutBatches({ pool, redis: again, keys }, e)).toBe(0);
    } finally {
      again.disconnect();
    }
  });
});
