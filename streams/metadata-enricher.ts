import type pg from 'pg';
import { sleep } from '../src/services/tcp-probe.ts';
import type { MetadataSource } from '../src/data/metadata-source.ts';
import { storedIds, upsertMovies, upsertUsers } from '../src/store/postgres/reference-data.ts';

/** Counters of the enricher's work, for logs and metrics. */
export interface EnricherStats {
  stored: number;
  notFound: number;
  failed: number;
  /** Ids waiting (not yet checked or fetched). */
  pending: number;
}

/** Fills Postgres `users`/`movies` for every id the stream sees, without ever holding the stream back. */
export interface MetadataEnricher {
  /** Queues ids for enrichment; returns at once. Ids already known are ignored. */
  notice(userIds: Iterable<string>, movieIds: Iterable<string>): void;
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
  /** Ids queued at most; past it, new ids are dropped and noticed again when they recur. */
  readonly maxPending?: number;
  /** Attempts per id before giving up (the source client retries within each attempt too). */
  readonly attempts?: number;
  readonly log?: (line: string) => void;
}

type Kind = 'user' | 'movie';
type Item = { kind: Kind; id: string; attempt: number };

/**
 * Ids are first checked against Postgres in batches (most are known after a restart), then looked up
 * one by one with bounded concurrency. A failed lookup is retried later, in a later round, so one slow
 * id does not hold up the rest; the stream only ever calls `notice`, which does no I/O.
 */
export function createMetadataEnricher(options: EnricherOptions): MetadataEnricher {
  const concurrency = options.concurrency ?? 8;
  const maxPending = options.maxPending ?? 50_000;
  const attempts = options.attempts ?? 3;
  const known = { user: new Set<string>(), movie: new Set<string>() };
  const queued = new Set<string>();
  let queue: Item[] = [];
  const stats = { stored: 0, notFound: 0, failed: 0 };
  let pumping: Promise<void> | undefined;
  let closed = false;

  const enqueue = (kind: Kind, id: string, attempt = 0) => {
    const tag = `${kind}\u0000${id}`;
    if (known[kind].has(id) || queued.has(tag) || queued.size >= maxPending) return;
    queued.add(tag);
    queue.push({ kind, id, attempt });
  };
  const settle = (item: Item) => {
    queued.delete(`${item.kind}\u0000${item.id}`);
    known[item.kind].add(item.id);
  };

  /** Looks one id up and stores it; returns the outcome, or the failure's reason. */
  const fetchAndStore = async (item: Item): Promise<'stored' | 'not-found' | { reason: string }> => {
    if (item.kind === 'user') {
      const result = await options.source.user(item.id);
      if (result.status !== 'found')
        return result.status === 'not-found' ? 'not-found' : { reason: result.reason };
      await upsertUsers(options.pool, [result.value], options.sourceName);
      return 'stored';
    }
    const result = await options.source.movie(item.id);
    if (result.status !== 'found')
      return result.status === 'not-found' ? 'not-found' : { reason: result.reason };
    await upsertMovies(options.pool, [result.value], options.sourceName);
    return 'stored';
  };

  const lookup = async (item: Item, retry: Item[]) => {
    const outcome = await fetchAndStore(item);
    if (outcome === 'stored' || outcome === 'not-found') {
      stats[outcome === 'stored' ? 'stored' : 'notFound'] += 1;
      settle(item);
    } else if (item.attempt + 1 < attempts) retry.push({ ...item, attempt: item.attempt + 1 });
    else {
      stats.failed += 1;
      options.log?.(`metadata: giving up on ${item.kind} ${item.id}: ${outcome.reason}`);
      queued.delete(`${item.kind}\u0000${item.id}`);
    }
  };

  const round = async (items: Item[]): Promise<Item[]> => {
    for (const kind of ['user', 'movie'] as const) {
      const ids = items.filter((i) => i.kind === kind && i.attempt === 0).map((i) => i.id);
      const stored = await storedIds(options.pool, kind === 'user' ? 'users' : 'movies', ids);
      for (const id of stored) settle({ kind, id, attempt: 0 });
    }
    const todo = items.filter((i) => !known[i.kind].has(i.id));
    const retry: Item[] = [];
    for (let k = 0; k < todo.length; k += concurrency) {
      await Promise.all(
        todo.slice(k, k + concurrency).map((item) =>
          lookup(item, retry).catch((e: unknown) => {
            options.log?.(`metadata: ${item.kind} ${item.id}: ${e instanceof Error ? e.message : String(e)}`);
            retry.push({ ...item, attempt: item.attempt + 1 });
          }),
        ),
      );
    }
    return retry.filter((item) => item.attempt < attempts);
  };

  const pump = async () => {
    while (queue.length > 0 && !closed) {
      const items = queue.splice(0, 1000);
      const retry = await round(items).catch((e: unknown) => {
        options.log?.(`metadata: ${e instanceof Error ? e.message : String(e)}; retrying`);
        return items
          .map((item) => ({ ...item, attempt: item.attempt + 1 }))
          .filter((item) => item.attempt < attempts);
      });
      queue = [...queue, ...retry];
      // Only retries left: wait a little rather than hammer a failing source or database.
      if (retry.length > 0 && queue.length === retry.length) await sleep(250 * attempts);
    }
    pumping = undefined;
  };
  const kick = () => {
    if (pumping === undefined && queue.length > 0 && !closed) pumping = pump();
  };

  return {
    notice(userIds, movieIds) {
      for (const id of userIds) enqueue('user', id);
      for (const id of movieIds) enqueue('movie', id);
      kick();
    },
    async drain() {
      while (pumping !== undefined) await pumping;
    },
    stats: () => ({ ...stats, pending: queued.size }),
    async close() {
      closed = true;
      await pumping;
    },
  };
}
