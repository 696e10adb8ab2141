import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadArtifactFile, saveArtifactFile } from '../store/artifact-file.ts';
import { ArtifactError, decodeArtifact, encodeArtifact } from './artifact.ts';
import { buildRatingSet } from './ratings/build-rating-set.ts';
import { fitSvd, SVD_DEFAULTS } from './algorithms/svd.ts';
import { svdFromArtifact, svdToArtifact } from './svd-artifact.ts';

const train = buildRatingSet([
  { userId: 'ana', movieId: 'the+shining+1980', rating: 5 },
  { userId: 'ana', movieId: 'up+2009', rating: 3 },
  { userId: 'bo', movieId: 'up+2009', rating: 4 },
  { userId: 'cy', movieId: 'heat+1995', rating: 2 },
]);
const model = fitSvd(train, { ...SVD_DEFAULTS, factors: 6, epochs: 5 });

describe('model artifacts', () => {
  it('round-trips an SVD model through bytes with identical predictions, ids and params', () => {
    const back = svdFromArtifact(decodeArtifact(encodeArtifact(svdToArtifact(model))));
    expect(back.data.userIds).toEqual(train.userIds);
    expect(back.data.itemIds).toEqual(train.itemIds);
    expect(back.data.params).toEqual({ ...SVD_DEFAULTS, factors: 6, epochs: 5 });
    expect(back.data.mu).toBe(model.data.mu);
    expect(Array.from(back.data.itemFactors)).toEqual(Array.from(model.data.itemFactors));
    for (let u = 0; u < 3; u++)
      for (let i = 0; i < 3; i++) expect(back.predict(u, i)).toBe(model.predict(u, i));
  });

  it('round-trips through a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'marquee-artifact-'));
    try {
      await saveArtifactFile(join(dir, 'model.mqmf'), svdToArtifact(model));
      const back = svdFromArtifact(await loadArtifactFile(join(dir, 'model.mqmf')));
      expect(back.predict(0, 1)).toBe(model.predict(0, 1));
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it('starts with the magic number and version, and aligns the Float32 blobs', () => {
    const bytes = encodeArtifact(svdToArtifact(model));
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('MQMF');
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    expect(view.getUint32(4, true)).toBe(1);
    expect((12 + view.getUint32(8, true)) % 4).toBe(0);
  });

  it('rejects foreign, newer, truncated and inconsistent artifacts with a reason', () => {
    const bytes = encodeArtifact(svdToArtifact(model));
    expect(() => decodeArtifact(Uint8Array.of(1, 2, 3))).toThrow(ArtifactError);
    const newer = bytes.slice();
    new DataView(newer.buffer).setUint32(4, 2, true);
    expect(() => decodeArtifact(newer)).toThrow(/version 2/);
    expect(() => decodeArtifact(bytes.subarray(0, bytes.length - 4))).toThrow(/truncated/);
    const artifact = svdToArtifact(model);
    const broken = { ...artifact, blobs: { ...artifact.blobs, itemBias: new Float32Array(1) } };
    expect(() => svdFromArtifact(decodeArtifact(encodeArtifact(broken)))).toThrow(/itemBias/);
  });

  it('rejects a malformed header with an ArtifactError naming the problem', () => {
    const withHeader = (json: string): Uint8Array => {
      const header = new TextEncoder().encode(json);
      const out = new Uint8Array(12 + header.length);
      out.set([0x4d, 0x51, 0x4d, 0x46]);
      new DataView(out.buffer).setUint32(4, 1, true);
      new DataView(out.buffer).setUint32(8, header.length, true);
      out.set(header, 12);
      return out;
    };
    const base = { algorithm: 'svd', params: {}, dims: {}, meta: {}, userIds: [], itemIds: [], blobs: [] };
    expect(decodeArtifact(withHeader(JSON.stringify(base))).algorithm).toBe('svd');
    expect(() => decodeArtifact(withHeader('{"algorithm":'))).toThrow(/header is not JSON/);
    expect(() => decodeArtifact(withHeader('null'))).toThrow(ArtifactError);
    expect(() => decodeArtifact(withHeader(JSON.stringify({ ...base, blobs: undefined })))).toThrow(
      /header is malformed at blobs/,
    );
    for (const length of [-1, 0.5, '4'])
      expect(() =>
        decodeArtifact(withHeader(JSON.stringify({ ...base, blobs: [{ name: 'x', length }] }))),
      ).toThrow(/header is malformed at blobs\.0\.length/);
    expect(() => decodeArtifact(withHeader(JSON.stringify({ ...base, userIds: [1] })))).toThrow(
      /malformed at userIds\.0/,
    );
  });

  it('throws only ArtifactError for any corrupted bytes (fuzzed)', () => {
    const bytes = encodeArtifact(svdToArtifact(model));
    const headerEnd = 12 + new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: headerEnd - 1 }), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.integer({ min: 0, max: bytes.length }),
        (edits, cut) => {
          const corrupted = bytes.slice(0, Math.max(cut, headerEnd));
          for (const [at, value] of edits) corrupted[at] = value;
          try {
            decodeArtifact(corrupted);
          } catch (error) {
            expect(error).toBeInstanceOf(ArtifactError);
          }
        },
      ),
      { seed: 7, numRuns: 500 },
    );
  });
});
