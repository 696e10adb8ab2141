import type { SyntheticWorld } from '../../src/data/synthetic-world.ts';
import type { CatalogueMovie } from '../../src/data/catalogue-index.ts';
import type { ModelArtifact } from '../../src/model/artifact.ts';
import { svdToArtifact } from '../../src/model/svd-artifact.ts';
import { randomSvdModel } from './random-svd-model.ts';

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
  const model = randomSvdModel({
    users: world.users.map((u) => u.userId),
    items: world.movies.map((m) => m.movieId),
    factors,
    seed,
    factorStd: 0.1,
    itemBiasStd: 0.3,
    itemCount: (i) => 1 + Math.round((world.popularity[i] as number) * 1e6),
    params: { synthetic: true },
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
