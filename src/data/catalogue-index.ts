import type { Certification } from './dataset.ts';

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
  /** 1 where the metadata source described the item, 0 where its record is the stand-in default. */
  readonly described: Uint8Array;
  readonly genreNames: readonly string[];
  readonly genreStart: Int32Array;
  readonly genreCodes: Uint16Array;
  /** Items of each genre, CSR by genre code: `genreItems[genreItemStart[g] .. genreItemStart[g+1]]`. */
  readonly genreItemStart: Int32Array;
  readonly genreItems: Int32Array;
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
  const described = new Uint8Array(itemIds.length);
  const movies = itemIds.map((movieId, i) => {
    if (byId.has(movieId)) described[i] = 1;
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
  const genreCodes = Uint16Array.from(codes);
  const genreItemStart = new Int32Array(genreNames.length + 1);
  for (const code of genreCodes) genreItemStart[code + 1] = (genreItemStart[code + 1] as number) + 1;
  for (let g = 0; g < genreNames.length; g++)
    genreItemStart[g + 1] = (genreItemStart[g + 1] as number) + (genreItemStart[g] as number);
  const genreItems = new Int32Array(genreCodes.length);
  const fill = genreItemStart.slice(0, genreNames.length);
  for (let i = 0; i < itemIds.length; i++)
    for (let k = genreStart[i] as number; k < (genreStart[i + 1] as number); k++) {
      const code = genreCodes[k] as number;
      const at = fill[code] as number;
      genreItems[at] = i;
      fill[code] = at + 1;
    }
  return {
    itemIds,
    movies,
    described,
    genreNames,
    genreStart,
    genreCodes,
    genreItemStart,
    genreItems,
    indexOf: (movieId) => index.get(movieId),
  };
}
