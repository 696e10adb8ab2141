/**
 * The victim of the attack simulations (bench/sim-extraction.ts, bench/sim-poisoning.ts): a rating
 * log goes through the retrain's own training-set step (the daily per-movie cap, the latest rating per
 * pair), biased MF is fitted with the retrain's parameters, and lists come from serving's own ranking
 * (`buildServingModel`, `rankUser`: guard, blend with the decayed popularity, diversification,
 * popularity cap) over the popularity the movie actors make of the log (stream-pass.ts).
 * Deterministic for a seed. Nothing here re-implements a defence: the cap is `buildTrainingSet`'s and
 * the movie actor's.
 */
import { buildTrainingSet } from '../../../src/jobs/retrain/training-set.ts';
import { fitSvd, SVD_DEFAULTS, type SvdParams } from '../../../src/model/algorithms/svd.ts';
import type { SvdModel } from '../../../src/model/algorithms/svd-model.ts';
import { BLEND_DEFAULTS, preparePopularity } from '../../../src/model/ranking/blend.ts';
import { svdToArtifact } from '../../../src/model/svd-artifact.ts';
import { defaultGuardrailSettings, type GuardrailSettings } from '../../../src/serving/guardrail-settings.ts';
import { rankUser, type RankStream } from '../../../src/serving/rank-user.ts';
import { buildServingModel, type ServingModel } from '../../../src/serving/serving-model.ts';
import type { RatingLog } from './split-world.ts';
import { streamPass } from './stream-pass.ts';

/** Knobs of a victim. */
export interface VictimOptions {
  /** Training updates per movie per UTC day (the retrain's and the actors' cap; Infinity: off). */
  readonly dailyCap: number;
  /** SVD parameters over the retrain's defaults (Surprise's: 100 factors, 20 epochs). */
  readonly svd?: Partial<SvdParams>;
  /** Decayed popularity as of this time (epoch ms; default the log's last rating). */
  readonly now?: number;
  readonly settings?: GuardrailSettings;
}

/** A trained, servable victim and the ranking inputs of each user. */
export interface Victim {
  readonly model: SvdModel;
  readonly serving: ServingModel;
  readonly stream: RankStream;
  /** Ratings the cap left out of training. */
  readonly capped: number;
  /** Title-days the movie actors flagged as pushed below the cap (src/guardrails/push-ratings.ts). */
  readonly pushedTitleDays: number;
  /** A user's list as serving ranks it (adult, seen = every movie in the log for them), as item indices. */
  list(user: number, limit?: number): number[];
  /** The list of a user the stream folded in (`vector` null: a cold user), with what they have seen. */
  listFor(
    user: { bias: number; vector: Float32Array | null },
    seen: readonly number[],
    limit?: number,
  ): number[];
  /** Movies a user rated in the log. */
  seen(user: number): readonly number[];
}

/** Trains the victim on `log` as the retrain would and prepares serving over it. */
export function buildVictim(log: RatingLog, options: VictimOptions): Victim {
  const settings = options.settings ?? defaultGuardrailSettings;
  const { set, capped } = buildTrainingSet(
    log,
    Number.isFinite(options.dailyCap) ? options.dailyCap : 2 ** 31 - 1,
  );
  const params = { ...SVD_DEFAULTS, ...options.svd };
  const model = fitSvd(set, { ...params, simd: params.factors % 4 === 0 });
  const serving = buildServingModel('sim', svdToArtifact(model), log.movies, settings);
  const now = options.now ?? (log.times.length === 0 ? 0 : (log.times[log.times.length - 1] as number));
  const { popularity: counts, pushedTitleDays } = streamPass(log, options.dailyCap, now);
  const stream: RankStream = {
    weights: BLEND_DEFAULTS.weights,
    popularity: preparePopularity(counts),
    cohort: null,
  };
  const seen: number[][] = Array.from({ length: log.userIds.length }, () => []);
  const rank = (
    vector: Float32Array | null,
    offset: number,
    bias: number,
    seenItems: readonly number[],
    limit: number,
  ) => [
    ...rankUser(
      serving,
      settings,
      { vector, offset, bias, age: 30, seen: seenItems.map((i) => log.itemIds[i] as string) },
      limit,
      vector !== null ? stream : { ...stream, weights: BLEND_DEFAULTS.coldWeights },
    ).items,
  ];
  for (let k = 0; k < log.users.length; k++) seen[log.users[k] as number]!.push(log.items[k] as number);
  return {
    model,
    serving,
    stream,
    capped,
    pushedTitleDays,
    seen: (user) => seen[user] ?? [],
    list(user, limit = 20) {
      const known = model.knowsUser(user);
      const { factors } = model.data;
      return rank(
        known ? model.data.userFactors : null,
        user * factors,
        known ? (model.data.userBias[user] as number) : 0,
        seen[user] ?? [],
        limit,
      );
    },
    listFor: (user, seenItems, limit = 20) => rank(user.vector, 0, user.bias, seenItems, limit),
  };
}
