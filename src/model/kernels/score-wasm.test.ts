import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createWasmScorer, SCORE_WASM } from './score-wasm.ts';
import type { SvdModel } from '../algorithms/svd-model.ts';
import { scoreAllItems } from '../top-n.ts';
import { randomSvdModel } from '../../../test/support/random-svd-model.ts';

/** Two users and `nItems` items, every seventh (from the fourth) never trained. */
function randomModel(nItems: number, k: number, seed: number): SvdModel {
  return randomSvdModel({
    users: 2,
    items: nItems,
    factors: k,
    seed,
    factorStd: 0.3,
    userBiasStd: 0.2,
    itemBiasStd: 0.5,
    itemCount: (i) => (i % 7 === 3 ? 0 : 1 + i),
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
