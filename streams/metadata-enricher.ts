import type pg from 'pg';
import type { MetadataSource } from '../src/data/metadata-source.ts';
import { sleep } from '../src/lib/time.ts';
import {
  idsWithoutMetadata,
  storedIds,
  upsertMovies,
  upsertUsers,
} from '../src/store/postgres/reference-data.ts';

/** Counters of the enricher's work, for logs and metrics. */
export interface EnricherStats {
  stored: number;
  notFound: number;
  /** Ids given up on after every attempt failed (the next backfill offers them again). */
  failed: number;
  /** Ids not queued because the queue was full (the next backfill offers them again). */
  overflowed: number;
  /** Ids waiting (not yet checked or fetched). */
  pending: number;
}

/** Fills Postgres `users`/`movies` for every id the stream sees, without ever holding the stream back. */
export interface MetadataEnricher {
  /** Queues ids for enrichment; returns at once. Ids already known are ignored. */
  notice(userIds: Iterable<string>, movieIds: Iterable<string>): void;
  /** Offers every id the durable log has but the reference tables lack (also runs periodically). */
  backfill(): Promise<void>;
  /** Resolves when every noticed id has been stored, found missing, or given up on. */
  drain(): Promise<void>;
  stats(): EnricherStats;
  close(): Promise<void>;
}

/** Options; `source` answers lookups, `sourceName` is recorded with every row. */
export interface EnricherOptions {
  readonly pool: pg.Pool;
  readonly source: MetadataSource;
  readonly sourceName: string;
  /** Lookups in flight at once (the course's services are rate-limited). */
  readonly concurrency?: number;
  /** Ids queued at most; past it, new ids wait for the next backfill. */
  readonly maxPending?: number;
  /** Attempts per id before giving up until the next backfill (the source client retries within each). */
  readonly attempts?: number;
  /**
   * Hears each user whose demographics were looked up and stored (ingest turns them into profile
   * events, so the user's actor — and through it serving — learns them).
   */
  readonly onUser?: (user: { userId: string; age: number | null; gender: string | null }) => void;
  /** Milliseconds between backfills; 0 disables the periodic one. */
  readonly backfillEveryMs?: number;
  readonly log?: (line: string) => void;
}

type Kind = 'user' | 'movie';
type Item = { kind: Kind; id: string; attempt: number };
type Outcome = 'stored' | 'not-found' | { reason: string };

/**
 * Ids are first checked against Postgres in batches (most are known after a restart), then looked up
 * with bounded concurrency. A failed lookup is retried in a later round, so one slow id does not hold
 * up the rest; after `attempts` it is given up until the next backfill, which finds every id the log
 * mentions without metadata — so crashes, overflow and outages delay enrichment but never lose it.
 * The stream only ever calls `notice`, which does no I/O.
 */
