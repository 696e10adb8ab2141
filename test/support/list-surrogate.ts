/**
 * The extraction attacker's surrogate (docs/threat-model.md): least squares on the item side from
 * what the attacker's own accounts showed it. Each account's history h_a (its ratings, centred) is
 * known to the attacker, and so is the list l_a the victim served it (top-k indicators). The
 * surrogate is the ridge regression W = argmin ‖HW − L‖² + λ‖W‖² from histories to lists, solved
 * in its dual form (an A×A system for A accounts, however many movies): a new user's scores are
 * h Hᵀ (HHᵀ + λI)⁻¹ L, plus the mean list. No model internals are used: only histories and lists.
 */
import { CholeskyDecomposition, Matrix } from 'ml-matrix';

/** One attacker account: what it rated and the list it was served (item indices, best first). */
export interface Observation {
  readonly items: readonly number[];
  readonly ratings: readonly number[];
  readonly list: readonly number[];
}

/** A fitted surrogate: a top-k list for any history. */
export interface ListSurrogate {
  list(items: readonly number[], ratings: readonly number[], k: number): number[];
}

/** Ratings centred on the scale's middle: a liked and a disliked movie pull in opposite directions. */
const CENTRE = 3;

/** Fits the surrogate from the accounts' observations over a catalogue of `nItems`. */
export function fitListSurrogate(
  observations: readonly Observation[],
  nItems: number,
  lambda = 1,
): ListSurrogate {
  const a = observations.length;
  // Sparse histories: account → (item, value), and item → accounts, for the Gram matrix HHᵀ.
  const byItem = new Map<number, { account: number; value: number }[]>();
  observations.forEach((o, k) =>
    o.items.forEach((i, j) => {
      const row = byItem.get(i) ?? [];
      row.push({ account: k, value: (o.ratings[j] as number) - CENTRE });
      byItem.set(i, row);
    }),
  );
  const gram = Matrix.zeros(a, a);
  for (const row of byItem.values())
    for (const x of row)
      for (const y of row) gram.set(x.account, y.account, gram.get(x.account, y.account) + x.value * y.value);
  for (let k = 0; k < a; k++) gram.set(k, k, gram.get(k, k) + lambda);
  const solver = new CholeskyDecomposition(gram);
  const mean = new Float64Array(nItems);
  for (const o of observations) for (const i of o.list) mean[i]! += 1 / Math.max(1, a);
  return {
    list(items, ratings, k) {
      const kernel = Matrix.zeros(a, 1);
      items.forEach((i, j) => {
        const v = (ratings[j] as number) - CENTRE;
        for (const x of byItem.get(i) ?? []) kernel.set(x.account, 0, kernel.get(x.account, 0) + v * x.value);
      });
      const alpha = solver.solve(kernel);
      const scores = Float64Array.from(mean);
      let total = 0;
      for (let n = 0; n < a; n++) total += alpha.get(n, 0);
      for (let i = 0; i < nItems; i++) scores[i] = (mean[i] as number) * (1 - total);
      observations.forEach((o, n) => {
        for (const i of o.list) scores[i]! += alpha.get(n, 0);
      });
      const seen = new Set(items);
      return Array.from({ length: nItems }, (_, i) => i)
        .filter((i) => !seen.has(i))
        .sort((x, y) => (scores[y] as number) - (scores[x] as number) || x - y)
        .slice(0, k);
    },
  };
}
