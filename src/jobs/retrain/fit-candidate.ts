/**
 * The CPU-bound half of a retrain, run in a worker thread (fit-worker.ts): fit a candidate on all but
 * the latest ratings, score it and the active model on the same holdout (the latest ratings, those
 * the active model never trained on when there are enough of them), and — once the gate passed —
 * refit the candidate on every rating for publication.
 */
import { algorithms } from '../../model/algorithms/algorithms.ts';
import { applyParams } from '../../model/algorithms/params.ts';
import { SvdModel } from '../../model/algorithms/svd-model.ts';
import { alignModel } from '../../model/align-model.ts';
import { decodeArtifact, encodeArtifact } from '../../model/artifact.ts';
import { errorMetrics } from '../../model/eval/metrics.ts';
import { scorerRankingMetrics, type UserScorer } from '../../model/eval/ranking-metrics.ts';
import { createWasmScorer } from '../../model/kernels/score-wasm.ts';
import { timeCutoffSplit } from '../../model/eval/splits.ts';
import { subsetRatings } from '../../model/ratings/build-rating-set.ts';
import type { Predictor, RatingSet } from '../../model/ratings/rating-set.ts';
import { svdFromArtifact, svdToArtifact } from '../../model/svd-artifact.ts';
import { scoreUser } from '../../model/top-n.ts';

/** What a fit thread is asked to do. */
export type FitRequest =
  | {
      readonly kind: 'evaluate';
      readonly set: RatingSet;
      readonly algorithm: string;
      readonly params: Readonly<Record<string, string>>;
      readonly holdoutFraction: number;
      /** The active model's artifact and the time of the latest rating it trained on (epoch ms). */
      readonly active: { readonly bytes: Uint8Array; readonly trainedUntilMs: number } | null;
      /** Genres per item index, for genres per list (empty lists where unknown). */
      readonly genres: readonly (readonly string[])[];
    }
  | {
      readonly kind: 'refit';
      readonly set: RatingSet;
      readonly algorithm: string;
      readonly params: Readonly<Record<string, string>>;
    };

/** How a model did on the holdout. */
export interface HoldoutScore {
  readonly rmse: number;
  readonly mae: number;
  readonly precision: number;
  readonly recall: number;
  readonly ndcg: number;
  readonly coverage: number;
  readonly rankedUsers: number;
}

/** The evaluation's result. */
export interface Evaluation {
  readonly candidate: HoldoutScore;
  readonly active: HoldoutScore | null;
  /** RMSE of predicting the training mean on the compared ratings: what any model must beat. */
  readonly baselineRmse: number;
  /** `unseen`: holdout ratings newer than the active model's training; `all`: too few of those. */
  readonly compared: 'unseen' | 'all';
  readonly trainRatings: number;
  readonly holdoutRatings: number;
  readonly comparedRatings: number;
  readonly params: Readonly<Record<string, number | boolean | string>>;
}

/** Progress of a fit: one event per epoch. */
export interface FitProgress {
  readonly type: 'epoch';
  readonly phase: 'evaluate' | 'refit';
  readonly epoch: number;
  readonly epochs: number;
}

/** Fewest unseen holdout ratings worth comparing on alone. */
const MIN_UNSEEN = 100;
/** Users whose top-20 lists are scored (a deterministic sample beyond this). */
const MAX_RANKED_USERS = 2000;

function biasedMf(name: string) {
  const algorithm = Object.hasOwn(algorithms, name) ? algorithms[name] : undefined;
  if (algorithm === undefined || !['svd', 'svd++'].includes(name))
    throw new Error(`the retrain publishes biased-MF models (svd, svd++); got '${name}'`);
  return algorithm;
}

/**
 * Every item's score for a user, as scoreUser gives it; a biased-MF model's known users go through the
 * API's WebAssembly SIMD kernel: on bench:retrain's million ratings, 1,757 ranked users × 10,000 movies
 * took ~0.3 s instead of ~2.8 s with the plain loop, with the same metrics.
 */