export function createMetadataEnricher(options: EnricherOptions): MetadataEnricher {
  const concurrency = options.concurrency ?? 8;
  const maxPending = options.maxPending ?? 50_000;
  const attempts = options.attempts ?? 3;
  const known = { user: new Set<string>(), movie: new Set<string>() };
  const queued = new Set<string>();
  let queue: Item[] = [];
  const stats = { stored: 0, notFound: 0, failed: 0, overflowed: 0 };
  let pumping: Promise<void> | undefined;
  let closed = false;
  const tag = (kind: Kind, id: string) => `${kind}\u0000${id}`;
  const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

  const enqueue = (kind: Kind, id: string) => {
    if (known[kind].has(id) || queued.has(tag(kind, id))) return;
    if (queued.size >= maxPending) {
      stats.overflowed += 1;
      return;
    }
    queued.add(tag(kind, id));
    queue.push({ kind, id, attempt: 0 });
  };
  const settle = (item: Item, outcome: 'stored' | 'not-found') => {
    stats[outcome === 'stored' ? 'stored' : 'notFound'] += 1;
    queued.delete(tag(item.kind, item.id));
    known[item.kind].add(item.id);
  };
  /** Schedules another attempt, or gives up on the id until the next backfill. */
  const retryOrGiveUp = (item: Item, reason: string, retry: Item[]) => {
    if (item.attempt + 1 < attempts) retry.push({ ...item, attempt: item.attempt + 1 });
    else {
      stats.failed += 1;
      queued.delete(tag(item.kind, item.id));
      options.log?.(`metadata: giving up on ${item.kind} ${item.id} for now: ${reason}`);
    }
  };

  /** Looks one id up and stores it under the id the stream uses (the source may spell it otherwise). */
  const fetchAndStore = async (item: Item): Promise<Outcome> => {
    if (item.kind === 'user') {
      const result = await options.source.user(item.id);
      if (result.status !== 'found')
        return result.status === 'not-found' ? 'not-found' : { reason: result.reason };
      await upsertUsers(options.pool, [{ ...result.value, userId: item.id }], options.sourceName);
      options.onUser?.({ userId: item.id, age: result.value.age, gender: result.value.gender });
      return 'stored';
    }
    const result = await options.source.movie(item.id);
    if (result.status !== 'found')
      return result.status === 'not-found' ? 'not-found' : { reason: result.reason };
    await upsertMovies(options.pool, [{ ...result.value, movieId: item.id }], options.sourceName);
    return 'stored';
  };

  const round = async (items: Item[]): Promise<Item[]> => {
    const retry: Item[] = [];
    try {
      for (const kind of ['user', 'movie'] as const) {
        const ids = items.filter((i) => i.kind === kind).map((i) => i.id);
        const stored = await storedIds(options.pool, kind === 'user' ? 'users' : 'movies', ids);
        for (const item of items) if (item.kind === kind && stored.has(item.id)) settle(item, 'stored');
      }
    } catch (error) {
      for (const item of items) retryOrGiveUp(item, message(error), retry);
      return retry;
    }
    const todo = items.filter((i) => !known[i.kind].has(i.id));
    for (let k = 0; k < todo.length; k += concurrency) {
      await Promise.all(
        todo.slice(k, k + concurrency).map(async (item) => {
          const outcome = await fetchAndStore(item).catch((error: unknown): Outcome => ({
            reason: message(error),
          }));
          if (typeof outcome === 'object') retryOrGiveUp(item, outcome.reason, retry);
          else settle(item, outcome);
        }),
      );
    }
    return retry;
  };

  const pump = async () => {
    while (queue.length > 0 && !closed) {
      const retry = await round(queue.splice(0, 1000));
      queue = [...queue, ...retry];
      // Only retries left: wait a little rather than hammer a failing source or database.
      if (retry.length > 0 && queue.length === retry.length) await sleep(250 * attempts);
    }
    pumping = undefined;
  };
  const kick = () => {
    if (pumping === undefined && queue.length > 0 && !closed) pumping = pump();
  };
  const notice = (userIds: Iterable<string>, movieIds: Iterable<string>) => {
    for (const id of userIds) enqueue('user', id);
    for (const id of movieIds) enqueue('movie', id);
    kick();
  };
  const backfill = async () => {
    const missing = await idsWithoutMetadata(options.pool, maxPending);
    notice(missing.users, missing.movies);
  };
  const timer =
    (options.backfillEveryMs ?? 300_000) > 0
      ? setInterval(
          () => void backfill().catch((e: unknown) => options.log?.(`metadata backfill: ${message(e)}`)),
          options.backfillEveryMs ?? 300_000,
        )
      : undefined;
  timer?.unref();

  return {
    notice,
    backfill,
    async drain() {
      while (pumping !== undefined) await pumping;
    },
    stats: () => ({ ...stats, pending: queued.size }),
    async close() {
      closed = true;
      clearInterval(timer);
      await pumping;
    },
  };
}
