import type { Predictor, RatingScale } from '../ratings/rating-set.ts';
import { dotAt, type FactorState } from './sgd-step.ts';

/** What a trained biased-MF model holds; the artifact format stores exactly these fields. */
export interface SvdModelData extends FactorState {
  readonly algorithm: string;
  readonly params: Readonly<Record<string, number | boolean | string>>;
  readonly scale: RatingScale;
  readonly userIds: readonly string[];
  readonly itemIds: readonly string[];
  /** Training ratings per user; 0 marks a user the model does not know (its factors are noise). */
  readonly userCounts: Float32Array;
  /** Training ratings per item; 0 marks an unknown item. */
  readonly itemCounts: Float32Array;
}

/**
 * A trained biased-MF predictor. Fallback for what training never saw (as Surprise): an unknown user
 * gets μ + b_i, an unknown item μ + b_u, both unknown μ; every prediction is clipped to the scale.
 */
export class SvdModel implements Predictor {
  readonly algorithm: string;
  readonly nUsers: number;
  readonly nItems: number;

  constructor(readonly data: SvdModelData) {
    this.algorithm = data.algorithm;
    this.nUsers = data.userCounts.length;
    this.nItems = data.itemCounts.length;
  }

  /** Whether training saw this user index. */
  knowsUser(user: number): boolean {
    return user >= 0 && user < this.nUsers && (this.data.userCounts[user] as number) > 0;
  }

  /** Whether training saw this item index. */
  knowsItem(item: number): boolean {
    return item >= 0 && item < this.nItems && (this.data.itemCounts[item] as number) > 0;
  }

  /** Unclipped μ + b_u + b_i + p_u·q_i with the unknown-side terms dropped. */
  estimate(user: number, item: number): number {
    const d = this.data;
    const knownUser = this.knowsUser(user);
    const knownItem = this.knowsItem(item);
    let est = d.mu;
    if (knownUser) est += d.userBias[user] as number;
    if (knownItem) est += d.itemBias[item] as number;
    if (knownUser && knownItem)
      est += dotAt(d.userFactors, user * d.factors, d.itemFactors, item * d.factors, d.factors);
    return est;
  }

  /** Prediction clipped to the rating scale; -1 indices take the fallback. */
  predict(user: number, item: number): number {
    const est = this.estimate(user, item);
    const { min, max } = this.data.scale;
    return est < min ? min : est > max ? max : est;
  }
}

/**
 * The model with `ids` appended as items it never trained (zero factors and bias, count 0), so a
 * catalogue can hold titles newer than the model: scoring leaves them to whatever else ranks
 * (serving's live popularity). Ids the model already holds are skipped; with none left, the model
 * itself comes back.
 */
export function withUntrainedItems(model: SvdModel, ids: readonly string[]): SvdModel {
  const d = model.data;
  const known = new Set(d.itemIds);
  const added = [...new Set(ids)].filter((id) => !known.has(id));
  if (added.length === 0) return model;
  const n = model.nItems + added.length;
  const grown = (values: Float32Array, width: number): Float32Array => {
    const out = new Float32Array(n * width);
    out.set(values);
    return out;
  };
  return new SvdModel({
    ...d,
    itemIds: [...d.itemIds, ...added],
    itemBias: grown(d.itemBias, 1),
    itemFactors: grown(d.itemFactors, d.factors),
    itemCounts: grown(d.itemCounts, 1),
  });
}
