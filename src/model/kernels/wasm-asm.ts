/**
 * Helpers to hand-assemble small WebAssembly modules (LEB128, sections, locals, SIMD opcodes): the
 * SGD epoch kernel's building blocks, kept apart so the kernel file reads as the algorithm.
 */

/** Value type bytes. */
export const [I32, F32, F64, V128] = [0x7f, 0x7d, 0x7c, 0x7b];

/** Unsigned LEB128. */
export function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    const byte = v & 0x7f;
    v >>>= 7;
    out.push(v === 0 ? byte : byte | 0x80);
  } while (v !== 0);
  return out;
}

/** Signed LEB128, for i32.const immediates (64 needs two bytes: 0x40 alone reads as −64). */
export function sleb(value: number): number[] {
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

/** A module section: id, byte length, body. */
export const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
/** A length-prefixed ASCII name. */
export const name = (text: string): number[] => [
  ...uleb(text.length),
  ...Array.from(text, (c) => c.charCodeAt(0)),
];
/** local.get. */
export const get = (i: number): number[] => [0x20, i];
/** local.set. */
export const set = (i: number): number[] => [0x21, i];
/** i32.const. */
export const i32c = (v: number): number[] => [0x41, ...sleb(v)];
/** A SIMD (0xfd-prefixed) instruction with immediates. */
export const simd = (op: number, ...imm: number[]): number[] => [0xfd, ...uleb(op), ...imm];
/** v128.load / v128.store with a constant byte offset (alignment hint 16). */
export const v128load = (offset: number): number[] => simd(0x00, 4, ...uleb(offset));
/** v128.store at a constant byte offset. */
export const v128store = (offset: number): number[] => simd(0x0b, 4, ...uleb(offset));
/** v128.const of all zeros. */
export const v128zero = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
/** SIMD lane arithmetic used by the kernels. */
export const [f32x4splat, f32x4add, f32x4mul] = [simd(0x13), simd(0xe4), simd(0xe6)];
/** f32x4.extract_lane. */
export const lane = (l: number): number[] => simd(0x1f, l);
/** Scalar loads and stores (natural alignment, offset 0). */
export const [i32load, f32load, f32store] = [
  [0x28, 2, 0],
  [0x2a, 2, 0],
  [0x38, 2, 0],
];
/** Scalar integer and float opcodes. */
export const [i32add, i32mul, i32shl, i32and, i32geu, i32ltu] = [
  [0x6a],
  [0x6c],
  [0x74],
  [0x71],
  [0x4f],
  [0x49],
];
/** Scalar float opcodes. */
export const [f32add, f32sub, f32mul, f64add, f64mul, f64promote] = [
  [0x92],
  [0x93],
  [0x94],
  [0xa0],
  [0xa2],
  [0xbb],
];

/** `base + (index << 2)`: the byte address of a 4-byte element. */
export const word = (base: number, index: number): number[] => [
  ...get(base),
  ...get(index),
  ...i32c(2),
  ...i32shl,
  ...i32add,
];

/** `for (counter = 0; counter < limit; counter += step) body`, as block/loop/br_if. */
export const loopOver = (counter: number, limit: number, step: number, body: number[]): number[] => [
  ...[...i32c(0), ...set(counter), 0x02, 0x40, 0x03, 0x40],
  ...[...get(counter), ...get(limit), ...i32geu, 0x0d, 1],
  ...body,
  ...[...get(counter), ...i32c(step), ...i32add, ...set(counter), 0x0c, 0, 0x0b, 0x0b],
];

/** Sum of the four lanes of the v128 in local `v`, as ((l0 + l1) + l2) + l3. */
export const hsum = (v: number): number[] => [
  ...get(v),
  ...lane(0),
  ...get(v),
  ...lane(1),
  ...f32add,
  ...get(v),
  ...lane(2),
  ...f32add,
  ...get(v),
  ...lane(3),
  ...f32add,
];
