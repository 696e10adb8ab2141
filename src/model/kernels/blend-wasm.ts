/**
 * The blend's two per-request passes (ranking/blend.ts) as a hand-assembled WebAssembly SIMD kernel
 * (f32x4), like score-wasm.ts. In plain TypeScript the two passes over 10,000 items cost ≈ 25 µs, a
 * tenth of a whole /recommend; four lanes at a time and no bounds checks make them a few µs.
 *
 * - `moments(x, pen, bytes, at)`: over the items with x + pen finite (pen is 0 for a candidate,
 *   -Infinity otherwise), Σx and Σx² as f64 (each f32x4 promoted to two f64x2, so no precision is
 *   lost to the sums) stored at `at` and `at + 8`, their count as an i32 at `at + 16`.
 * - `combine(m, p, c, pen, out, bytes, wm, mMean, wp, pMean, wc, cMean)`: out = wm·(m' − mMean) +
 *   wp·(p − pMean) + wc·(c − cMean) + pen in f32, where m' is m, or mMean where m is not finite.
 *
 * Arrays are byte addresses in the kernel's memory, 16-byte aligned, `bytes` a multiple of 16.
 */
import {
  F32,
  I32,
  V128,
  f32x4add,
  f32x4mul,
  f32x4splat,
  get,
  i32add,
  loopOver,
  name,
  section,
  set,
  simd,
  uleb,
  v128load as load,
  v128store as store,
  v128zero as zero,
} from './wasm-asm.ts';
import { createWasmMemory, type WasmMemory } from './sgd-epoch-wasm.ts';

const f32x4sub = simd(0xe5);
const f32x4eq = simd(0x41);
const v128and = simd(0x4e);
const bitselect = simd(0x52);
const i32x4sub = simd(0xb1);
const i32x4lane = (l: number): number[] => simd(0x1b, l);
const f64x2promoteLow = simd(0x5f);
const f64x2add = simd(0xf0);
const f64x2mul = simd(0xf2);
const f64x2lane = (l: number): number[] => simd(0x21, l);
/** i8x16.shuffle moving lanes 2, 3 of a f32x4 to lanes 0, 1. */
const highHalf = simd(0x0d, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7);
const f64store = (offset: number): number[] => [0x39, 3, ...uleb(offset)];
const i32store = (offset: number): number[] => [0x36, 2, ...uleb(offset)];
/** `base + i`, a byte address. */
const addr = (base: number, i: number): number[] => [...get(base), ...get(i), ...i32add];

// moments: parameters, then locals (1 i32, 8 v128).
const [MX, MPEN, MBYTES, MAT] = [0, 1, 2, 3];
const [MI, V, MASK, CNT, S0, S1, Q0, Q1, H] = [4, 5, 6, 7, 8, 9, 10, 11, 12];
/** mask = (v − v == 0): all ones in the lanes where v is finite. */
const finiteMask = (v: number, mask: number): number[] => [
  ...get(v),
  ...get(v),
  ...f32x4sub,
  ...zero,
  ...f32x4eq,
  ...set(mask),
];
// prettier-ignore
const momentsBody = [
  2, 1, I32, 8, V128,
  ...zero, ...set(CNT), ...zero, ...set(S0), ...zero, ...set(S1), ...zero, ...set(Q0), ...zero, ...set(Q1),
  ...loopOver(MI, MBYTES, 16, [
    ...addr(MX, MI), ...load(0), ...addr(MPEN, MI), ...load(0), ...f32x4add, ...set(V),
    ...finiteMask(V, MASK),
    ...get(V), ...get(MASK), ...v128and, ...set(V),
    ...get(CNT), ...get(MASK), ...i32x4sub, ...set(CNT),
    ...get(V), ...f64x2promoteLow, ...set(H),
    ...get(S0), ...get(H), ...f64x2add, ...set(S0),
    ...get(Q0), ...get(H), ...get(H), ...f64x2mul, ...f64x2add, ...set(Q0),
    ...get(V), ...get(V), ...highHalf, ...f64x2promoteLow, ...set(H),
    ...get(S1), ...get(H), ...f64x2add, ...set(S1),
    ...get(Q1), ...get(H), ...get(H), ...f64x2mul, ...f64x2add, ...set(Q1),
  ]),
  ...get(S0), ...get(S1), ...f64x2add, ...set(S0),
  ...get(MAT), ...get(S0), ...f64x2lane(0), ...get(S0), ...f64x2lane(1), 0xa0, ...f64store(0),
  ...get(Q0), ...get(Q1), ...f64x2add, ...set(Q0),
  ...get(MAT), ...get(Q0), ...f64x2lane(0), ...get(Q0), ...f64x2lane(1), 0xa0, ...f64store(8),
  ...get(MAT),
  ...get(CNT), ...i32x4lane(0), ...get(CNT), ...i32x4lane(1), ...i32add,
  ...get(CNT), ...i32x4lane(2), ...i32add, ...get(CNT), ...i32x4lane(3), ...i32add,
  ...i32store(16),
  0x0b,
];

