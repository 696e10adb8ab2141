import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Blender,
  candidateBase,
  PreparedTerm,
  preparePopularity,
  type BlendInputs,
  type BlendWeights,
} from './blend.ts';

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
  return Array.from(
    new Blender(popularity.length).blend(
      {
        model: model === null ? null : Float32Array.from(model),
        popularity: preparePopularity(popularity),
        cohort: cohort === null ? null : preparePopularity(cohort),
      },
      weights,
      { base: null, exclude },
    ),
  );
}

/**
 * The blend's definition written out plainly, in float64: z-scores over the candidates, p̄ and c̄ over
 * the whole catalogue, a non-finite model score at the mean, a constant or missing term at 0. With
 * each score, the rounding its f32 arithmetic may add: a few ulps of every input, times w / sd.
 */
function reference(
  model: readonly number[] | null,
  popularity: readonly number[],
  cohort: readonly number[] | null,
  weights: BlendWeights,
  candidate: readonly boolean[],
): { scores: number[]; slack: number[] } {
  const n = popularity.length;
  const ids = [...Array(n).keys()].filter((i) => candidate[i]);
  const slack = new Array<number>(n).fill(0);
  const term = (values: readonly number[] | null, w: number, logged: boolean): number[] => {
    if (values === null || w === 0) return new Array<number>(n).fill(0);
    const clean = values.map((v) => (logged ? (v > 0 && v < Infinity ? v : 0) : v));
    const mean = clean.reduce((a, b) => a + b, 0) / n;
    if (logged && !(mean > 0)) return new Array<number>(n).fill(0);
    const x = logged ? clean.map((v) => Math.fround(Math.log(v + mean))) : clean;
    const known = ids.filter((i) => Number.isFinite(x[i]));
    if (known.length === 0) return new Array<number>(n).fill(0);
    const mu = known.reduce((a, i) => a + (x[i] as number), 0) / known.length;
    const sd = Math.sqrt(known.reduce((a, i) => a + ((x[i] as number) - mu) ** 2, 0) / known.length);
    if (!(sd > 1e-6 * (1 + Math.abs(mu)))) return new Array<number>(n).fill(0);
    x.forEach(
      (v, i) => (slack[i]! += ((w / sd) * (Math.abs(mu) + (Number.isFinite(v) ? Math.abs(v) : 0))) / 2 ** 21),
    );
    return x.map((v) => (Number.isFinite(v) ? (w * (v - mu)) / sd : 0));
  };
  const m = term(model, weights.model, false);
  const p = term(popularity, weights.popularity, true);
  const c = term(cohort, weights.cohort, true);
  const scores = [...Array(n).keys()].map((i) =>
    candidate[i] ? (m[i] as number) + (p[i] as number) + (c[i] as number) : -Infinity,
  );
  return { scores, slack };
}

function expectClose(actual: ArrayLike<number>, expected: { scores: number[]; slack: number[] }): void {
  expect(actual.length).toBe(expected.scores.length);
  expected.scores.forEach((e, i) => {
    const a = actual[i] as number;
    const slack = Math.max(2e-5 * (1 + Math.abs(e)), expected.slack[i] as number);
    if (e === -Infinity) expect(a, `item ${i}`).toBe(-Infinity);
    else expect(Math.abs(a - e), `item ${i}: ${a} vs ${e}`).toBeLessThan(slack);
  });
}

