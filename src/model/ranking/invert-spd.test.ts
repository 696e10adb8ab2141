import { Matrix, inverse } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../lib/random.ts';
import { invertSpdInPlace } from './invert-spd.ts';

describe('invertSpdInPlace', () => {
  it("agrees with ml-matrix's inverse on a random positive-definite Gram matrix", () => {
    const random = createRandom(3);
    const n = 12;
    const x = Matrix.from1DArray(
      30,
      n,
      Array.from({ length: 30 * n }, () => random.normal(0, 1)),
    );
    const g = x.transpose().mmul(x).add(Matrix.eye(n).mul(0.5));
    const a = Float64Array.from(g.to1DArray());
    invertSpdInPlace(a, n);
    const expected = inverse(g).to1DArray();
    expected.forEach((e, k) => expect(a[k]).toBeCloseTo(e, 9));
  });

  it('inverts a 2×2 matrix worked by hand', () => {
    const a = Float64Array.of(4, 2, 2, 3); // det 8
    invertSpdInPlace(a, 2);
    expect(Array.from(a)).toEqual([3 / 8, -2 / 8, -2 / 8, 4 / 8]);
  });

  it('refuses a matrix that is not positive definite, and a wrong size', () => {
    expect(() => invertSpdInPlace(Float64Array.of(1, 2, 2, 1), 2)).toThrow(/not positive definite/);
    expect(() => invertSpdInPlace(new Float64Array(3), 2)).toThrow(RangeError);
  });
});
