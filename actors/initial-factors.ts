/**
 * Where a user or movie nobody has trained in the stream starts: the trained model's factors when
 * the model knows it, else the seeded vector of model-options.ts. With the model published in Redis
 * (`model:active`), the stream's p_u live in the same space as the item matrix the API scores with.
 */
import type { SvdModel } from '../src/model/algorithms/svd-model.ts';
import type { InitialFactors, StreamModelOptions } from './model-options.ts';

/** Initial factors from a trained biased-MF model (copies: actors own their vectors). */
export function initialFactorsFrom(model: SvdModel): InitialFactors {
  const d = model.data;
  const k = d.factors;
  const users = new Map(d.userIds.map((id, j) => [id, j]));
  const items = new Map(d.itemIds.map((id, j) => [id, j]));
  return {
    user(id) {
      const j = users.get(id);
      if (j === undefined || !model.knowsUser(j)) return undefined;
      return { bias: d.userBias[j] as number, vector: d.userFactors.slice(j * k, (j + 1) * k) };
    },
    movie(id) {
      const j = items.get(id);
      if (j === undefined || !model.knowsItem(j)) return undefined;
      return { bias: d.itemBias[j] as number, vector: d.itemFactors.slice(j * k, (j + 1) * k) };
    },
  };
}

/** The stream's model options for continuing from `model` (published as `version`): its μ, factor count, scale and vectors. */
export function optionsFromModel(
  model: SvdModel,
  base: StreamModelOptions,
  version: string,
): StreamModelOptions {
  const d = model.data;
  return {
    ...base,
    mu: d.mu,
    factors: d.factors,
    scale: d.scale,
    initial: initialFactorsFrom(model),
    version,
  };
}
