/**
 * The API's scoring hot path as a hand-assembled WebAssembly SIMD kernel (f32x4), following
 * sgd-epoch-wasm.ts: no toolchain, bytes built here. It computes what scoreAllItems (top-n.ts) does,
 * which stays the reference it is tested against: out[i] = base + offset[i] + q_i·p, where offset[i]
 * is b_i, or -Infinity for an item the model never trained (or excluded; such rows are skipped). Rows
 * are zero-padded to 4 floats; the loop runs four independent accumulators over 16-float blocks (the
 * add-latency chain, not bandwidth, bounds one), then one accumulator over the last 4-float blocks.
 */
import type { SvdModel } from '../algorithms/svd-model.ts';
import type { WasmMemory } from './sgd-epoch-wasm.ts';
import { createWasmMemory } from './sgd-epoch-wasm.ts';

import {
  F32,
  I32,
  V128,
  f32add,
  f32x4add,
  f32x4mul,
  get,
  i32add,
  i32and,
  i32c,
  i32geu,
  lane,
  loopOver,
  name,
  section,
  set,
  uleb,
  v128load as load,
  v128zero as zero,
  word as at,
} from './wasm-asm.ts';

// Parameters, then locals.
const [Q, P, OFFS, OUT, N, STRIDE, BASE] = [0, 1, 2, 3, 4, 5, 6];
const [I, ROW, F, MAIN, A0, A1, A2, A3, OFF] = [7, 8, 9, 10, 11, 12, 13, 14, 15];
const NEG_INF = [0x43, 0x00, 0x00, 0x80, 0xff]; // f32.const -Infinity
const acc = (a: number, offset: number): number[] => [
  ...get(a),
  ...get(ROW),
  ...get(F),
  ...i32add,
  ...load(offset),
  ...get(P),
  ...get(F),
  ...i32add,
  ...load(offset),
  ...f32x4mul,
  ...f32x4add,
  ...set(a),
];
/** `for (; F < MAIN-or-STRIDE; F += step) body` without resetting F (the tail after the 4-way loop). */
const tail = (limit: number, body: number[]): number[] => [
  ...[0x02, 0x40, 0x03, 0x40, ...get(F), ...get(limit), ...i32geu, 0x0d, 1],
  ...body,
  ...[...get(F), ...i32c(16), ...i32add, ...set(F), 0x0c, 0, 0x0b, 0x0b],
];
// prettier-ignore
const dot = [
  ...zero, ...set(A0), ...zero, ...set(A1), ...zero, ...set(A2), ...zero, ...set(A3),
  ...loopOver(F, MAIN, 64, [...acc(A0, 0), ...acc(A1, 16), ...acc(A2, 32), ...acc(A3, 48)]),
  ...tail(STRIDE, acc(A0, 0)),
  ...get(A0), ...get(A1), ...f32x4add, ...get(A2), ...get(A3), ...f32x4add, ...f32x4add, ...set(A0),
  ...at(OUT, I),
  ...get(A0), ...lane(0), ...get(A0), ...lane(1), ...f32add, ...get(A0), ...lane(2), ...f32add,
  ...get(A0), ...lane(3), ...f32add,
  ...get(BASE), ...f32add, ...get(OFF), ...f32add,
  0x38, 2, 0, // f32.store
];
// An item whose offset is -Infinity (untrained, or excluded by the table) is stored as such, unscored.
// prettier-ignore
const rowBody = [
  ...at(OFFS, I), 0x2a, 2, 0, ...set(OFF),
  ...at(OUT, I), ...get(OFF), 0x38, 2, 0,
  0x02, 0x40, ...get(OFF), ...NEG_INF, 0x5b, 0x0d, 0, ...dot, 0x0b, // block; f32.eq; br_if 0
  ...get(ROW), ...get(STRIDE), ...i32add, ...set(ROW),
];
// prettier-ignore
const body = [
  3, 4, I32, 4, V128, 1, F32,
  ...get(Q), ...set(ROW), ...get(STRIDE), ...i32c(-64), ...i32and, ...set(MAIN),
  ...loopOver(I, N, 1, rowBody), 0x0b,
];

/** The kernel's bytes: imports env.memory, exports `score(q, p, offsets, out, n, strideBytes, base)`. */
export const SCORE_WASM = new Uint8Array([
  ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
  ...section(1, [1, 0x60, 7, I32, I32, I32, I32, I32, I32, F32, 0]),
  ...section(2, [1, ...name('env'), ...name('memory'), 0x02, 0x00, 0x01]),
  ...section(3, [1, 0]),
  ...section(7, [1, ...name('score'), 0x00, 0]),
  ...section(10, [1, ...uleb(body.length), ...body]),
]);

type ScoreKernel = (q: number, p: number, o: number, out: number, n: number, s: number, b: number) => void;

interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
let compiled: object | undefined;

/** Scores one user vector against a model's items; the returned array is reused by the next call. */
export interface ItemScorer {
  readonly nItems: number;
  /**
   * out[i] = μ + userBias + b_i + q_i·p (p read at `userOffset`), -Infinity for untrained items and,
   * with `exclusion` j ≥ 1, for the items of the scorer's j-th exclusion set (those are not scored).
   */
  score(userVector: Float32Array, userOffset: number, userBias: number, exclusion?: number): Float32Array;
}

/**
 * Copies a model's item side into its own linear memory once (rows padded to a multiple of 4 floats),
 * with one offset table per exclusion set (e.g. the items an age class may not see); each call then
 * only copies p.
 */
export function createWasmScorer(model: SvdModel, exclusions: readonly ArrayLike<number>[] = []): ItemScorer {
  const { factors: k, itemFactors, itemBias, itemCounts, mu } = model.data;
  const n = model.nItems;
  const stride = Math.ceil(k / 4) * 4;
  const [qAt, pAt] = [0, n * stride * 4];
  const offsAt = pAt + stride * 4;
  const outAt = offsAt + (1 + exclusions.length) * n * 4;
  const memory: WasmMemory = createWasmMemory(outAt + n * 4);
  const q = new Float32Array(memory.buffer, qAt, n * stride);
  for (let i = 0; i < n; i++) q.set(itemFactors.subarray(i * k, i * k + k), i * stride);
  const offsets = new Float32Array(memory.buffer, offsAt, n);
  for (let i = 0; i < n; i++)
    offsets[i] = (itemCounts[i] as number) > 0 ? (itemBias[i] as number) : -Infinity;
  exclusions.forEach((excluded, j) => {
    const table = new Float32Array(memory.buffer, offsAt + (j + 1) * n * 4, n);
    table.set(offsets);
    for (let e = 0; e < excluded.length; e++) table[excluded[e] as number] = -Infinity;
  });
  const p = new Float32Array(memory.buffer, pAt, stride);
  const out = new Float32Array(memory.buffer, outAt, n);
  compiled ??= new wasm.Module(SCORE_WASM);
  const kernel = new wasm.Instance(compiled, { env: { memory } }).exports['score'] as ScoreKernel;
  return {
    nItems: n,
    score(userVector, userOffset, userBias, exclusion = 0) {
      if (!(Number.isInteger(exclusion) && exclusion >= 0 && exclusion <= exclusions.length))
        throw new RangeError(`no exclusion set ${exclusion}`);
      p.set(userVector.subarray(userOffset, userOffset + k));
      kernel(qAt, pAt, offsAt + exclusion * n * 4, outAt, n, stride * 4, mu + userBias);
      return out;
    },
  };
}
