/**
 * One SGD epoch of biased MF as a WebAssembly SIMD kernel (f32x4), hand-assembled so no toolchain is
 * needed. It takes the same step as sgdStep (sgd-step.ts), which stays the reference it is tested
 * against, with p + lr(err·q − reg·p) written as (1 − lr·reg)p + lr·err·q and f32 arithmetic throughout.
 * Requires factors % 4 === 0.
 *
 * One pass over the factors per rating: the loop that writes rating x's new p_u and q_i also reads the
 * rows of rating x + 1 and accumulates their dot product, group by group *after* storing that group,
 * so when x + 1 shares x's user or item it sees the updated values — the steps stay strictly sequential.
 * The dot product's add chain then overlaps the update instead of preceding it. When x + 1 has the
 * same user (nearly always in Surprise's user-major order) the new p_u group is taken from the register
 * it was just computed in. The summation order is the old two-pass kernel's, so results are bit-identical.
 */
import {
  F32,
  F64,
  I32,
  V128,
  f32add,
  f32load,
  f32mul,
  f32store,
  f32sub,
  f32x4add,
  f32x4mul,
  f32x4splat,
  f64add,
  f64mul,
  f64promote,
  get,
  hsum,
  i32add,
  i32and,
  i32c,
  i32geu,
  i32load,
  i32ltu,
  i32mul,
  i32shl,
  loopOver,
  name,
  section,
  set,
  uleb,
  v128load,
  v128store,
  v128zero,
  word,
} from './wasm-asm.ts';

// Parameters (indices 0..12), then locals: 17 i32, 5 f32, 6 v128, 1 f64.
const [ORDER, N, USERS, ITEMS, RATINGS, P, Q, BU, BI, K, MU, LR, REG] = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
];
const [X, ROW, PU, QI, F, BYTES, BUP, BIP, PAIRS, NROW, NPU, NQI] = [
  13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
];
// Cursors walking rating x's rows (CP, CQ) and rating x + 1's (CNP, CNQ) in the fused loop.
const [CP, CQ, CNP, CNQ, END] = [25, 26, 27, 28, 29];
const [ERR, B1, B2, DOT, SINK] = [30, 31, 32, 33, 34];
const [ACC, ACC2, A, B, LE, DEC] = [35, 36, 37, 38, 39, 40];
const SUM = 41;
const NP = 42; // the new p_u group, reused when rating x + 1 has the same user
const LOCALS = [5, 17, I32, 5, F32, 6, V128, 1, F64, 1, V128];

const vec = (base: number): number[] => [...get(base), ...get(F), ...i32add];
/** `base + table[row] * BYTES`: the byte address of a factor row. */
const rowOf = (base: number, table: number, row: number): number[] => [
  ...get(base),
  ...word(table, row),
  ...i32load,
  ...get(BYTES),
  ...i32mul,
  ...i32add,
];
/** `base + table[row] * 4`: the byte address of a bias. */
const biasOf = (base: number, table: number, row: number): number[] => [
  ...get(base),
  ...word(table, row),
  ...i32load,
  ...i32c(2),
  ...i32shl,
  ...i32add,
];
/** Runs `group(0)` and `group(16)` per 8 factors, then `group(0)` once more if k % 8 = 4. */
const overFactors = (group: (at: number) => number[]): number[] => [
  ...loopOver(F, PAIRS, 32, [...group(0), ...group(16)]),
  ...[...get(PAIRS), ...get(BYTES), ...i32ltu, 0x04, 0x40, ...group(0), 0x0b], // F = PAIRS after the loop
];
const accOf = (at: number): number => (at === 0 ? ACC : ACC2);

// prettier-ignore
/** The prologue's plain dot product p_u·q_i into ACC + ACC2 (two chains of 4 lanes). */
const dotGroup = (at: number): number[] => [
  ...get(accOf(at)), ...vec(PU), ...v128load(at), ...vec(QI), ...v128load(at), ...f32x4mul, ...f32x4add, ...set(accOf(at)),
];
// prettier-ignore
/**
 * One group of 4 factors at the cursors: both sides from their old values, then the next rating's
 * product — with p_u's new values straight from the register when the user stays the same.
 */
