/**
 * The world of the attack simulations (bench/sim-extraction.ts, bench/sim-poisoning.ts): a rating log
 * over dense indices of fixed users and movies, built from a dataset and split per user into training
 * and held-out items; the attacks append their ratings to it.
 */
import type { CatalogueMovie } from '../../../src/data/catalogue-index.ts';
import type { Dataset } from '../../../src/data/dataset.ts';
import type { RatingColumns } from '../../../src/jobs/retrain/training-set.ts';

/** A rating log over dense indices of a fixed universe of users and movies (times in epoch ms, sorted). */
export interface RatingLog extends RatingColumns {
  readonly movies: readonly CatalogueMovie[];
}

/** One rating to add to a log. */
export interface LoggedRating {
  readonly user: number;
  readonly item: number;
  readonly rating: number;
  readonly at: number;
}

/** The dataset's ratings split: each user's last `heldOut` ratings by time are the test set. */
export interface SplitWorld {
  readonly train: RatingLog;
  /** Held-out items per user index (empty for users with `heldOut` or fewer ratings). */
  readonly test: readonly (readonly number[])[];
  /** The time of the latest training rating (epoch ms). */
  readonly end: number;
}

/** Builds the universe (dataset users, `extraUsers` more ids, every movie) and the per-user split. */
export function splitWorld(
  dataset: Dataset,
  heldOut: number,
  extraUsers: readonly string[] = [],
): SplitWorld {
  const userIndex = new Map<string, number>();
  const itemIndex = new Map<string, number>();
  const index = (m: Map<string, number>, id: string) => m.get(id) ?? (m.set(id, m.size), m.size - 1);
  const rows = [...dataset.ratings].sort((a, b) => a.timestamp - b.timestamp);
  for (const r of rows) index(userIndex, r.userId);
  for (const id of extraUsers) index(userIndex, id);
  for (const m of dataset.movies) index(itemIndex, m.movieId);
  const perUser = new Map<number, number>();
  for (const r of rows)
    perUser.set(userIndex.get(r.userId) as number, (perUser.get(userIndex.get(r.userId) as number) ?? 0) + 1);
  const fromEnd = new Map<number, number>();
  const test: number[][] = Array.from({ length: userIndex.size }, () => []);
  const keep: boolean[] = new Array<boolean>(rows.length).fill(true);
  for (let k = rows.length - 1; k >= 0; k--) {
    const r = rows[k]!;
    const u = userIndex.get(r.userId) as number;
    const seen = fromEnd.get(u) ?? 0;
    if ((perUser.get(u) ?? 0) > heldOut && seen < heldOut) {
      test[u]!.push(itemIndex.get(r.movieId) as number);
      fromEnd.set(u, seen + 1);
      keep[k] = false;
    }
  }
  const kept = rows.filter((_, k) => keep[k]);
  const train: RatingLog = {
    users: Int32Array.from(kept, (r) => userIndex.get(r.userId) as number),
    items: Int32Array.from(kept, (r) => itemIndex.get(r.movieId) as number),
    ratings: Float32Array.from(kept, (r) => r.rating),
    times: Float64Array.from(kept, (r) => r.timestamp * 1000),
    userIds: [...userIndex.keys()],
    itemIds: [...itemIndex.keys()],
    movies: dataset.movies.map(({ movieId, title, genres, certification, adult }) => ({
      movieId,
      title,
      genres,
      certification,
      adult,
    })),
  };
  return { train, test, end: kept.length === 0 ? 0 : kept[kept.length - 1]!.timestamp * 1000 };
}

/** The log with `extra` ratings appended (they must not be earlier than the log's last). */
export function appendRatings(log: RatingLog, extra: readonly LoggedRating[]): RatingLog {
  const cat = <T extends Int32Array | Float32Array | Float64Array>(
    a: T,
    b: ArrayLike<number>,
    make: (n: number) => T,
  ): T => {
    const out = make(a.length + b.length);
    out.set(a);
    out.set(b, a.length);
    return out;
  };
  return {
    ...log,
    users: cat(
      log.users,
      extra.map((r) => r.user),
      (n) => new Int32Array(n),
    ),
    items: cat(
      log.items,
      extra.map((r) => r.item),
      (n) => new Int32Array(n),
    ),
    ratings: cat(
      log.ratings,
      extra.map((r) => r.rating),
      (n) => new Float32Array(n),
    ),
    times: cat(
      log.times,
      extra.map((r) => r.at),
      (n) => new Float64Array(n),
    ),
  };
}
