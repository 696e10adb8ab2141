/**
 * The worker's catalogue refresh: the active version's movie metadata republished when Postgres
 * knows more of its titles, or of titles new since it was trained that the live global board ranks.
 * Serving appends those new titles as untrained items (src/serving/serving-model.ts), so they can
 * reach lists through their live popularity before the next retrain learns them.
 */
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { loadModelVersion, readActiveVersion, refreshModelMovies } from '../store/model-store.ts';
import { defaultAgePolicy, mayWatch } from '../guardrails/age-policy.ts';
import { GLOBAL_COHORT, readPopular, writeSafeList } from '../store/popular-lists.ts';
import { readCatalogue } from '../store/postgres/reference-data.ts';
import type { RedisKeys } from '../store/redis-keys.ts';

/**
 * How far down the live global board the refresh looks for new titles: a title below it would not
 * reach a list by popularity anyway.
 */
export const NEW_TITLES_SCAN = 1_000;

/** What a refresh republished: the model's titles described, and described titles new since training. */
export interface CatalogueRefresh {
  readonly version: string;
  readonly described: number;
  readonly trained: number;
  readonly added: number;
}

/**
 * Republishes the active version's metadata when the described titles — its own, and new ones
 * from the top of the global board — differ from those published; null when nothing changed (or no
 * version is active). Only described titles are added: the age guard needs a title's certification.
 */
export async function refreshCatalogue(
  redis: Redis,
  keys: RedisKeys,
  pool: pg.Pool,
): Promise<CatalogueRefresh | null> {
  const active = await readActiveVersion(redis, keys);
  const published = active === null ? null : await loadModelVersion(redis, keys, active);
  if (active === null || published === null) return null;
  const trained = published.artifact.itemIds;
  const inModel = new Set(trained);
  const popular = await readPopular(redis, keys, GLOBAL_COHORT, NEW_TITLES_SCAN);
  const ids = [...trained, ...popular.filter((id) => !inModel.has(id))];
  const known = await readCatalogue(pool, ids);
  // Republished when the set of described titles changed, not only when it grew: a title that fell
  // off the top of the board makes room for one that rose, at the same count.
  const before = new Set(published.movies.map((m) => m.movieId));
  if (known.length === before.size && known.every((m) => before.has(m.movieId))) return null;
  // The model's titles in its order, then the new ones by live popularity: serving appends the new
  // ones in this order, so every process builds the same item indices.
  const order = new Map(ids.map((id, k) => [id, k]));
  known.sort((a, b) => (order.get(a.movieId) as number) - (order.get(b.movieId) as number));
  const added = known.filter((m) => !inModel.has(m.movieId)).length;
  await refreshModelMovies(redis, keys, active, known);
  return { version: active, described: known.length - added, trained: trained.length, added };
}

/** Titles in the safe list: more than any list asks for, so one the user has seen can be skipped. */
export const SAFE_LIST_SIZE = 100;

/**
 * Writes the live global board's most popular titles that every age may see (described, not adult,
 * certified for the youngest class or uncertified) to the safe list, the API's answer while it has
 * no model: from the first rated titles on, no user gets an empty list. Returns how many it wrote
 * (0: nothing described yet, and the stored list is left as it was).
 */
export async function refreshSafeList(redis: Redis, keys: RedisKeys, pool: pg.Pool): Promise<number> {
  const popular = await readPopular(redis, keys, GLOBAL_COHORT, NEW_TITLES_SCAN);
  const described = new Map((await readCatalogue(pool, popular)).map((m) => [m.movieId, m]));
  const safe = popular
    .filter((id) => {
      const movie = described.get(id);
      return movie !== undefined && mayWatch(defaultAgePolicy, null, movie);
    })
    .slice(0, SAFE_LIST_SIZE);
  if (safe.length > 0) await writeSafeList(redis, keys, safe);
  return safe.length;
}
