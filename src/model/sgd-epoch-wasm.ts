/**
 * One SGD epoch of biased MF as a WebAssembly SIMD kernel (f32x4), hand-assembled so no toolchain is
 * needed. It takes the same step as sgdStep (sgd-step.ts), which stays the reference it is tested
 * against, with p + lr(err·q − reg·p) written as (1 − lr·reg)p + lr·err·q and f32 arithmetic throughout.
 * Requires factors % 4 === 0.
 */

const I32 = 0x7f;
const F32 = 0x7d;
const F64 = 0x7c;
const V128 = 0x7b;

function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    const byte = v & 0x7f;
    v >>>= 7;
    out.push(v === 0 ? byte : byte | 0x80);
  } while (v !== 0);
  return out;
}

function sleb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function name(text: string): number[] {
  return [...uleb(text.length), ...Array.from(text, (c) => c.charCodeAt(0))];
}

// Parameters (indices 0..12), then locals.
const [ORDER, N, USERS, ITEMS, RATINGS, P, Q, BU, BI, K, MU, LR, REG] = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
];
const [X, ROW, PU, QI, F, BYTES, BUP, BIP] = [13, 14, 15, 16, 17, 18, 19, 20];
const [ERR, B1, B2] = [21, 22, 23];
const [ACC, A, B, LE, DEC] = [24, 25, 26, 27, 28];
const SUM = 29;
const [ACC2, PAIRS, NEXT, SINK] = [30, 31, 32, 33];

const get = (i: number): number[] => [0x20, i];
const set = (i: number): number[] => [0x21, i];
const i32c = (v: number): number[] => [0x41, ...sleb(v)];
const simd = (op: number, ...imm: number[]): number[] => [0xfd, ...uleb(op), ...imm];
const v128load = simd(0x00, 4, 0);
const v128loadAt16 = simd(0x00, 4, 16);
const v128store = simd(0x0b, 4, 0);
const f32x4splat = simd(0x13);
const lane = (l: number): number[] => simd(0x1f, l);
const f32x4add = simd(0xe4);
const f32x4mul = simd(0xe6);
const [i32load, f32load, f32store] = [
  [0x28, 2, 0],
  [0x2a, 2, 0],
  [0x38, 2, 0],
];
const [i32add, i32mul, i32shl, i32geu] = [[0x6a], [0x6c], [0x74], [0x4f]];
const [f32add, f32sub, f32mul] = [[0x92], [0x93], [0x94]];
const [f64add, f64mul, f64promote] = [[0xa0], [0xa2], [0xbb]];
const word = (base: number, index: number): number[] => [
  ...get(base),
  ...get(index),
  ...i32c(2),
  ...i32shl,
  ...i32add,
];
const loopOver = (counter: number, limit: number, step: number, body: number[]): number[] => [
  ...i32c(0),
  ...set(counter),
  0x02,
  0x40,
  0x03,
  0x40,
  ...get(counter),
  ...get(limit),
  ...i32geu,
  0x0d,
  1,
  ...body,
  ...get(counter),
  ...i32c(step),
  ...i32add,
  ...set(counter),
  0x0c,
  0,
  0x0b,
  0x0b,
];
const vec = (base: number): number[] => [...get(base), ...get(F), ...i32add];

