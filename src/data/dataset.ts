/**
 * The in-memory shape every data source produces: MovieLens loaders, the synthetic world, and (later)
 * the course services. Ids are strings everywhere; movie ids are course-style (`toy+story+1995`) so a
 * dataset, a replayed movielog stream and the course's own stream all speak the same ids.
 */

/** MPAA-style certification; `null` where the source has none (MovieLens, the course services). */
export type Certification = 'G' | 'PG' | 'PG-13' | 'R' | 'NC-17';

/** Every certification, mildest first; the order guardrails compare against. */
export const CERTIFICATIONS: readonly Certification[] = ['G', 'PG', 'PG-13', 'R', 'NC-17'];

/** One explicit rating. MovieLens latest has half stars (0.5..5); 100K, 1M and the course use 1..5. */
export interface RatingRecord {
  userId: string;
  movieId: string;
  rating: number;
  /** Seconds since the epoch (UTC). */
  timestamp: number;
}

/** One watched minute of a movie, as the course's `GET /data/m/<id>/<minute>.mpg` line records it. */
export interface WatchRecord {
  userId: string;
  movieId: string;
  /** Minute of the movie being watched (0-based, as the course logs it). */
  minute: number;
  /** Seconds since the epoch (UTC). */
  timestamp: number;
}

/** One movie. */
export interface MovieRecord {
  /** Course-style id, unique within the dataset (see course-movie-id.ts). */
  movieId: string;
  title: string;
  genres: string[];
  year: number | null;
  certification: Certification | null;
  adult: boolean;
  /** The source's own id (MovieLens numeric id as a string), when there is one. */
  sourceId?: string;
}

/** One user; demographics are `null` where the source has none (MovieLens latest). */
export interface UserRecord {
  userId: string;
  age: number | null;
  gender: 'M' | 'F' | null;
  /** An occupation in the MovieLens 1M vocabulary (e.g. "college/grad student"). */
  occupation: string | null;
}

/** A whole dataset, loaded or generated. */
export interface Dataset {
  /** `ml-latest-small`, `ml-100k`, `ml-1m`, `synthetic`, or the directory's base name. */
  name: string;
  users: UserRecord[];
  movies: MovieRecord[];
  ratings: RatingRecord[];
  watches: WatchRecord[];
  /** Rows skipped as malformed, by source file name (only files with skips appear); absent when none. */
  skipped?: Record<string, number>;
}
