import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestScope } from '../../test/isolation.ts';
import { clusterEnv, ensureTestCluster, TEST_CLUSTER_NODES } from '../../test/support/redis-cluster.ts';
import { randomSvdModel } from '../../test/support/random-svd-model.ts';
import { svdToArtifact } from '../model/svd-artifact.ts';
import { redisKeys } from '../store/redis-keys.ts';
import { defaultGuardrailSettings } from './guardrail-settings.ts';
import { registerLiveMetrics } from './live-metrics.ts';
import { createLiveSignals, utcDay } from './live-signals.ts';
import { countServed, rollServedWindow } from './served-log/served-window.ts';
import { buildServingModel } from './serving-model.ts';

const ids = Array.from({ length: 10 }, (_, i) => `m${i}`);
// Popularity (training-rating counts) 100, 90, …, 10: m0 is the cap's head (top 2 % → 1 title).
const model = randomSvdModel({ items: ids, users: 3, factors: 4, itemCount: (i) => (10 - i) * 10 });
const serving = buildServingModel(
  '1',
  svdToArtifact(model),
  ids.map((movieId) => ({
    movieId,
    title: `Title ${movieId}`,
    genres: ['Drama'],
    certification: 'G',
    adult: false,
  })),
  defaultGuardrailSettings,
);
const HOUR = 3_600_000;
const now = Date.UTC(2026, 0, 15, 12, 30);

// On a cluster the window's keys (hourly boards and totals, the window board, the roll marker) must
// share one slot: the roll is one script over them and the total one MGET.
describe.each([
  ['one Redis', process.env],
  ['Redis Cluster', clusterEnv(TEST_CLUSTER_NODES)],
])('live feedback-loop signals on %s', (_name, env) => {
  const scope = createTestScope('live-signals', env);
  beforeAll(async () => {
    if (scope.config.redis.clusterNodes !== undefined)
      await ensureTestCluster(scope.config.redis.clusterNodes);
  });
  afterAll(() => scope.cleanup());

  it('reads coverage, concentration, popularity and rating skew from the 24-hour window, and exports them', async () => {
    const redis = scope.redis();
    const keys = redisKeys(scope.config.redis.keyPrefix);
    const counted = (at: number, entries: [string, number][]) =>
      countServed(redis, keys, new Map(entries), at);
    // The window's exposure (20 slots): this hour and the previous one, counted as the API counts
    // them; an hour 25 hours ago has left the window and is subtracted at the first read.
    await counted(now - 25 * HOUR, [['m5', 100]]);
    await counted(now - HOUR, [
      ['m3', 3],
      ['m4', 2],
      ['m7', 2],
      ['m8', 1],
    ]);
    await counted(now, [
      ['m0', 8],
      ['m1', 4],
    ]);
    await redis.hset(keys.ratingHistogramOf('served'), { '4': 2, '5': 2 });
    await redis.hset(keys.ratingHistogramOf('organic'), { '1': 1, '2': 1, '3': 1, '4': 1, '5': 1 });
    await redis.zadd(keys.leaderboard(`watched:${utcDay(now)}`), 5, 'm2', 3, 'm1');
    await redis.zadd(keys.leaderboard(`rated:${utcDay(now)}`), 2, 'm3');
    await redis.hset(keys.liveAudit(), { lists: 7, violations: 1, ageViolations: 1, genreViolations: 0 });
    const errors: unknown[] = [];
    const signals = createLiveSignals({
      redis,
      keys,
      models: { current: () => serving },
      now: () => now,
      onError: (error) => errors.push(error),
    });
    const s = await signals.refresh();
    expect(errors).toEqual([]);
    expect(s).toMatchObject({
      catalogue: 10,
      exposures: 20,
      coverage: 0.6,
      headShare: 8 / 20,
      capHeadShare: 8 / 20,
    });
    expect(await redis.zscore(keys.servedWindow(), 'm5')).toBeNull();
    // Rolled once: a second roll, from this process or another, subtracts nothing again.
    expect(await rollServedWindow(redis, keys, now)).toBe(0);
    expect(await redis.zscore(keys.servedWindow(), 'm0')).toBe('8');
    // Hand-computed in src/model/eval/feedback-metrics.test.ts for the same counts.
    expect(s?.gini).toBeCloseTo(0.61, 12);
    // (8·100 + 4·90 + 3·70 + 2·60 + 2·30 + 1·20) / 20 = 1570 / 20.
    expect(s?.avgPopularity).toBeCloseTo(78.5, 5);
    expect(s?.ratingSkew.meanGap).toBe(1.5);
    expect(s?.ratingSkew.wasserstein).toBeCloseTo(1.5, 12);
    expect(s?.topServed.slice(0, 3)).toEqual([
      { movieId: 'm0', title: 'Title m0', count: 8 },
      { movieId: 'm1', title: 'Title m1', count: 4 },
      { movieId: 'm3', title: 'Title m3', count: 3 },
    ]);
    expect(s?.topWatched.map((e) => [e.movieId, e.count])).toEqual([
      ['m2', 5],
      ['m1', 3],
    ]);
    expect(s?.topRated).toEqual([{ movieId: 'm3', title: 'Title m3', count: 2 }]);
    expect(s?.violations).toEqual({ lists: 7, violations: 1, ageViolations: 1, genreViolations: 0 });

    const registry = new Registry();
    registerLiveMetrics(registry, signals, () => 0.35);
    const text = await registry.metrics();
    for (const line of [
      'marquee_feedback_coverage_ratio 0.6',
      'marquee_feedback_exposure_gini 0.61',
      'marquee_feedback_head_exposure_ratio 0.4',
      'marquee_feedback_cap_head_exposure_ratio 0.4',
      'marquee_feedback_recommended_popularity 78.5',
      'marquee_feedback_window_exposures 20',
      'marquee_feedback_rating_skew_stars 1.5',
      'marquee_feedback_rating_mean_stars{origin="served"} 4.5',
      'marquee_feedback_rating_mean_stars{origin="organic"} 3',
      'marquee_feedback_ratings_total{origin="served",stars="5"} 2',
      'marquee_audit_live_violations_total 1',
      'marquee_feedback_head_cap_ratio 0.35',
    ])
      expect(text).toContain(line);
  });
});
