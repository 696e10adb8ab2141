import { describe, expect, it } from 'vitest';
import { buildRatingSet } from '../ratings/build-rating-set.ts';
import { createRandom, fillNormal } from '../../lib/random.ts';
import type { FactorState } from '../algorithms/sgd-step.ts';
import { SGD_EPOCH_WASM } from './sgd-epoch-wasm.ts';
import {
  createJsEpochRunner,
  createWasmEpochRunner,
  createWasmEpochRunnerInPlace,
} from '../algorithms/svd-epoch-runner.ts';

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

  for (const k of [4, 8, 12, 16, 24]) {
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

  it('stays sequential when neighbours share a user, an item, both or neither (100 factors, shuffled)', () => {
    // Few users and items, so a shuffled order has every kind of neighbouring pair; the fused loop reads
    // rating x + 1's rows right after writing rating x's and must see the updated values.
    const random = createRandom(4);
    const records = Array.from({ length: 600 }, () => ({
      userId: `u${random.int(6)}`,
      movieId: `m${random.int(5)}`,
      rating: 1 + random.int(5),
    }));
    const train = buildRatingSet(records);
    const base = randomState(train.nUsers, train.nItems, 100);
    const js = copy(base);
    const wasm = copy(base);
    const rates = { lr: 0.01, reg: 0.05 };
    const jsRunner = createJsEpochRunner(train, js, rates);
    const wasmRunner = createWasmEpochRunner(train, wasm, rates);
    for (let k = jsRunner.order.length - 1; k > 0; k--) {
      const j = random.int(k + 1);
      const t = jsRunner.order[k] as number;
      jsRunner.order[k] = jsRunner.order[j] as number;
      jsRunner.order[j] = t;
    }
    wasmRunner.order.set(jsRunner.order);
    for (let e = 0; e < 3; e++) expect(wasmRunner.epoch()).toBeCloseTo(jsRunner.epoch(), 2);
    wasmRunner.finish();
    expect(maxDiff(wasm.userFactors, js.userFactors)).toBeLessThan(1e-4);
    expect(maxDiff(wasm.itemFactors, js.itemFactors)).toBeLessThan(1e-4);
    expect(maxDiff(wasm.itemBias, js.itemBias)).toBeLessThan(1e-4);
  });

  it('in place: the state starts at zero in the kernel memory and finish returns a detached copy', () => {
    const train = buildRatingSet([
      { userId: 'a', movieId: 'x', rating: 4 },
      { userId: 'b', movieId: 'y', rating: 2 },
    ]);
    const runner = createWasmEpochRunnerInPlace(train, 4, 3, { lr: 0.1, reg: 0 });
    expect(Array.from(runner.state.userFactors)).toEqual(new Array<number>(8).fill(0));
    runner.state.userFactors.fill(0.5);
    runner.state.itemFactors.fill(0.5);
    // Both predict μ + p·q = 3 + 4·0.25 = 4: errors 0 (rating 4) and −2 (rating 2).
    expect(runner.epoch()).toBeCloseTo(4, 5);
    expect(runner.state.userBias[1]).toBeCloseTo(-0.2, 6);
    const out = runner.finish();
    expect(out.userFactors.buffer).not.toBe(runner.state.userFactors.buffer);
    expect(Array.from(out.userFactors)).toEqual(Array.from(runner.state.userFactors));
  });

  it('refuses a factor count the kernel cannot handle', () => {
    const train = buildRatingSet([{ userId: 'a', movieId: 'x', rating: 3 }]);
    expect(() => createWasmEpochRunner(train, randomState(1, 1, 3), { lr: 0.1, reg: 0 })).toThrow(
      /divisible by 4/,
    );
  });
});