describe('Blender', () => {
  it('z-scores the model over the candidates: mean 0, standard deviation 1', () => {
    const out = blend([1, 2, 3, 6], [0, 0, 0, 0], only({ model: 1 }));
    z([1, 2, 3, 6]).forEach((expected, i) => expect(out[i]).toBeCloseTo(expected, 5));
  });

  it('logs popularity after adding its mean over the catalogue, then z-scores it', () => {
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
    z([1, 2, 3]).forEach((expected, i) => expect(out[i]).toBeCloseTo(expected, 5));
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
    const popularity = preparePopularity(Float32Array.of(4, 0, 9, 1, 2));
    const weights = only({ model: 0.3, popularity: 1 });
    const reused = new Blender(5);
    reused.blend({ model, popularity, cohort: null }, weights, { base: null, exclude: [1, 3] });
    const first = Float32Array.from(
      reused.blend({ model, popularity, cohort: null }, weights, { base: null, exclude: [0] }),
    );
    const again = new Blender(5).blend({ model, popularity, cohort: null }, weights, {
      base: null,
      exclude: [0],
    });
    expect(first).toEqual(again);
  });

  it('takes a candidate base and exclusions (repeated, or outside the base) as one candidate set', () => {
    const model = [0.5, 2, 1, 3, -1, 4, NaN, 2.5, 1.5];
    const pop = [4, 0, 9, 1, 2, 30, 5, 0, 7];
    const cohort = [1, 1, 0, 6, 2, 0, 3, 9, 1];
    const base = candidateBase(9, [2, 5]);
    const weights = { model: 0.4, popularity: 1, cohort: 0.7 };
    const blender = new Blender(9);
    const out = blender.blend(
      {
        model: Float32Array.from(model),
        popularity: preparePopularity(pop),
        cohort: preparePopularity(cohort),
      },
      weights,
      { base, exclude: [0, 5, 0, 8, 42, -1] },
    );
    const candidate = [false, true, false, true, true, false, true, true, false];
    expectClose(out, reference(model, pop, cohort, weights, candidate));
  });

  it('ranks a prepared model term (the cold users’ μ + b_i) exactly as the same scores passed per request', () => {
    const cold = Float32Array.of(3.1, 3.9, NaN, 2.2, 4.4, 3.3, 3.0);
    const popularity = preparePopularity([5, 1, 9, 0, 2, 2, 8]);
    const base = candidateBase(7, [4]);
    const candidates = { base, exclude: [1, 1, 6] };
    const blender = new Blender(7);
    const w = { model: 0.3, popularity: 1, cohort: 0 };
    const prepared = Float32Array.from(
      blender.blend({ model: new PreparedTerm(cold), popularity, cohort: null }, w, candidates),
    );
    const raw = blender.blend({ model: cold, popularity, cohort: null }, w, candidates);
    expect(prepared).toEqual(raw);
  });

  it('keeps every prepared array right when more of them pass through than it holds at once', () => {
    const n = 37;
    const blender = new Blender(n);
    const model = Float32Array.from({ length: n }, (_, i) => Math.sin(i));
    const pop = Array.from({ length: n }, (_, i) => (i * 7) % 11);
    const cohorts = Array.from({ length: 40 }, (_, k) =>
      Array.from({ length: n }, (_, i) => ((i + k) * 13) % 17),
    );
    const prepared = cohorts.map((c) => preparePopularity(c));
    const weights = { model: 0.3, popularity: 1, cohort: 0.5 };
    for (let round = 0; round < 2; round++)
      prepared.forEach((cohort, k) => {
        const out = blender.blend({ model, popularity: preparePopularity(pop), cohort }, weights, {
          base: null,
          exclude: [k % n],
        });
        const candidate = Array.from({ length: n }, (_, i) => i !== k % n);
        expectClose(out, reference(Array.from(model), pop, cohorts[k] as number[], weights, candidate));
      });
  });

  it('matches the plain definition on random catalogues, bases, exclusions and weights', () => {
    const value = fc.oneof(
      { weight: 8, arbitrary: fc.double({ min: -5, max: 5, noNaN: true }) },
      { weight: 1, arbitrary: fc.constantFrom(NaN, -Infinity, Infinity) },
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 70 }).chain((n) =>
          fc.record({
            model: fc.option(fc.array(value, { minLength: n, maxLength: n }), { nil: null }),
            pop: fc.array(fc.double({ min: 0, max: 1000, noNaN: true }), { minLength: n, maxLength: n }),
            cohort: fc.option(
              fc.array(fc.double({ min: 0, max: 50, noNaN: true }), { minLength: n, maxLength: n }),
              {
                nil: null,
              },
            ),
            forbidden: fc.array(fc.integer({ min: 0, max: n - 1 }), { maxLength: n }),
            seen: fc.array(fc.integer({ min: -2, max: n + 2 }), { maxLength: n }),
            useBase: fc.boolean(),
            weights: fc.record({
              model: fc.double({ min: 0, max: 2, noNaN: true }),
              popularity: fc.double({ min: 0, max: 2, noNaN: true }),
              cohort: fc.double({ min: 0, max: 2, noNaN: true }),
            }),
          }),
        ),
        ({ model, pop, cohort, forbidden, seen, useBase, weights }) => {
          const n = pop.length;
          const inputs: BlendInputs = {
            model: model === null ? null : Float32Array.from(model),
            popularity: preparePopularity(pop),
            cohort: cohort === null ? null : preparePopularity(cohort),
          };
          const base = useBase ? candidateBase(n, forbidden) : null;
          const out = new Blender(n).blend(inputs, weights, { base, exclude: seen });
          const candidate = Array.from(
            { length: n },
            (_, i) => !(useBase && forbidden.includes(i)) && !seen.includes(i),
          );
          const f32 = model?.map((v) => Math.fround(v)) ?? null;
          expectClose(out, reference(f32, pop, cohort, weights, candidate));
        },
      ),
      { numRuns: 300 },
    );
  });
});
