import { describe, expect, it } from 'vitest';
import { plantedLowRank } from '../../test/support/rating-fixtures.ts';
import { fitSvdpp, SVDPP_DEFAULTS } from '../model/algorithms/svdpp.ts';
import { decodeArtifact, encodeArtifact } from '../model/artifact.ts';
import { svdToArtifact } from '../model/svd-artifact.ts';
import { defaultGuardrailSettings as settings } from './guardrail-settings.ts';
import { buildServingModel } from './serving-model.ts';

describe('serving SVD++ (the seed’s challenger)', () => {
  it('scores every (user, title) as the offline SVD++ model estimates it, after the artifact round trip', () => {
    // fitSvdpp's estimate is Surprise's SVDpp (svdpp.test.ts checks it against a literal transcription):
    // μ + b_u + b_i + q_i·(p_u + |N(u)|^-½ Σ_{j∈N(u)} y_j), the implicit part folded into the user's vector.
    const planted = plantedLowRank(60, 80, 3, 0.4, 11);
    const offline = fitSvdpp(planted.train, { ...SVDPP_DEFAULTS, epochs: 10 });
    const artifact = decodeArtifact(encodeArtifact(svdToArtifact(offline)));
    expect(artifact.algorithm).toBe('svd++');
    const movies = artifact.itemIds.map((movieId) => ({
      movieId,
      title: movieId,
      genres: [],
      certification: 'G' as const,
      adult: false,
    }));
    const serving = buildServingModel('7', artifact, movies, settings);
    const { userFactors, userBias, factors } = serving.model.data;
    let compared = 0;
    for (let u = 0; u < offline.nUsers; u++) {
      if (!offline.knowsUser(u)) continue;
      const scores = serving.scorer.score(userFactors, u * factors, userBias[u] as number);
      for (let i = 0; i < offline.nItems; i++) {
        if (!offline.knowsItem(i)) continue;
        expect(Math.abs((scores[i] as number) - offline.estimate(u, i))).toBeLessThan(1e-4);
        // The online evaluation predicts an arm's ratings with the stored model's clipped prediction.
        expect(serving.model.predict(u, i)).toBeCloseTo(offline.predict(u, i), 5);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(3_000);
  });
});
