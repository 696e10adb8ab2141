import { describe, expect, it } from 'vitest';
import { CERTIFICATIONS } from '../data/dataset.ts';
import { classAges } from '../guardrails/age-policy.ts';
import { svdToArtifact } from '../model/svd-artifact.ts';
import { scoreAllItems } from '../model/top-n.ts';
import { randomSvdModel } from '../../test/support/random-svd-model.ts';
import { defaultGuardrailSettings as settings } from './guardrail-settings.ts';
import { buildServingModel } from './serving-model.ts';

describe('the serving model scorer', () => {
  it('scores as scoreAllItems does, with the age class’s forbidden titles at -Infinity', () => {
    const [n, k] = [500, 100];
    const model = randomSvdModel({
      items: n,
      factors: k,
      seed: 5,
      factorStd: 0.3,
      itemBiasStd: 0.5,
      itemCount: (i) => (i % 11 === 4 ? 0 : 1),
    });
    const { userFactors } = model.data;
    const records = model.data.itemIds.map((movieId, i) => ({
      movieId,
      title: movieId,
      genres: [],
      certification: i % 9 === 0 ? null : (CERTIFICATIONS[i % CERTIFICATIONS.length] ?? null),
      adult: i % 13 === 0,
    }));
    const serving = buildServingModel('v', svdToArtifact(model), records, settings);
    const ages = classAges(settings.agePolicy);
    const reference = new Float32Array(n);
    scoreAllItems(serving.model, userFactors, 0, 0.25, reference);
    ages.forEach((age, j) => {
      const expected = Float32Array.from(reference);
      for (const i of serving.masks.forbiddenFor(age)) expected[i] = -Infinity;
      const got = serving.scorer.score(userFactors, 0, 0.25, j + 1);
      for (let i = 0; i < n; i++) {
        const e = expected[i] as number;
        if (e === -Infinity) expect(got[i]).toBe(-Infinity);
        else expect(Math.abs((got[i] as number) - e)).toBeLessThan(1e-4 * (1 + Math.abs(e)));
      }
    });
    expect(() => serving.scorer.score(userFactors, 0, 0, ages.length + 1)).toThrow(RangeError);
  });
});
