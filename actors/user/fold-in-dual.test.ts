import { describe, expect, it } from 'vitest';
import { foldInUser } from '../../src/model/algorithms/fold-in.ts';
import { createRandom } from '../../src/lib/random.ts';
import { randomSvdModel } from '../../test/support/random-svd-model.ts';
import { foldInDual } from './fold-in-dual.ts';

describe('foldInDual', () => {
  it("gives the model core's primal fold-in solution from an n×n system", () => {
    const random = createRandom(3);
    for (const [n, k] of [
      [1, 4],
      [5, 100],
      [12, 8],
    ] as const) {
      const model = randomSvdModel({
        users: 0,
        items: n,
        factors: k,
        seed: n,
        mu: 3.5,
        factorStd: 0.3,
        itemBiasStd: 0.2,
      });
      const { itemFactors: q, itemBias } = model.data;
      const ratings = Array.from({ length: n }, () => 1 + random.int(5));
      const primal = foldInUser(
        model,
        Array.from({ length: n }, (_, j) => j),
        ratings,
        { lambda: 1 },
      );
      const rows = ratings.map((r, j) => ({
        vector: q.subarray(j * k, (j + 1) * k),
        target: r - 3.5 - (itemBias[j] as number),
      }));
      const dual = foldInDual(rows, k, 1);
      expect(dual.bias).toBeCloseTo(primal.bias, 6);
      dual.vector.forEach((x, f) => expect(x).toBeCloseTo(primal.vector[f] as number, 5));
    }
  });
});