function userScorer(model: Predictor): UserScorer {
  if (!(model instanceof SvdModel)) return (user, out) => scoreUser(model, user, out);
  const kernel = createWasmScorer(model);
  const { userFactors, userBias, factors } = model.data;
  return (user, out) => {
    if (model.knowsUser(user)) out.set(kernel.score(userFactors, user * factors, userBias[user] as number));
    else scoreUser(model, user, out);
  };
}

function score(
  model: Predictor,
  train: RatingSet,
  test: RatingSet,
  genres: FitRequest & { kind: 'evaluate' },
): HoldoutScore {
  const errors = errorMetrics(model, test);
  const users = new Set(test.users);
  const step = Math.max(1, Math.ceil(users.size / MAX_RANKED_USERS));
  const rows = Int32Array.from(test.users.keys()).filter((k) => (test.users[k] as number) % step === 0);
  const ranked = scorerRankingMetrics(userScorer(model), train, subsetRatings(test, rows), {
    k: 20,
    relevantAt: 4,
    genresOf: (i) => genres.genres[i] ?? [],
  });
  return {
    rmse: errors.rmse,
    mae: errors.mae,
    precision: ranked.precision,
    recall: ranked.recall,
    ndcg: ranked.ndcg,
    coverage: ranked.coverage,
    rankedUsers: ranked.users,
  };
}

/** Fits a candidate on the older ratings and scores it and the active model on the latest. */
export function evaluateCandidate(
  request: FitRequest & { kind: 'evaluate' },
  onProgress: (p: FitProgress) => void,
): Evaluation {
  const algorithm = biasedMf(request.algorithm);
  const { params } = applyParams(algorithm.defaults, request.params);
  const split = timeCutoffSplit(request.set, request.holdoutFraction);
  const candidate = algorithm.fit(split.train, params, (epoch, epochs) =>
    onProgress({ type: 'epoch', phase: 'evaluate', epoch, epochs }),
  );
  let test = split.test;
  let compared: Evaluation['compared'] = 'all';
  let active: SvdModel | null = null;
  if (request.active !== null) {
    active = alignModel(
      svdFromArtifact(decodeArtifact(request.active.bytes)),
      request.set.userIds,
      request.set.itemIds,
    );
    const after = request.active.trainedUntilMs / 1000;
    const unseen = Int32Array.from(test.timestamps.keys()).filter(
      (k) => (test.timestamps[k] as number) > after,
    );
    if (unseen.length >= MIN_UNSEEN) {
      test = subsetRatings(test, unseen);
      compared = 'unseen';
    }
  }
  let mean = 0;
  for (const r of split.train.ratings) mean += r;
  mean /= Math.max(1, split.train.ratings.length);
  let squares = 0;
  for (const r of test.ratings) squares += (r - mean) ** 2;
  return {
    baselineRmse: Math.sqrt(squares / Math.max(1, test.ratings.length)),
    candidate: score(candidate, split.train, test, request),
    active: active === null ? null : score(active, split.train, test, request),
    compared,
    trainRatings: split.train.ratings.length,
    holdoutRatings: split.test.ratings.length,
    comparedRatings: test.ratings.length,
    params: params as Readonly<Record<string, number | boolean | string>>,
  };
}

/** Fits the candidate on every rating; returns its encoded artifact. */
export function refitCandidate(
  request: FitRequest & { kind: 'refit' },
  onProgress: (p: FitProgress) => void,
): Uint8Array {
  const algorithm = biasedMf(request.algorithm);
  const { params } = applyParams(algorithm.defaults, request.params);
  const model = algorithm.fit(request.set, params, (epoch, epochs) =>
    onProgress({ type: 'epoch', phase: 'refit', epoch, epochs }),
  );
  if (!(model instanceof SvdModel))
    throw new Error(`'${request.algorithm}' did not produce a biased-MF model`);
  return encodeArtifact(svdToArtifact(model));
}