// combine: parameters (6 i32, 6 f32), then locals (1 i32, 8 v128).
const [CM, CP, CC, CPEN, COUT, CBYTES, WM, MMEAN, WP, PMEAN, WC, CMEAN] = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
];
const [CI, X, XMASK, VWM, VMM, VWP, VPM, VWC, VCM] = [12, 13, 14, 15, 16, 17, 18, 19, 20];
const splat = (scalar: number, v: number): number[] => [...get(scalar), ...f32x4splat, ...set(v)];
/** w · (value − mean), value on the stack. */
const weighted = (mean: number, w: number): number[] => [...get(mean), ...f32x4sub, ...get(w), ...f32x4mul];
// prettier-ignore
const combineBody = [
  2, 1, I32, 8, V128,
  ...splat(WM, VWM), ...splat(MMEAN, VMM), ...splat(WP, VWP), ...splat(PMEAN, VPM),
  ...splat(WC, VWC), ...splat(CMEAN, VCM),
  ...loopOver(CI, CBYTES, 16, [
    ...addr(COUT, CI),
    ...addr(CM, CI), ...load(0), ...set(X),
    ...finiteMask(X, XMASK),
    ...get(X), ...get(VMM), ...get(XMASK), ...bitselect, ...weighted(VMM, VWM),
    ...addr(CP, CI), ...load(0), ...weighted(VPM, VWP), ...f32x4add,
    ...addr(CC, CI), ...load(0), ...weighted(VCM, VWC), ...f32x4add,
    ...addr(CPEN, CI), ...load(0), ...f32x4add,
    ...store(0),
  ]),
  0x0b,
];

/** The kernel's bytes: imports env.memory, exports `moments` and `combine`. */
export const BLEND_WASM = new Uint8Array([
  ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
  ...section(1, [
    2,
    ...[0x60, 4, I32, I32, I32, I32, 0],
    ...[0x60, 12, I32, I32, I32, I32, I32, I32, F32, F32, F32, F32, F32, F32, 0],
  ]),
  ...section(2, [1, ...name('env'), ...name('memory'), 0x02, 0x00, 0x01]),
  ...section(3, [2, 0, 1]),
  ...section(7, [2, ...name('moments'), 0x00, 0, ...name('combine'), 0x00, 1]),
  ...section(10, [
    2,
    ...uleb(momentsBody.length),
    ...momentsBody,
    ...uleb(combineBody.length),
    ...combineBody,
  ]),
]);

/** The two passes, bound to one memory. */
export interface BlendKernel {
  readonly memory: WasmMemory;
  moments(x: number, pen: number, bytes: number, at: number): void;
  // prettier-ignore
  combine(m: number, p: number, c: number, pen: number, out: number, bytes: number,
    wm: number, mMean: number, wp: number, pMean: number, wc: number, cMean: number): void;
}

interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
let compiled: object | undefined;

/** A kernel over a fresh memory of at least `bytes` bytes (compiling once per process). */
export function createBlendKernel(bytes: number): BlendKernel {
  const memory = createWasmMemory(bytes);
  compiled ??= new wasm.Module(BLEND_WASM);
  const exports = new wasm.Instance(compiled, { env: { memory } }).exports;
  return {
    memory,
    moments: exports['moments'] as BlendKernel['moments'],
    combine: exports['combine'] as BlendKernel['combine'],
  };
}
