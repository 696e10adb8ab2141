import { z } from 'zod';

/**
 * Versioned binary model artifacts. Layout (little-endian):
 *   bytes 0..3   magic "MQMF"
 *   bytes 4..7   u32 format version (ARTIFACT_VERSION)
 *   bytes 8..11  u32 header length H
 *   bytes 12..   H bytes of UTF-8 JSON header {algorithm, params, dims, meta, userIds, itemIds, blobs},
 *                space-padded so the blobs start on a 4-byte boundary
 *   then         each blob in header order as raw Float32 (length from the header)
 */

/** The format version this code writes and reads. */
export const ARTIFACT_VERSION = 1;

const MAGIC = [0x4d, 0x51, 0x4d, 0x46]; // "MQMF"

/** A model in storable form: scalar metadata in the header, big arrays as named Float32 blobs. */
export interface ModelArtifact {
  readonly algorithm: string;
  readonly params: Readonly<Record<string, number | boolean | string>>;
  /** Small shape numbers (nUsers, nItems, factors …). */
  readonly dims: Readonly<Record<string, number>>;
  /** Other scalars a model needs (μ, rating scale …). */
  readonly meta: Readonly<Record<string, number>>;
  readonly userIds: readonly string[];
  readonly itemIds: readonly string[];
  readonly blobs: Readonly<Record<string, Float32Array>>;
}

/** A malformed or incompatible artifact: the caller should retrain or upgrade, not retry. */
export class ArtifactError extends Error {
  override readonly name = 'ArtifactError';
}

interface Header extends Omit<ModelArtifact, 'blobs'> {
  readonly blobs: readonly { readonly name: string; readonly length: number }[];
}

/** What a decoded header must look like before any of it is trusted. */
const headerSchema = z.object({
  algorithm: z.string(),
  params: z.record(z.string(), z.union([z.number(), z.boolean(), z.string()])),
  dims: z.record(z.string(), z.number()),
  meta: z.record(z.string(), z.number()),
  userIds: z.array(z.string()),
  itemIds: z.array(z.string()),
  blobs: z.array(z.object({ name: z.string(), length: z.number().int().nonnegative() })),
});

function parseHeader(bytes: Uint8Array): Header {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new ArtifactError(
      `artifact header is not JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const parsed = headerSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? 'header' : issue.path.join('.');
    throw new ArtifactError(`artifact header is malformed at ${where}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

function assertLittleEndian(): void {
  if (new Uint8Array(Float32Array.of(1).buffer)[3] !== 0x3f) {
    throw new ArtifactError('model artifacts are little-endian; this platform is not');
  }
}

/** Encodes an artifact into one buffer. */
export function encodeArtifact(artifact: ModelArtifact): Uint8Array {
  assertLittleEndian();
  const names = Object.keys(artifact.blobs);
  const header: Header = {
    ...artifact,
    blobs: names.map((name) => ({ name, length: (artifact.blobs[name] as Float32Array).length })),
  };
  let json = JSON.stringify(header);
  const rawLength = Buffer.byteLength(json);
  json += ' '.repeat((4 - ((12 + rawLength) % 4)) % 4);
  const headerBytes = new TextEncoder().encode(json);
  const blobBytes = header.blobs.reduce((sum, b) => sum + b.length * 4, 0);
  const out = new Uint8Array(12 + headerBytes.length + blobBytes);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint32(4, ARTIFACT_VERSION, true);
  view.setUint32(8, headerBytes.length, true);
  out.set(headerBytes, 12);
  let at = 12 + headerBytes.length;
  for (const name of names) {
    const blob = artifact.blobs[name] as Float32Array;
    out.set(new Uint8Array(blob.buffer, blob.byteOffset, blob.byteLength), at);
    at += blob.byteLength;
  }
  return out;
}

/** Decodes an artifact; the blobs are fresh copies (safe to keep after the buffer is reused). */
export function decodeArtifact(bytes: Uint8Array): ModelArtifact {
  assertLittleEndian();
  if (bytes.length < 12 || MAGIC.some((b, k) => bytes[k] !== b)) {
    throw new ArtifactError('not a Marquee model artifact (bad magic number)');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== ARTIFACT_VERSION) {
    throw new ArtifactError(
      `artifact format version ${version}; this Marquee reads version ${ARTIFACT_VERSION}`,
    );
  }
  const headerLength = view.getUint32(8, true);
  if (12 + headerLength > bytes.length) throw new ArtifactError('artifact truncated inside its header');
  const header = parseHeader(bytes.subarray(12, 12 + headerLength));
  const blobs: Record<string, Float32Array> = {};
  let at = 12 + headerLength;
  for (const { name, length } of header.blobs) {
    if (at + length * 4 > bytes.length) throw new ArtifactError(`artifact truncated inside blob '${name}'`);
    const copy = new Uint8Array(length * 4);
    copy.set(bytes.subarray(at, at + length * 4));
    blobs[name] = new Float32Array(copy.buffer);
    at += length * 4;
  }
  if (at !== bytes.length)
    throw new ArtifactError(`artifact has ${bytes.length - at} unexpected trailing bytes`);
  return { ...header, blobs };
}
