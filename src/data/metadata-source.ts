import type { LookupResult } from './course-services.ts';
import type { Dataset, MovieRecord, UserRecord } from './dataset.ts';

/**
 * Where user demographics and movie details come from: the course's services (createCourseServices
 * already has this shape) or a loaded dataset. Lookups never throw.
 */
export interface MetadataSource {
  user(userId: string): Promise<LookupResult<UserRecord>>;
  movie(movieId: string): Promise<LookupResult<MovieRecord>>;
}

/** Metadata answered from a dataset in memory. */
export function datasetMetadataSource(dataset: Dataset): MetadataSource {
  const users = new Map(dataset.users.map((u) => [u.userId, u]));
  const movies = new Map(dataset.movies.map((m) => [m.movieId, m]));
  const answer = <T>(value: T | undefined): LookupResult<T> =>
    value === undefined ? { status: 'not-found' } : { status: 'found', value };
  return {
    user: async (id) => answer(users.get(id)),
    movie: async (id) => answer(movies.get(id)),
  };
}
