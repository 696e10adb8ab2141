import { baselineOnly, globalMean } from './baselines.ts';
import { knnBaseline } from './knn.ts';
import { nmf } from './nmf.ts';
import type { Algorithm } from '../ratings/rating-set.ts';
import { svd } from './svd.ts';
import { svdpp } from './svdpp.ts';

/** Parameters of any registered algorithm, as the CLI and bench pass them around. */
export type AnyParams = object;

/**
 * Every offline algorithm by name. `marquee train` and `npm run bench:train` iterate over this, so a
 * new algorithm appears in both once it is added here.
 */
export const algorithms: Readonly<Record<string, Algorithm<AnyParams>>> = {
  svd,
  baseline: baselineOnly,
  'global-mean': globalMean,
  'svd++': svdpp,
  nmf,
  'knn-baseline': knnBaseline,
};