// Two accumulators over 8 floats per turn halve the add-latency chain; a last group of 4 if k % 8 = 4.
// prettier-ignore
const dotLoop = [
  ...loopOver(F, PAIRS, 32, [
    ...get(ACC), ...vec(PU), ...v128load, ...vec(QI), ...v128load, ...f32x4mul, ...f32x4add, ...set(ACC),
    ...get(ACC2), ...vec(PU), ...v128loadAt16, ...vec(QI), ...v128loadAt16, ...f32x4mul, ...f32x4add, ...set(ACC2),
  ]),
  ...get(PAIRS), ...get(BYTES), 0x49, 0x04, 0x40, // i32.lt_u; if
  ...get(ACC), ...get(PU), ...get(PAIRS), ...i32add, ...v128load, ...get(QI), ...get(PAIRS), ...i32add, ...v128load,
  ...f32x4mul, ...f32x4add, ...set(ACC),
  0x0b,
  ...get(ACC), ...get(ACC2), ...f32x4add, ...set(ACC),
];
const v128storeAt16 = simd(0x0b, 4, 16);
// One factor group of 4 at byte offset `at` (0 or 16 past F): both sides from their old values.
// prettier-ignore
const updateGroup = (load: number[], store: number[]): number[] => [
  ...vec(PU), ...load, ...set(A), ...vec(QI), ...load, ...set(B),
  ...vec(PU), ...get(DEC), ...get(A), ...f32x4mul, ...get(LE), ...get(B), ...f32x4mul, ...f32x4add, ...store,
  ...vec(QI), ...get(DEC), ...get(B), ...f32x4mul, ...get(LE), ...get(A), ...f32x4mul, ...f32x4add, ...store,
];
// Eight factors per turn, then the last group of 4 when k % 8 = 4 (F is left at PAIRS by the loop).
// prettier-ignore
const updateLoop = [
  ...loopOver(F, PAIRS, 32, [...updateGroup(v128load, v128store), ...updateGroup(v128loadAt16, v128storeAt16)]),
  ...get(PAIRS), ...get(BYTES), 0x49, 0x04, 0x40, // i32.lt_u; if
  ...updateGroup(v128load, v128store),
  0x0b,
];
const biasUpdate = (ptr: number, old: number): number[] => [
  ...get(ptr),
  ...get(old),
  ...get(LR),
  ...get(ERR),
  ...get(REG),
  ...get(old),
  ...f32mul,
  ...f32sub,
  ...f32mul,
  ...f32add,
  ...f32store,
];
// prettier-ignore
const rowBody = [
  // Touch the next rating's two rows now so their cache misses overlap this step (WebAssembly has no
  // prefetch); `order` holds one extra valid row so x + 1 is always readable.
  ...get(ORDER), ...get(X), ...i32c(1), ...i32add, ...i32c(2), ...i32shl, ...i32add, ...i32load, ...set(NEXT),
  ...get(SINK),
  ...get(P), ...get(USERS), ...get(NEXT), ...i32c(2), ...i32shl, ...i32add, ...i32load, ...get(BYTES), ...i32mul, ...i32add, ...f32load,
  ...f32add,
  ...get(Q), ...get(ITEMS), ...get(NEXT), ...i32c(2), ...i32shl, ...i32add, ...i32load, ...get(BYTES), ...i32mul, ...i32add, ...f32load,
  ...f32add, ...set(SINK),
  ...word(ORDER, X), ...i32load, ...set(ROW),
  ...word(USERS, ROW), ...i32load, ...set(BUP),
  ...get(P), ...get(BUP), ...get(BYTES), ...i32mul, ...i32add, ...set(PU),
  ...get(BU), ...get(BUP), ...i32c(2), ...i32shl, ...i32add, ...set(BUP),
  ...word(ITEMS, ROW), ...i32load, ...set(BIP),
  ...get(Q), ...get(BIP), ...get(BYTES), ...i32mul, ...i32add, ...set(QI),
  ...get(BI), ...get(BIP), ...i32c(2), ...i32shl, ...i32add, ...set(BIP),
  0xfd, 0x0c, ...new Array<number>(16).fill(0), ...set(ACC),
  0xfd, 0x0c, ...new Array<number>(16).fill(0), ...set(ACC2),
  ...dotLoop,
  ...get(BUP), ...f32load, ...set(B1), ...get(BIP), ...f32load, ...set(B2),
  ...word(RATINGS, ROW), ...f32load,
  ...get(MU), ...get(B1), ...f32add, ...get(B2), ...f32add,
  ...get(ACC), ...lane(0), ...get(ACC), ...lane(1), ...f32add, ...get(ACC), ...lane(2), ...f32add, ...get(ACC), ...lane(3), ...f32add,
  ...f32add, ...f32sub, ...set(ERR),
  ...biasUpdate(BUP, B1), ...biasUpdate(BIP, B2),
  ...get(LR), ...get(ERR), ...f32mul, ...f32x4splat, ...set(LE),
  ...updateLoop,
  ...get(SUM), ...get(ERR), ...f64promote, ...get(ERR), ...f64promote, ...f64mul, ...f64add, ...set(SUM),
];
// prettier-ignore
const body = [
  8, 8, I32, 3, F32, 5, V128, 1, F64, 1, V128, 1, I32, 1, I32, 1, F32, // then ACC2, PAIRS, NEXT, SINK
  ...get(K), ...i32c(2), ...i32shl, ...set(BYTES),
  ...get(BYTES), ...i32c(-32), 0x71, ...set(PAIRS), // i32.and: bytes rounded down to 32
  ...i32c(1), 0xb2, ...get(LR), ...get(REG), ...f32mul, ...f32sub, ...f32x4splat, ...set(DEC), // 0xb2: f32.convert_i32_s
  ...loopOver(X, N, 1, rowBody),
  // Σ err² + 0·sink keeps the touching loads alive (a float times 0 cannot be folded away).
  ...get(SUM), ...get(SINK), ...f64promote, 0x44, 0, 0, 0, 0, 0, 0, 0, 0, ...f64mul, ...f64add, 0x0b,
];

/** The kernel's bytes: imports env.memory, exports `epoch(...) → Σ err²` over the rows in `order` (n + 1 slots). */
export const SGD_EPOCH_WASM = new Uint8Array([
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00,
  ...section(1, [1, 0x60, 13, ...new Array<number>(10).fill(I32), F32, F32, F32, 1, F64]),
  ...section(2, [1, ...name('env'), ...name('memory'), 0x02, 0x00, 0x01]),
  ...section(3, [1, 0]),
  ...section(7, [1, ...name('epoch'), 0x00, 0]),
  ...section(10, [1, ...uleb(body.length), ...body]),
]);

/** The exported kernel: byte offsets into the imported memory, returns the epoch's Σ err². */
export type SgdEpochKernel = (
  order: number,
  n: number,
  users: number,
  items: number,
  ratings: number,
  p: number,
  q: number,
  bu: number,
  bi: number,
  k: number,
  mu: number,
  lr: number,
  reg: number,
) => number;

/** The slice of the WebAssembly JS API this kernel uses (tsconfig's lib has no WebAssembly types). */
interface WasmApi {
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

/** A WebAssembly linear memory: its buffer stays valid as long as the memory never grows. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
let compiled: object | undefined;

/** Allocates a linear memory of at least `bytes` bytes for the kernel. */
export function createWasmMemory(bytes: number): WasmMemory {
  return new wasm.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
}

/** Instantiates the kernel over `memory` (compiling once per process). */
export function instantiateSgdEpoch(memory: WasmMemory): SgdEpochKernel {
  compiled ??= new wasm.Module(SGD_EPOCH_WASM);
  const instance = new wasm.Instance(compiled, { env: { memory } });
  return instance.exports['epoch'] as SgdEpochKernel;
}
