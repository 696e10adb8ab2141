import { describe, expect, it } from 'vitest';
import { buildRatingSet } from './build-rating-set.ts';
import { createRandom, fillNormal } from './random.ts';
import type { FactorState } from './sgd-step.ts';
import { SGD_EPOCH_WASM } from './sgd-epoch-wasm.ts';
import { createJsEpochRunner, createWasmEpochRunner } from './svd-epoch-runner.ts';

function randomState(nUsers: number, nItems: number, k: number): FactorState {
  const random = createRandom(3);
  const userFactors = new Float32Array(nUsers * k);
  const itemFactors = new Float32Array(nItems * k);
  fillNormal(userFactors, random, 0, 0.1);
  fillNormal(itemFactors, random, 0, 0.1);
  return {
    mu: 3.2,
    factors: k,
    userBias: new Float32Array(nUsers),
    itemBias: new Float32Array(nItems),
    userFactors,
    itemFactors,
  };
}

function copy(s: FactorState): FactorState {
  return {
    ...s,
    userBias: s.userBias.slice(),
    itemBias: s.itemBias.slice(),
    userFactors: s.userFactors.slice(),
    itemFactors: s.itemFactors.slice(),
  };
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let k = 0; k < a.length; k++) m = Math.max(m, Math.abs((a[k] as number) - (b[k] as number)));
  return m;
}

describe('the WebAssembly SGD epoch', () => {
  it('starts with the WebAssembly magic number and version 1', () => {
    expect(Array.from(SGD_EPOCH_WASM.subarray(0, 8))).toEqual([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  });

  for (const k of [4, 8, 12]) {
    it(`takes the same steps as sgdStep over a whole epoch (${k} factors)`, () => {
      const random = createRandom(9);
      const records = Array.from({ length: 400 }, () => ({
        userId: `u${random.int(20)}`,
        movieId: `m${random.int(30)}`,
        rating: 1 + random.int(5),
      }));
      const train = buildRatingSet(records);
      const base = randomState(train.nUsers, train.nItems, k);
      const js = copy(base);
      const wasm = copy(base);
      const rates = { lr: 0.05, reg: 0.1 };
      const jsRunner = createJsEpochRunner(train, js, rates);
      const wasmRunner = createWasmEpochRunner(train, wasm, rates);
      expect(Array.from(wasmRunner.order)).toEqual(Array.from(jsRunner.order));
      let jsSq = 0;
      let wasmSq = 0;
      for (let e = 0; e < 3; e++) {
        jsSq = jsRunner.epoch();
        wasmSq = wasmRunner.epoch();
      }
      wasmRunner.finish();
      expect(wasmSq).toBeCloseTo(jsSq, 2);
      expect(maxDiff(wasm.userFactors, js.userFactors)).toBeLessThan(1e-4);
      expect(maxDiff(wasm.itemFactors, js.itemFactors)).toBeLessThan(1e-4);
      expect(maxDiff(wasm.userBias, js.userBias)).toBeLessThan(1e-4);
      expect(maxDiff(wasm.userFactors, base.userFactors)).toBeGreaterThan(1e-3);
    });
  }

  it('refuses a factor count the kernel cannot handle', () => {
    const train = buildRatingSet([{ userId: 'a', movieId: 'x', rating: 3 }]);
    expect(() => createWasmEpochRunner(train, randomState(1, 1, 3), { lr: 0.1, reg: 0 })).toThrow(
      /divisible by 4/,
    );
  });
});
