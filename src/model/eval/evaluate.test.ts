import { describe, expect, it } from 'vitest';
import { buildRatingSet } from '../ratings/build-rating-set.ts';
import { evaluate, median, summarise } from './evaluate.ts';
import type { Algorithm } from '../ratings/rating-set.ts';
import { kFoldSplits } from './splits.ts';

// predicts a constant given as its one parameter
const constant: Algorithm<{ value: number }> = {
  name: 'constant',
  defaults: { value: 3 },
  fit: (_train, params, onEpoch) => {
    onEpoch?.(1, 1, 0);
    return { algorithm: 'constant', predict: () => params.value };
  },
};

const set = buildRatingSet(
  Array.from({ length: 20 }, (_, k) => ({
    userId: `u${k % 4}`,
    movieId: `m${k % 5}`,
    rating: k % 2 === 0 ? 2 : 4,
  })),
);

describe('evaluate', () => {
  it('fits on each fold and measures the held-out ratings', () => {
    const results = evaluate(constant, { value: 3 }, kFoldSplits(set, 4, 1));
    expect(results).toHaveLength(4);
    for (const r of results) {
      expect(r.rmse).toBeCloseTo(1, 10); // every rating is 2 or 4
      expect(r.mae).toBeCloseTo(1, 10);
      expect(r.trainRatings + r.testRatings).toBe(20);
      expect(r.fitSeconds).toBeGreaterThanOrEqual(0);
    }
  });

  it('reports progress per fold and ranking metrics when asked', () => {
    const epochs: number[] = [];
    const results = evaluate(constant, { value: 5 }, kFoldSplits(set, 2, 1), {
      onEpoch: (fold) => epochs.push(fold),
      ranking: { k: 2, relevantAt: 4 },
    });
    expect(epochs).toEqual([0, 1]);
    expect(results[0]?.ranking?.k).toBe(2);
    expect(summarise(results).ranking?.k).toBe(2);
  });
});

describe('summarise', () => {
  it('averages accuracy and takes the median fit time', () => {
    const s = summarise([
      { split: 'a', trainRatings: 1, testRatings: 1, rmse: 1, mae: 0.5, fitSeconds: 9 },
      { split: 'b', trainRatings: 1, testRatings: 1, rmse: 2, mae: 1.5, fitSeconds: 1 },
      { split: 'c', trainRatings: 1, testRatings: 1, rmse: 3, mae: 1, fitSeconds: 2 },
    ]);
    expect(s).toEqual({ folds: 3, rmse: 2, mae: 1, medianFitSeconds: 2 });
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
