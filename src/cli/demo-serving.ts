import type { Redis } from 'ioredis';
import { signApiToken } from '../api/middleware/jwt-auth/sign.ts';
import type pg from 'pg';
import type { Config } from '../../config/load-config.ts';
import type { RunningRole } from '../../streams/running-role.ts';
import { startApi } from '../api/start-api.ts';
import type { Dataset } from '../data/dataset.ts';
import { datasetMetadataSource } from '../data/metadata-source.ts';
import { waitUntil } from '../lib/time.ts';
import { readStoredUser, readUserFactors } from '../state/user-state.ts';
import type { RedisKeys } from '../store/redis-keys.ts';
import { idsAfter, type ShowcaseUser } from './demo-users.ts';
import { formatTitles, seconds } from './demo-view.ts';
import type { Interrupt } from './interrupt.ts';

/** The JSON route's answer, as far as the demo reads it. */
interface Recommendations {
  readonly modelVersion: string | null;
  readonly source: string;
  readonly withheld: { readonly forbidden: number; readonly seen: number } | null;
  readonly items: readonly { readonly movieId: string; readonly title: string | null }[];
}

/** The running API as the demo calls it over HTTP. */
export interface DemoApi {
  readonly base: string;
  /** `GET /recommend/<id>`, the course route: comma-separated movie ids. */
  recommend(userId: string): Promise<string[]>;
  /** `GET /v1/users/<id>/recommendations`: the same list with titles, its source and what the guard withheld. */
  recommendations(userId: string): Promise<Recommendations>;
  /** `POST /v1/ratings` with a token for `userId`. */
  rate(userId: string, movieId: string, rating: number): Promise<void>;
}

/** What the serving steps need. */
export interface ServingDeps {
  readonly config: Config;
  readonly dataset: Dataset;
  readonly interrupt: Interrupt;
  readonly running: RunningRole[];
  readonly log: (line: string) => void;
  readonly port: number;
}

/**
 * Starts the API in this process. Ages come from the world's users: serving reads them from a
 * metadata source until the stream writes them into users' state (issue 12).
 */
export async function startDemoApi(deps: ServingDeps): Promise<DemoApi> {
  const { config, interrupt } = deps;
  const users = datasetMetadataSource(deps.dataset);
  // Not raced against Ctrl-C: a server that started after the race was lost would never be stopped.
  const api = await startApi(config, {
    port: deps.port,
    log: deps.log,
    demographics: async (id) => {
      const found = await users.user(id);
      return found.status === 'found' ? { age: found.value.age, gender: found.value.gender } : null;
    },
  });
  deps.running.push({ name: 'api', stop: () => api.stop() });
  interrupt.signal.throwIfAborted();
  const base = `http://${config.api.host.includes(':') ? `[${config.api.host}]` : config.api.host}:${api.port}`;
  const { signal } = interrupt;
  /** A 5-minute token for `userId` (the JSON routes answer a user's own token only). */
  const tokenFor = (userId: string) => signApiToken(config, { sub: userId, ttlSec: 300 });
  const get = async (path: string, userId?: string) => {
    const headers = userId === undefined ? undefined : { authorization: `Bearer ${tokenFor(userId)}` };
    const response = await fetch(`${base}${path}`, { signal, ...(headers && { headers }) });
    if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
    return response;
  };
  return {
    base,
    recommend: async (userId) => {
      const text = await (await get(`/recommend/${userId}`)).text();
      return text === '' ? [] : text.split(',');
    },
    recommendations: async (userId) =>
      (await (await get(`/v1/users/${userId}/recommendations`, userId)).json()) as Recommendations,
    rate: async (userId, movieId, rating) => {
      const token = tokenFor(userId);
      const response = await fetch(`${base}/v1/ratings`, {
        method: 'POST',
        signal,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'idempotency-key': `demo-${userId}-${movieId}`.replace(/[^A-Za-z0-9._:-]/g, '_').slice(0, 128),
        },
        body: JSON.stringify({ userId, movieId, rating }),
      });
      if (response.status !== 202)
        throw new Error(`POST /v1/ratings: ${response.status} ${await response.text()}`);
    },
  };
}

