import { describe, expect, it } from 'vitest';
import { buildRatingSet } from '../ratings/build-rating-set.ts';
import { errorMetrics } from './metrics.ts';

describe('errorMetrics', () => {
  it('computes RMSE and MAE of the predictions against the true ratings', () => {
    const test = buildRatingSet([
      { userId: 'a', movieId: 'x', rating: 4 },
      { userId: 'a', movieId: 'y', rating: 1 },
    ]);
    // errors: 4 − 3 = 1 and 1 − 3 = −2 → RMSE √((1 + 4)/2), MAE 1.5
    const m = errorMetrics({ algorithm: 'const', predict: () => 3 }, test);
    expect(m.rmse).toBeCloseTo(Math.sqrt(2.5), 10);
    expect(m.mae).toBeCloseTo(1.5, 10);
    expect(m.count).toBe(2);
  });
});
