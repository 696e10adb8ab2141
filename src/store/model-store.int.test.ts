import { afterAll, describe, expect, it } from 'vitest';
import { createTestScope } from '../../test/isolation.ts';
import { encodeArtifact } from '../model/artifact.ts';
import { svdToArtifact } from '../model/svd-artifact.ts';
import { SvdModel } from '../model/algorithms/svd-model.ts';
import { loadActiveModel, publishModel } from './model-store.ts';
import { redisKeys } from './redis-keys.ts';

const scope = createTestScope('model-store');
afterAll(() => scope.cleanup());
const keys = redisKeys(scope.config.redis.keyPrefix);

const artifact = (bias: number) =>
  svdToArtifact(
    new SvdModel({
      algorithm: 'svd',
      params: { lr: 0.005 },
      mu: 3.5,
      factors: 2,
      scale: { min: 1, max: 5 },
      userIds: ['1'],
      itemIds: ['a+2000', 'b+2001'],
      userBias: Float32Array.of(0.1),
      itemBias: Float32Array.of(bias, -bias),
      userFactors: Float32Array.of(0.5, -0.5),
      itemFactors: Float32Array.of(1, 2, 3, 4),
      userCounts: Float32Array.of(3),
      itemCounts: Float32Array.of(2, 1),
    }),
  );

describe('the model store', () => {
  it('has no active model before the first publication', async () => {
    expect(await loadActiveModel(scope.redis(), keys)).toBeNull();
  });

  it('round-trips an artifact and its movies, and announces each version after it is active', async () => {
    const redis = scope.redis();
    const subscriber = scope.redis();
    const heard: string[] = [];
    const activeWhenHeard: (string | null)[] = [];
    subscriber.on('message', (_channel, version: string) => {
      heard.push(version);
      void redis.get(keys.activeModel()).then((v) => activeWhenHeard.push(v));
    });
    await subscriber.subscribe(keys.modelChannel());
    const movies = [
      { movieId: 'a+2000', title: 'A', genres: ['Drama'], certification: 'PG' as const, adult: false },
    ];
    const v1 = await publishModel(redis, keys, artifact(0.25), { movies, version: 'v1' });
    const loaded = await loadActiveModel(redis, keys);
    expect(loaded?.version).toBe(v1);
    expect(encodeArtifact(loaded!.artifact)).toEqual(encodeArtifact(artifact(0.25)));
    expect(loaded?.movies).toEqual(movies);
    await publishModel(redis, keys, artifact(0.5), { version: 'v2' });
    expect((await loadActiveModel(redis, keys))?.artifact.blobs['itemBias']).toEqual(
      Float32Array.of(0.5, -0.5),
    );
    await expect.poll(() => heard).toEqual(['v1', 'v2']);
    await expect.poll(() => activeWhenHeard.length).toBe(2);
    expect(activeWhenHeard.every((v) => v !== null)).toBe(true);
  });
});
