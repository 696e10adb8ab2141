/**
 * A trained biased-MF model re-indexed onto another rating set's ids: the same parameters, laid out
 * for the other set's dense user and item indices (ids the model never saw get count 0: unknown).
 * The retrain scores the active model and its candidate on the same holdout this way, and the fast
 * scoring paths that need an SvdModel still apply.
 */
import { SvdModel } from './algorithms/svd-model.ts';

/** `model` re-indexed to `userIds` × `itemIds`. */
export function alignModel(
  model: SvdModel,
  userIds: readonly string[],
  itemIds: readonly string[],
): SvdModel {
  const d = model.data;
  const k = d.factors;
  const users = new Map(d.userIds.map((id, j) => [id, j]));
  const items = new Map(d.itemIds.map((id, j) => [id, j]));
  const userBias = new Float32Array(userIds.length);
  const userFactors = new Float32Array(userIds.length * k);
  const userCounts = new Float32Array(userIds.length);
  userIds.forEach((id, u) => {
    const j = users.get(id);
    if (j === undefined) return;
    userBias[u] = d.userBias[j] as number;
    userCounts[u] = d.userCounts[j] as number;
    userFactors.set(d.userFactors.subarray(j * k, (j + 1) * k), u * k);
  });
  const itemBias = new Float32Array(itemIds.length);
  const itemFactors = new Float32Array(itemIds.length * k);
  const itemCounts = new Float32Array(itemIds.length);
  itemIds.forEach((id, i) => {
    const j = items.get(id);
    if (j === undefined) return;
    itemBias[i] = d.itemBias[j] as number;
    itemCounts[i] = d.itemCounts[j] as number;
    itemFactors.set(d.itemFactors.subarray(j * k, (j + 1) * k), i * k);
  });
  return new SvdModel({
    ...d,
    userIds,
    itemIds,
    userBias,
    userFactors,
    userCounts,
    itemBias,
    itemFactors,
    itemCounts,
  });
}
