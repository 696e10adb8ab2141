/**
 * How actor vectors are stored: raw little-endian Float32 bytes in Redis (what the serving API reads
 * with one GET) and base64 of the same bytes inside JSON (movie events, a user's pending ratings).
 */

/** Float32 vector → its bytes, without copying. */
export function vectorBytes(v: Float32Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/** Bytes → a fresh Float32 vector of length k, or null when the stored blob has another length. */
export function vectorFromBytes(bytes: Buffer | null, k: number): Float32Array | null {
  if (bytes === null || bytes.length !== k * 4) return null;
  const out = new Float32Array(k);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/** Bytes of any whole number of floats → a fresh vector, or null (missing, empty or torn blob). */
export function anyVectorFromBytes(bytes: Buffer | null): Float32Array | null {
  if (bytes === null || bytes.length === 0 || bytes.length % 4 !== 0) return null;
  return vectorFromBytes(bytes, bytes.length / 4);
}

/** Float32 vector → base64 of its little-endian bytes. */
export function vectorToBase64(v: Float32Array): string {
  return vectorBytes(v).toString('base64');
}

/** base64 of little-endian Float32 bytes → a fresh vector (null when the length is not 4n). */
export function vectorFromBase64(text: string): Float32Array | null {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length % 4 !== 0) return null;
  const out = new Float32Array(bytes.length / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}
