import type { SyntheticWorld } from '../../src/data/synthetic-world.ts';
import type { CatalogueMovie } from '../../src/data/catalogue-index.ts';
import type { ModelArtifact } from '../../src/model/artifact.ts';
import { createRandom, fillNormal } from '../../src/lib/random.ts';
import { svdToArtifact } from '../../src/model/svd-artifact.ts';
import { SvdModel } from '../../src/model/algorithms/svd-model.ts';

/**
 * A servable model over a synthetic world with random factors (σ 0.1) and item counts from the
 * world's popularity: for tests and the API benchmark, where serving cost depends on the shape
 * (movies × factors), not on how well the model was trained.
 */
export function syntheticServingModel(
  world: SyntheticWorld,
  factors: number,
  seed = 1,
): { artifact: ModelArtifact; movies: CatalogueMovie[] } {
  const random = createRandom(seed);
  const nUsers = world.users.length;
  const nItems = world.movies.length;
  const userFactors = new Float32Array(nUsers * factors);
  const itemFactors = new Float32Array(nItems * factors);
  const itemBias = new Float32Array(nItems);
  fillNormal(userFactors, random, 0, 0.1);
  fillNormal(itemFactors, random, 0, 0.1);
  fillNormal(itemBias, random, 0, 0.3);
  const model = new SvdModel({
    algorithm: 'svd',
    params: { synthetic: true },
    mu: 3.5,
    factors,
    scale: { min: 1, max: 5 },
    userIds: world.users.map((u) => u.userId),
    itemIds: world.movies.map((m) => m.movieId),
    userBias: new Float32Array(nUsers),
    itemBias,
    userFactors,
    itemFactors,
    userCounts: new Float32Array(nUsers).fill(1),
    itemCounts: Float32Array.from(world.popularity, (p) => 1 + Math.round(p * 1e6)),
  });
  const movies = world.movies.map(({ movieId, title, genres, certification, adult }) => ({
    movieId,
    title,
    genres,
    certification,
    adult,
  }));
  return { artifact: svdToArtifact(model), movies };
}
