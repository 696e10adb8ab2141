import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRandom, fillNormal } from '../../lib/random.ts';
import { createWasmScorer, SCORE_WASM } from './score-wasm.ts';
import { SvdModel } from '../algorithms/svd-model.ts';
import { scoreAllItems } from '../top-n.ts';

function randomModel(nItems: number, k: number, seed: number): SvdModel {
  const random = createRandom(seed);
  const itemFactors = new Float32Array(nItems * k);
  const userFactors = new Float32Array(2 * k);
  const itemBias = new Float32Array(nItems);
  fillNormal(itemFactors, random, 0, 0.3);
  fillNormal(userFactors, random, 0, 0.3);
  fillNormal(itemBias, random, 0, 0.5);
  const itemCounts = Float32Array.from({ length: nItems }, (_, i) => (i % 7 === 3 ? 0 : 1 + i));
  return new SvdModel({
    algorithm: 'svd',
    params: {},
    mu: 3.5,
    factors: k,
    scale: { min: 1, max: 5 },
    userIds: ['a', 'b'],
    itemIds: Array.from({ length: nItems }, (_, i) => `m${i}`),
    userBias: Float32Array.of(0.2, -0.1),
    itemBias,
    userFactors,
    itemFactors,
    userCounts: Float32Array.of(1, 1),
    itemCounts,
  });
}

function expectClose(wasm: Float32Array, reference: Float32Array): void {
  expect(wasm.length).toBe(reference.length);
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i] as number;
    if (r === -Infinity) expect(wasm[i]).toBe(-Infinity);
    else expect(Math.abs((wasm[i] as number) - r)).toBeLessThan(1e-4 * (1 + Math.abs(r)));
  }
}

describe('the WebAssembly scoring kernel', () => {
  it('starts with the WebAssembly magic number and version 1', () => {
    expect(Array.from(SCORE_WASM.subarray(0, 8))).toEqual([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  });

  for (const k of [1, 4, 15, 16, 17, 100]) {
    it(`scores every item as scoreAllItems does (${k} factors, untrained items -Infinity)`, () => {
      const model = randomModel(257, k, k);
      const scorer = createWasmScorer(model);
      for (const user of [0, 1]) {
        const reference = new Float32Array(model.nItems);
        scoreAllItems(
          model,
          model.data.userFactors,
          user * k,
          model.data.userBias[user] as number,
          reference,
        );
        expectClose(
          scorer.score(model.data.userFactors, user * k, model.data.userBias[user] as number),
          reference,
        );
      }
    });
  }

  it('agrees with the reference for random catalogues and user vectors', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer(),
        fc.float({ min: -2, max: 2, noNaN: true }),
        (nItems, k, seed, bias) => {
          const model = randomModel(nItems, k, seed);
          const reference = new Float32Array(nItems);
          scoreAllItems(model, model.data.userFactors, k, bias, reference);
          expectClose(createWasmScorer(model).score(model.data.userFactors, k, bias), reference);
        },
      ),
      { numRuns: 200 },
    );
  });
});
