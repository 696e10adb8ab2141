import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ArtifactError,
  decodeArtifact,
  encodeArtifact,
  loadArtifactFile,
  saveArtifactFile,
} from './artifact.ts';
import { buildRatingSet } from './build-rating-set.ts';
import { fitSvd, SVD_DEFAULTS } from './svd.ts';
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
});
