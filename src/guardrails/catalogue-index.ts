import type { Certification } from '../data/dataset.ts';

/** What serving knows about one movie of the model's item list. */
export interface CatalogueMovie {
  readonly movieId: string;
  readonly title: string;
  readonly genres: readonly string[];
  readonly certification: Certification | null;
  readonly adult: boolean;
}

/**
 * The catalogue aligned with the model's item indices, genres interned as small integers in CSR
 * form (`genreCodes[genreStart[i] .. genreStart[i+1]]`) so re-ranking compares numbers, not strings.
 * Items with no metadata get no genres, no title, and are treated as uncertified and not adult.
 */
export interface CatalogueIndex {
  readonly itemIds: readonly string[];
  readonly movies: readonly CatalogueMovie[];
  readonly genreNames: readonly string[];
  readonly genreStart: Int32Array;
  readonly genreCodes: Uint16Array;
  /** Item index of a movie id, or undefined. */
  indexOf(movieId: string): number | undefined;
}

/** Builds the index for `itemIds` (model order) from whatever movie records are known. */
export function buildCatalogueIndex(
  itemIds: readonly string[],
  records: Iterable<CatalogueMovie>,
): CatalogueIndex {
  const byId = new Map<string, CatalogueMovie>();
  for (const r of records) byId.set(r.movieId, r);
  const genreNames: string[] = [];
  const genreCode = new Map<string, number>();
  const genreStart = new Int32Array(itemIds.length + 1);
  const codes: number[] = [];
  const movies = itemIds.map((movieId, i) => {
    const movie = byId.get(movieId) ?? {
      movieId,
      title: movieId,
      genres: [],
      certification: null,
      adult: false,
    };
    for (const g of new Set(movie.genres)) {
      let code = genreCode.get(g);
      if (code === undefined) {
        code = genreNames.push(g) - 1;
        genreCode.set(g, code);
      }
      codes.push(code);
    }
    genreStart[i + 1] = codes.length;
    return movie;
  });
  const index = new Map(itemIds.map((id, i) => [id, i]));
  return {
    itemIds,
    movies,
    genreNames,
    genreStart,
    genreCodes: Uint16Array.from(codes),
    indexOf: (movieId) => index.get(movieId),
  };
}