const fusedGroup = (at: number, sameUser: boolean): number[] => [
  ...get(CP), ...v128load(at), ...set(A), ...get(CQ), ...v128load(at), ...set(B),
  ...get(CP), ...get(DEC), ...get(A), ...f32x4mul, ...get(LE), ...get(B), ...f32x4mul, ...f32x4add, 0x22, NP, ...v128store(at),
  ...get(CQ), ...get(DEC), ...get(B), ...f32x4mul, ...get(LE), ...get(A), ...f32x4mul, ...f32x4add, ...v128store(at),
  ...get(accOf(at)), ...(sameUser ? get(NP) : [...get(CNP), ...v128load(at)]), ...get(CNQ), ...v128load(at),
  ...f32x4mul, ...f32x4add, ...set(accOf(at)),
];
const advance = (cursor: number): number[] => [...get(cursor), ...i32c(32), ...i32add, ...set(cursor)];
// prettier-ignore
/** The fused pass: 8 factors per turn on four advancing cursors (no per-access address arithmetic), then 4 if k % 8 = 4. */
const fusedPass = (sameUser: boolean): number[] => [
  ...get(PU), ...set(CP), ...get(QI), ...set(CQ), ...get(NPU), ...set(CNP), ...get(NQI), ...set(CNQ),
  ...get(PU), ...get(PAIRS), ...i32add, ...set(END),
  0x02, 0x40, 0x03, 0x40,
  ...get(CP), ...get(END), ...i32geu, 0x0d, 1,
  ...fusedGroup(0, sameUser), ...fusedGroup(16, sameUser),
  ...advance(CP), ...advance(CQ), ...(sameUser ? [] : advance(CNP)), ...advance(CNQ),
  0x0c, 0, 0x0b, 0x0b,
  ...get(PAIRS), ...get(BYTES), ...i32ltu, 0x04, 0x40, ...fusedGroup(0, sameUser), 0x0b,
];
// prettier-ignore
/** if (NPU == PU) the same-user pass else the general one (0x46 i32.eq, 0x04 if, 0x05 else, 0x0b end). */
const fusedLoop = [...get(NPU), ...get(PU), 0x46, 0x04, 0x40, ...fusedPass(true), 0x05, ...fusedPass(false), 0x0b];
const zeroAccs = [...v128zero, ...set(ACC), ...v128zero, ...set(ACC2)];
const dotOfAccs = [...get(ACC), ...get(ACC2), ...f32x4add, ...set(ACC), ...hsum(ACC), ...set(DOT)];
/** `*ptr = old + lr (err − reg·old)`. */
// prettier-ignore
const biasUpdate = (ptr: number, old: number): number[] => [
  ...get(ptr), ...get(old), ...get(LR), ...get(ERR), ...get(REG), ...get(old), ...f32mul, ...f32sub, ...f32mul, ...f32add, ...f32store,
];
/** order[x + offset], through i32.load's constant offset. */
const orderAt = (offset: number): number[] => [...word(ORDER, X), 0x28, 2, offset * 4];

// Entering a turn: ROW is rating x's row, PU/QI its factor rows, DOT = p_u·q_i as of now.
// prettier-ignore
const rowBody = [
  // Touch rating x + 2's rows so their cache misses overlap this step (WebAssembly has no prefetch);
  // `order` holds two extra valid rows so x + 2 is always readable.
  ...orderAt(2), ...set(NROW),
  ...get(SINK), ...rowOf(P, USERS, NROW), ...f32load, ...f32add, ...rowOf(Q, ITEMS, NROW), ...f32load, ...f32add, ...set(SINK),
  ...biasOf(BU, USERS, ROW), ...set(BUP), ...biasOf(BI, ITEMS, ROW), ...set(BIP),
  ...get(BUP), ...f32load, ...set(B1), ...get(BIP), ...f32load, ...set(B2),
  ...word(RATINGS, ROW), ...f32load, ...get(MU), ...get(B1), ...f32add, ...get(B2), ...f32add, ...get(DOT), ...f32add,
  ...f32sub, ...set(ERR),
  ...biasUpdate(BUP, B1), ...biasUpdate(BIP, B2),
  ...get(LR), ...get(ERR), ...f32mul, ...f32x4splat, ...set(LE),
  ...get(SUM), ...get(ERR), ...f64promote, ...get(ERR), ...f64promote, ...f64mul, ...f64add, ...set(SUM),
  ...orderAt(1), ...set(NROW),
  ...rowOf(P, USERS, NROW), ...set(NPU), ...rowOf(Q, ITEMS, NROW), ...set(NQI),
  ...zeroAccs,
  ...fusedLoop,
  ...dotOfAccs,
  ...get(NROW), ...set(ROW), ...get(NPU), ...set(PU), ...get(NQI), ...set(QI),
];
// prettier-ignore
const body = [
  ...LOCALS,
  ...get(K), ...i32c(2), ...i32shl, ...set(BYTES),
  ...get(BYTES), ...i32c(-32), ...i32and, ...set(PAIRS), // bytes rounded down to 32
  ...i32c(1), 0xb2, ...get(LR), ...get(REG), ...f32mul, ...f32sub, ...f32x4splat, ...set(DEC), // 0xb2: f32.convert_i32_s
  ...orderAt(0), ...set(ROW), ...rowOf(P, USERS, ROW), ...set(PU), ...rowOf(Q, ITEMS, ROW), ...set(QI),
  ...zeroAccs, ...overFactors(dotGroup), ...dotOfAccs,
  ...loopOver(X, N, 1, rowBody),
  // Σ err² + 0·sink keeps the touching loads alive (a float times 0 cannot be folded away).
  ...get(SUM), ...get(SINK), ...f64promote, 0x44, 0, 0, 0, 0, 0, 0, 0, 0, ...f64mul, ...f64add, 0x0b,
];

/** Extra slots `order` needs past its n rows (valid rows, e.g. 0), read by the look-ahead. */
export const ORDER_SPARE = 2;

/** The kernel's bytes: imports env.memory, exports `epoch(...) → Σ err²` over `order` (n ≥ 1 rows + ORDER_SPARE). */
export const SGD_EPOCH_WASM = new Uint8Array([
  ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
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