/** The first id after the world's users that neither Postgres nor the stream has ever seen. */
export async function unseenUserId(
  dataset: Dataset,
  pool: pg.Pool,
  redis: Redis,
  keys: RedisKeys,
): Promise<string> {
  for (const id of idsAfter(dataset.users)) {
    const rows = await pool.query<{ seen: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM ratings WHERE user_id = $1) OR EXISTS (SELECT 1 FROM watches WHERE user_id = $1)
              OR EXISTS (SELECT 1 FROM users WHERE user_id = $1) AS seen`,
      [id],
    );
    if (rows.rows[0]?.seen === true) continue;
    const [stored, factors] = await Promise.all([
      readStoredUser(redis, keys, id),
      readUserFactors(redis, keys, id),
    ]);
    if (stored === null && factors.vector === null) return id;
  }
  throw new Error('unreachable: idsAfter never ends');
}

/** How one user's list is introduced. */
export interface ListOwner {
  readonly label: 'minor' | 'adult' | 'new';
  readonly userId: string;
  readonly about: string;
}

/** A showcase user as a list owner. */
export function ownerOf(label: 'minor' | 'adult', user: ShowcaseUser): ListOwner {
  return { label, userId: user.userId, about: `${user.age} years old, ${user.ratings} ratings` };
}

/** Titles with their certification, from the world when it knows the movie. */
export function titleLabeller(dataset: Dataset): (movieId: string, title: string | null) => string {
  const movies = new Map(dataset.movies.map((m) => [m.movieId, m]));
  return (movieId, title) => {
    const movie = movies.get(movieId);
    const name = title ?? movie?.title ?? movieId;
    return movie?.certification ? `${name} (${movie.certification})` : name;
  };
}

/**
 * Prints one user's list: the course route's answer (how many ids) and, from the JSON route, where
 * the list came from, what the guard withheld and the first titles. Returns the ids.
 */
export async function showList(
  api: DemoApi,
  owner: ListOwner,
  label: (movieId: string, title: string | null) => string,
  out: (line: string) => void,
): Promise<string[]> {
  const ids = await api.recommend(owner.userId);
  const json = await api.recommendations(owner.userId);
  const withheld = json.withheld === null ? 0 : json.withheld.forbidden;
  const source =
    { personal: 'personal list', cold: 'new-user list', fallback: 'fallback list' }[json.source] ??
    json.source;
  out(
    `    ${owner.label.padEnd(5)}  user ${owner.userId} (${owner.about}): ${ids.length} movies, ${source}` +
      (withheld > 0 ? `, ${withheld} titles withheld for age` : ''),
  );
  out(`           ${formatTitles(json.items.map((i) => label(i.movieId, i.title)))}`);
  return ids;
}

/** The five ratings the new user gives to the first five movies they were shown. */
const STARS = [5, 5, 4, 2, 1] as const;

/**
 * The new user rates the first five movies of their list through POST /v1/ratings (→ user-events →
 * their actor); then `/recommend` is polled until the list changed and leaves all five out, which
 * says the actor applied every rating. Prints the new list and the time from the first rating.
 */
export async function rateAndWatch(
  api: DemoApi,
  userId: string,
  before: readonly string[],
  label: (movieId: string, title: string | null) => string,
  deps: { readonly interrupt: Interrupt; readonly out: (line: string) => void; readonly timeoutMs: number },
): Promise<boolean> {
  const { interrupt, out } = deps;
  const shown = await api.recommendations(userId);
  const rated = shown.items.slice(0, STARS.length).map((item, k) => ({ ...item, stars: STARS[k] as number }));
  const started = performance.now();
  for (const r of rated) await api.rate(userId, r.movieId, r.stars);
  out(`    rated: ${rated.map((r) => `${r.title ?? r.movieId} ${r.stars}★`).join(' · ')}`);
  const ratedIds = new Set(rated.map((r) => r.movieId));
  let after: string[] = [...before];
  const changed = await waitUntil(
    async () => {
      after = await api.recommend(userId);
      return after.join(',') !== before.join(',') && !after.some((id) => ratedIds.has(id));
    },
    deps.timeoutMs,
    50,
    interrupt.signal,
  );
  const took = performance.now() - started;
  if (!changed.ok) {
    out(
      `    the list did not change within ${seconds(deps.timeoutMs)} of the first rating (is the stream behind? see the log)`,
    );
    return false;
  }
  const json = await api.recommendations(userId);
  const kept = after.filter((id) => before.includes(id)).length;
  out(
    `    changed ${seconds(took)} after the first rating: now a ${json.source === 'personal' ? 'personal list from their new vector' : `${json.source} list`}, ` +
      `the rated titles left out, ${kept} of ${after.length} movies still from before`,
  );
  out(`           ${formatTitles(json.items.map((i) => label(i.movieId, i.title)))}`);
  return true;
}
