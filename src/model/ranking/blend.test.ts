import { describe, expect, it } from 'vitest';
import { Blender, type BlendWeights } from './blend.ts';

const only = (w: Partial<BlendWeights>): BlendWeights => ({ model: 0, popularity: 0, cohort: 0, ...w });

/** Population z-scores of plain numbers, the reference the blend is checked against. */
function z(xs: readonly number[]): number[] {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
  return xs.map((x) => (x - mean) / sd);
}

function blend(
  model: number[] | null,
  popularity: number[],
  weights: BlendWeights,
  exclude: number[] = [],
  cohort: number[] | null = null,
): number[] {
  const out = new Float32Array(popularity.length);
  new Blender(popularity.length).blend(
    {
      model: model === null ? null : Float32Array.from(model),
      popularity: Float32Array.from(popularity),
      cohort: cohort === null ? null : Float32Array.from(cohort),
    },
    weights,
    exclude,
    out,
  );
  return Array.from(out);
}

describe('Blender', () => {
  it('z-scores the model over the candidates: mean 0, standard deviation 1', () => {
    const out = blend([1, 2, 3, 6], [0, 0, 0, 0], only({ model: 1 }));
    z([1, 2, 3, 6]).forEach((expected, i) => expect(out[i]).toBeCloseTo(expected, 6));
  });

  it('logs popularity after adding its mean over the candidates, then z-scores it', () => {
    const pop = [0, 1, 3, 8];
    const mean = 3;
    const out = blend(null, pop, only({ popularity: 2 }));
    const expected = z(pop.map((p) => Math.log(p + mean))).map((x) => 2 * x);
    expected.forEach((e, i) => expect(out[i]).toBeCloseTo(e, 5));
  });

  it('is scale-free in popularity: the same list for counts a thousand times larger', () => {
    const pop = [0, 1, 3, 8, 0.5];
    const model = [3, 1, 2, 0, 5];
    const w = only({ model: 0.4, popularity: 1 });
    const small = blend(model, pop, w);
    const large = blend(
      model,
      pop.map((p) => p * 1000),
      w,
    );
    small.forEach((s, i) => expect(large[i]).toBeCloseTo(s, 5));
  });

  it('adds the weighted terms, so the weights decide between a liked niche title and a popular one', () => {
    // item 0: the model loves it, nobody watches it; item 1: the reverse; item 2: middling on both.
    const model = [5, 1, 3];
    const pop = [0, 100, 10];
    const byModel = blend(model, pop, only({ model: 1, popularity: 0.2 }));
    const byPop = blend(model, pop, only({ model: 0.2, popularity: 1 }));
    expect(byModel[0]).toBeGreaterThan(byModel[1] as number);
    expect(byPop[1]).toBeGreaterThan(byPop[0] as number);
    const zm = z(model);
    const zp = z(pop.map((p) => Math.log(p + 110 / 3)));
    [0, 1, 2].forEach((i) => expect(byModel[i]).toBeCloseTo((zm[i] as number) + 0.2 * (zp[i] as number), 5));
  });

  it('leaves excluded items out of the statistics and scores them -Infinity', () => {
    const out = blend([1, 2, 3, 100], [0, 0, 0, 0], only({ model: 1 }), [3]);
    expect(out[3]).toBe(-Infinity);
    z([1, 2, 3]).forEach((expected, i) => expect(out[i]).toBeCloseTo(expected, 6));
  });

  it('counts a non-finite model score as the mean, so an untrained title rides on its popularity', () => {
    const model = [1, NaN, 3, -Infinity];
    const pop = [1, 50, 1, 1];
    const out = blend(model, pop, only({ model: 1, popularity: 1 }));
    const zm = z([1, 3]);
    const zp = z(pop.map((p) => Math.log(p + 53 / 4)));
    expect(out[0]).toBeCloseTo((zm[0] as number) + (zp[0] as number), 5);
    expect(out[1]).toBeCloseTo(zp[1] as number, 5);
    expect(out[3]).toBeCloseTo(zp[3] as number, 5);
    expect(out.indexOf(Math.max(...out))).toBe(1);
  });

  it('drops a missing or constant term instead of dividing by zero', () => {
    const pop = [1, 2, 4];
    const popOnly = blend(null, pop, only({ popularity: 1 }));
    expect(blend([7, 7, 7], pop, only({ model: 1, popularity: 1 }))).toEqual(popOnly);
    expect(blend(null, pop, only({ model: 1, popularity: 1 }))).toEqual(popOnly);
    expect(blend(null, [0, 0, 0], only({ popularity: 1 }))).toEqual([0, 0, 0]);
    expect(blend(null, pop, only({ popularity: 1, cohort: 1 }), [], null)).toEqual(popOnly);
  });

  it('adds the cohort term like the global one', () => {
    const pop = [1, 2, 4];
    const cohort = [9, 0, 1];
    const out = blend(null, pop, only({ popularity: 1, cohort: 0.5 }), [], cohort);
    const zp = z(pop.map((p) => Math.log(p + 7 / 3)));
    const zc = z(cohort.map((c) => Math.log(c + 10 / 3)));
    [0, 1, 2].forEach((i) => expect(out[i]).toBeCloseTo((zp[i] as number) + 0.5 * (zc[i] as number), 5));
  });

  it('gives the same scores when reused across requests with different exclusions', () => {
    const model = Float32Array.of(0.5, 2, 1, 3, -1);
    const popularity = Float32Array.of(4, 0, 9, 1, 2);
    const weights = only({ model: 0.3, popularity: 1 });
    const reused = new Blender(5);
    const first = new Float32Array(5);
    const again = new Float32Array(5);
    reused.blend({ model, popularity, cohort: null }, weights, [1, 3], new Float32Array(5));
    reused.blend({ model, popularity, cohort: null }, weights, [0], first);
    new Blender(5).blend({ model, popularity, cohort: null }, weights, [0], again);
    expect(first).toEqual(again);
  });
});
