import { ArtifactError, type ModelArtifact } from './artifact.ts';
import { SvdModel } from './algorithms/svd-model.ts';

/** The artifact of a biased-MF model (SVD, or SVD++ folded into one). */
export function svdToArtifact(model: SvdModel): ModelArtifact {
  const d = model.data;
  return {
    algorithm: d.algorithm,
    params: d.params,
    dims: { nUsers: model.nUsers, nItems: model.nItems, factors: d.factors },
    meta: { mu: d.mu, scaleMin: d.scale.min, scaleMax: d.scale.max },
    userIds: d.userIds,
    itemIds: d.itemIds,
    blobs: {
      userBias: d.userBias,
      itemBias: d.itemBias,
      userFactors: d.userFactors,
      itemFactors: d.itemFactors,
      userCounts: d.userCounts,
      itemCounts: d.itemCounts,
    },
  };
}

function blob(artifact: ModelArtifact, name: string, length: number): Float32Array {
  const b = artifact.blobs[name];
  if (b === undefined || b.length !== length) {
    throw new ArtifactError(`artifact blob '${name}' missing or not ${length} floats long`);
  }
  return b;
}

function scalar(record: Readonly<Record<string, number>>, name: string): number {
  const v = record[name];
  if (typeof v !== 'number') throw new ArtifactError(`artifact header lacks '${name}'`);
  return v;
}

/** Rebuilds a biased-MF model from its artifact, checking every blob against the header's dims. */
export function svdFromArtifact(artifact: ModelArtifact): SvdModel {
  const nUsers = scalar(artifact.dims, 'nUsers');
  const nItems = scalar(artifact.dims, 'nItems');
  const factors = scalar(artifact.dims, 'factors');
  if (artifact.userIds.length !== nUsers || artifact.itemIds.length !== nItems) {
    throw new ArtifactError('artifact ids do not match its dims');
  }
  return new SvdModel({
    algorithm: artifact.algorithm,
    params: artifact.params,
    mu: scalar(artifact.meta, 'mu'),
    factors,
    scale: { min: scalar(artifact.meta, 'scaleMin'), max: scalar(artifact.meta, 'scaleMax') },
    userIds: artifact.userIds,
    itemIds: artifact.itemIds,
    userBias: blob(artifact, 'userBias', nUsers),
    itemBias: blob(artifact, 'itemBias', nItems),
    userFactors: blob(artifact, 'userFactors', nUsers * factors),
    itemFactors: blob(artifact, 'itemFactors', nItems * factors),
    userCounts: blob(artifact, 'userCounts', nUsers),
    itemCounts: blob(artifact, 'itemCounts', nItems),
  });
}
