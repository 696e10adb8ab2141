import { errorMetrics } from './metrics.ts';
import { rankingMetrics, type RankingMetrics, type RankingOptions } from './ranking-metrics.ts';
import type { Algorithm, Predictor } from '../ratings/rating-set.ts';
import type { Split } from './splits.ts';

/** How one algorithm did on one split. */
export interface FoldResult {
  readonly split: string;
  readonly trainRatings: number;
  readonly testRatings: number;
  readonly rmse: number;
  readonly mae: number;
  readonly fitSeconds: number;
  readonly ranking?: RankingMetrics;
}

/** Per-epoch progress of one fold. */
export type FoldProgress = (fold: number, epoch: number, epochs: number, trainRmse: number) => void;

/** What evaluation measures besides RMSE and MAE. */
export interface EvaluateOptions {
  /** Top-N metrics; omitted means rating accuracy only. */
  readonly ranking?: RankingOptions;
  readonly onEpoch?: FoldProgress;
  /** Called with each fold's model, e.g. to keep the last one. */
  readonly onModel?: (fold: number, model: Predictor) => void;
}

/** Fits `algorithm` on each split's train set and measures it on the test set; fit time is wall time. */
export function evaluate<P>(
  algorithm: Algorithm<P>,
  params: P,
  splits: readonly Split[],
  options: EvaluateOptions = {},
): FoldResult[] {
  return splits.map((split, fold) => {
    const started = performance.now();
    const model = algorithm.fit(split.train, params, (epoch, epochs, rmse) =>
      options.onEpoch?.(fold, epoch, epochs, rmse),
    );
    const fitSeconds = (performance.now() - started) / 1000;
    options.onModel?.(fold, model);
    const errors = errorMetrics(model, split.test);
    const ranking =
      options.ranking === undefined
        ? undefined
        : rankingMetrics(model, split.train, split.test, options.ranking);
    return {
      split: split.name,
      trainRatings: split.train.ratings.length,
      testRatings: split.test.ratings.length,
      rmse: errors.rmse,
      mae: errors.mae,
      fitSeconds,
      ...(ranking === undefined ? {} : { ranking }),
    };
  });
}

/** The median of a non-empty list (NaN for an empty one). */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  if (s.length === 0) return NaN;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** The mean of a list (NaN for an empty one). */
export function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Fold results folded into one row: mean accuracy, median fit time, mean ranking metrics. */
export interface Summary {
  readonly folds: number;
  readonly rmse: number;
  readonly mae: number;
  readonly medianFitSeconds: number;
  readonly ranking?: RankingMetrics;
}

/** Summarises fold results (means of metrics, median of times: the machine is noisy). */
export function summarise(results: readonly FoldResult[]): Summary {
  const ranked = results.flatMap((r) => (r.ranking === undefined ? [] : [r.ranking]));
  const first = ranked[0];
  const avg = (pick: (m: RankingMetrics) => number): number => mean(ranked.map(pick));
  return {
    folds: results.length,
    rmse: mean(results.map((r) => r.rmse)),
    mae: mean(results.map((r) => r.mae)),
    medianFitSeconds: median(results.map((r) => r.fitSeconds)),
    ...(first === undefined || ranked.length !== results.length
      ? {}
      : {
          ranking: {
            k: first.k,
            users: avg((m) => m.users),
            hitRate: avg((m) => m.hitRate),
            precision: avg((m) => m.precision),
            recall: avg((m) => m.recall),
            ndcg: avg((m) => m.ndcg),
            coverage: avg((m) => m.coverage),
            gini: avg((m) => m.gini),
            genresPerList: avg((m) => m.genresPerList),
          },
        }),
  };
}
