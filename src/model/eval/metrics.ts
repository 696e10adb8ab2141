import type { Predictor, RatingSet } from '../ratings/rating-set.ts';

/** Rating-prediction accuracy on a test set. */
export interface ErrorMetrics {
  readonly rmse: number;
  readonly mae: number;
  readonly count: number;
}

/** RMSE and MAE of a predictor over every rating in `test` (NaN when the set is empty). */
export function errorMetrics(predictor: Predictor, test: RatingSet): ErrorMetrics {
  const n = test.ratings.length;
  let sq = 0;
  let abs = 0;
  for (let k = 0; k < n; k++) {
    const err =
      (test.ratings[k] as number) - predictor.predict(test.users[k] as number, test.items[k] as number);
    sq += err * err;
    abs += Math.abs(err);
  }
  return { rmse: Math.sqrt(sq / n), mae: abs / n, count: n };
}
