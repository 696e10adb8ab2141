import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestScope } from '../../test/isolation.ts';
import { clusterEnv, ensureTestCluster, TEST_CLUSTER_NODES } from '../../test/support/redis-cluster.ts';
import { randomSvdModel } from '../../test/support/random-svd-model.ts';
import { svdToArtifact } from '../model/svd-artifact.ts';
import { redisKeys } from '../store/redis-keys.ts';
import { createFallbackList } from './fallback-list.ts';
import { defaultGuardrailSettings } from './guardrail-settings.ts';
import { createLiveHeadCap } from './head-cap.ts';
import { createLiveSignals } from './live-signals.ts';
import { createRecommender } from './recommender.ts';
import { countServed } from './served-log/served-window.ts';
import { buildServingModel } from './serving-model.ts';

// 500 titles; the 10 most rated (the cap's head: top 2 %) also score best, so a list takes as many
// head titles as the cap allows.
const ids = Array.from({ length: 500 }, (_, i) => `m${i}`);
const model = randomSvdModel({ items: ids, users: 1, factors: 4, itemCount: (i) => 500 - i, seed: 2 });
for (let i = 0; i < 10; i++) model.data.itemBias[i] = 3;
const serving = buildServingModel(
  '1',
  svdToArtifact(model),
  ids.map((movieId, i) => ({
    movieId,
    title: movieId,
    genres: [`g${i % 15}`],
    certification: 'G' as const,
    adult: false,
  })),
  defaultGuardrailSettings,
);

describe.each([
  ['one Redis', process.env],
  ['Redis Cluster', clusterEnv(TEST_CLUSTER_NODES)],
])('the live head cap in the recommender on %s', (_name, env) => {
  const scope = createTestScope('head-cap', env);
  beforeAll(async () => {
    if (scope.config.redis.clusterNodes !== undefined)
      await ensureTestCluster(scope.config.redis.clusterNodes);
  });
  afterAll(() => scope.cleanup());

  it('fills fewer slots with head titles once the head takes most of the live exposure', async () => {
    const redis = scope.redis();
    const keys = redisKeys(scope.config.redis.keyPrefix);
    const heads = (items: readonly { movieId: string }[]) =>
      items.filter((i) => serving.headMask[serving.catalogue.indexOf(i.movieId) as number] === 1).length;
    const recommender = (settings: typeof defaultGuardrailSettings) =>
      createRecommender({
        redis,
        keys,
        models: { current: () => serving },
        settings,
        fallback: createFallbackList(),
      });

    const before = await recommender(defaultGuardrailSettings)('new-user', 20);
    expect(before.source).toBe('cold');
    expect(heads(before.items)).toBe(10); // the static cap: half a list

    // The last hours' exposure went 90 % to head titles.
    await countServed(
      redis,
      keys,
      new Map([
        ...ids.slice(0, 10).map((id) => [id, 90] as [string, number]),
        ...ids.slice(10, 110).map((id) => [id, 1] as [string, number]),
      ]),
    );
    const signals = createLiveSignals({ redis, keys, models: { current: () => serving } });
    const snapshot = await signals.refresh();
    expect(snapshot?.capHeadShare).toBeCloseTo(900 / 1000, 12);
    const cap = createLiveHeadCap(defaultGuardrailSettings, signals, {
      threshold: 0.4,
      floor: 0.2,
      hysteresis: 0.1,
    });
    // 0.5 · 0.4 / 0.9 = 0.222: 4 of 20 slots.
    expect(cap.maxHeadShare()).toBeCloseTo(0.2222, 4);
    const after = await recommender(cap.settings)('new-user', 20);
    expect(after.items).toHaveLength(20);
    expect(heads(after.items)).toBe(4);
    await signals.stop();
  });
});
