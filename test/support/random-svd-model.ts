import type { RatingScale } from '../../src/model/ratings/rating-set.ts';
import { createRandom, fillNormal, type Random } from '../../src/lib/random.ts';
import { SvdModel } from '../../src/model/algorithms/svd-model.ts';

/** The shape and spread of a random SvdModel; every field has a default. */
export interface RandomSvdModelOptions {
  /** How many users (ids u0, u1, …), or their ids; default 1. */
  readonly users?: number | readonly string[];
  /** How many items (ids m0, m1, …), or their ids; default 10. */
  readonly items?: number | readonly string[];
  /** Factors per user and item; default 4. */
  readonly factors?: number;
  /** Seed of the generator: equal options give an equal model; default 1. */
  readonly seed?: number;
  /** Standard deviation of every user and item factor; default 0.3. */
  readonly factorStd?: number;
  /** Standard deviation of the user biases; default 0 (all zero). */
  readonly userBiasStd?: number;
  /** Standard deviation of the item biases; default 0.3. */
  readonly itemBiasStd?: number;
  /** The global mean μ; default 3.5. */
  readonly mu?: number;
  /** The rating scale predictions are clipped to; default 1..5. */
  readonly scale?: RatingScale;
  /** Training ratings of a user, 0 for one the model does not know; default 1. */
  readonly userCount?: (user: number) => number;
  /** Training ratings of an item, 0 for one the model never trained; default 1. */
  readonly itemCount?: (item: number) => number;
  /** The hyperparameters the model records; default none. */
  readonly params?: Readonly<Record<string, number | boolean | string>>;
}

/** A biased-MF model of seeded normal noise, for tests and benchmarks whose subject is not training. */
export function randomSvdModel(options: RandomSvdModelOptions = {}): SvdModel {
  const { factors = 4, factorStd = 0.3, userBiasStd = 0, itemBiasStd = 0.3 } = options;
  const userIds = idsOf(options.users ?? 1, 'u');
  const itemIds = idsOf(options.items ?? 10, 'm');
  // One generator drawn in a fixed order: equal options always give an equal model.
  const random = createRandom(options.seed ?? 1);
  const userFactors = normals(userIds.length * factors, factorStd, random);
  const itemFactors = normals(itemIds.length * factors, factorStd, random);
  const userBias = normals(userIds.length, userBiasStd, random);
  const itemBias = normals(itemIds.length, itemBiasStd, random);
  const userCount = options.userCount ?? (() => 1);
  const itemCount = options.itemCount ?? (() => 1);
  return new SvdModel({
    algorithm: 'svd',
    params: options.params ?? {},
    mu: options.mu ?? 3.5,
    factors,
    scale: options.scale ?? { min: 1, max: 5 },
    userIds,
    itemIds,
    userBias,
    itemBias,
    userFactors,
    itemFactors,
    userCounts: Float32Array.from(userIds, (_, u) => userCount(u)),
    itemCounts: Float32Array.from(itemIds, (_, i) => itemCount(i)),
  });
}

function idsOf(countOrIds: number | readonly string[], prefix: string): readonly string[] {
  return typeof countOrIds === 'number'
    ? Array.from({ length: countOrIds }, (_, j) => `${prefix}${j}`)
    : countOrIds;
}

/** A spread of 0 leaves the array zero and draws nothing, so it does not shift the later draws. */
function normals(length: number, std: number, random: Random): Float32Array {
  const out = new Float32Array(length);
  if (std > 0) fillNormal(out, random, 0, std);
  return out;
}
