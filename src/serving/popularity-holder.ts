import type { Redis } from 'ioredis';
import type { CatalogueIndex } from '../data/catalogue-index.ts';
import { withLiveHead } from '../guardrails/debias.ts';
import { BLEND_DEFAULTS, preparePopularity, type PreparedTerm } from '../model/ranking/blend.ts';
import { countFromBoard } from '../model/ranking/popularity.ts';
import { GLOBAL_COHORT } from '../store/popular-lists.ts';
import type { RedisKeys } from '../store/redis-keys.ts';
import type { ModelHolder } from './model-holder.ts';
import type { ServingModel } from './serving-model.ts';

/**
 * Live decayed popularity for the ranking blend, read from the stream's boards off the request
 * path: global every refresh, a cohort's once a request asks for it (and on every refresh while
 * requests keep asking). A request reads only what the last refresh prepared, never Redis.
 */
export interface PopularityHolder {
  /** Global popularity aligned to `serving`'s items; null until a refresh has read it for this version. */
  global(serving: ServingModel): PreparedTerm | null;
  /**
   * The popularity cap's head for `serving`: its training head plus the untrained titles the live
   * global board ranks there (`withLiveHead`); the training head until a refresh read the board.
   */
  headMask(serving: ServingModel): Uint8Array;
  /** A cohort's (null for the global cohort); null until read, and the first ask starts the read. */
  cohort(serving: ServingModel, cohort: string): PreparedTerm | null;
  /** Reads the boards now (global and the cohorts asked for within the TTL) and prepares them. */
  refresh(): Promise<void>;
  /** Refreshes now and then every `refreshMs`. */
  start(): void;
  stop(): Promise<void>;
}

/** Options of {@link createPopularityHolder}. */
export interface PopularityHolderOptions {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  /** Every version served (the active one and the arms of a running experiment) gets its own terms. */
  readonly models: Pick<ModelHolder, 'current'> & Partial<Pick<ModelHolder, 'held'>>;
  /** Half-life the boards were written with, ms (default the blend's: BLEND_DEFAULTS.halfLifeDays). */
  readonly halfLifeMs?: number;
  /** Between refreshes, ms (default 5,000). */
  readonly refreshMs?: number;
  /** A cohort nobody asked for this long is dropped, ms (default 60,000). */
  readonly cohortTtlMs?: number;
  readonly now?: () => number;
  /** Hears a failed read; the terms already held stay in use. */
  readonly onError?: (error: unknown) => void;
}

const DAY_MS = 86_400_000;
/** At most one read started by a request (a model swap, a new cohort) per this many ms. */
const KICK_MS = 1_000;

/**
 * A board as ZRANGE … WITHSCORES returns it (member, score, member, score, …) turned into decayed
 * counts as of `nowMs` per item index of `catalogue` (0 for movies not on the board; members the
 * catalogue does not know are skipped).
 */
export function boardCounts(
  catalogue: Pick<CatalogueIndex, 'indexOf'>,
  nItems: number,
  board: readonly string[],
  nowMs: number,
  halfLifeMs: number,
): Float32Array {
  const counts = new Float32Array(nItems);
  for (let k = 0; k + 1 < board.length; k += 2) {
    const i = catalogue.indexOf(board[k] as string);
    const score = Number(board[k + 1]);
    if (i !== undefined && i < nItems && score > 0) counts[i] = countFromBoard(score, nowMs, halfLifeMs);
  }
  return counts;
}

interface Board {
  /** Per model version held, the board aligned to that version's items (empty: never read). */
  terms: Map<string, PreparedTerm | null>;
  /** The global board only: per version, the cap's head with the live board's untrained titles. */
  heads: Map<string, Uint8Array>;
  askedAt: number;
}

/** A holder over the boards `keys.popularFor(cohort)` the stream keeps (movie actors: ratings within the cap; user actors: started views). */
export function createPopularityHolder(options: PopularityHolderOptions): PopularityHolder {
  const { redis, keys, models } = options;
  const halfLifeMs = options.halfLifeMs ?? BLEND_DEFAULTS.halfLifeDays * DAY_MS;
  const refreshMs = options.refreshMs ?? 5_000;
  const ttlMs = options.cohortTtlMs ?? 60_000;
  const now = options.now ?? Date.now;
  const boards = new Map<string, Board>([
    [GLOBAL_COHORT, { terms: new Map(), heads: new Map(), askedAt: Infinity }],
  ]);
  let running: Promise<void> | null = null;
  let queued: Promise<void> | null = null;
  let kickedAt = -Infinity;
  let timer: ReturnType<typeof setInterval> | undefined;

  async function read(): Promise<void> {
    const active = models.current();
    if (active === undefined) return;
    const servings = models.held?.() ?? [active];
    const t = now();
    for (const [cohort, board] of boards) if (t - board.askedAt > ttlMs) boards.delete(cohort);
    const names = [...boards.keys()];
    const pipeline = redis.pipeline();
    for (const cohort of names) pipeline.zrange(keys.popularFor(cohort), 0, -1, 'WITHSCORES');
    const replies = await pipeline.exec();
    if (replies === null) throw new Error('Redis pipeline was discarded');
    const at = now();
    names.forEach((cohort, k) => {
      const [error, flat] = replies[k] ?? [new Error('no reply'), null];
      const board = boards.get(cohort);
      if (board === undefined) return;
      if (error !== null) {
        options.onError?.(error);
        return;
      }
      const terms = new Map<string, PreparedTerm | null>();
      const heads = new Map<string, Uint8Array>();
      for (const serving of servings) {
        const counts = boardCounts(serving.catalogue, serving.model.nItems, flat as string[], at, halfLifeMs);
        terms.set(serving.version, preparePopularity(counts));
        if (cohort === GLOBAL_COHORT)
          heads.set(
            serving.version,
            withLiveHead(serving.headMask, counts, (i) => serving.model.knowsItem(i)),
          );
      }
      board.terms = terms;
      board.heads = heads;
    });
  }

  /** A read that starts after the call: one in flight is awaited first (at most one more queued). */
  function refresh(): Promise<void> {
    if (running !== null) {
      queued ??= running.then(() => {
        queued = null;
        return refresh();
      });
      return queued;
    }
    running = read()
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => (running = null));
    return running;
  }

  /** A request found nothing for its version or cohort: read soon, at most once per KICK_MS. */
  function kick(): void {
    const t = now();
    if (running !== null || t - kickedAt < KICK_MS) return;
    kickedAt = t;
    void refresh();
  }

  function termOf(board: Board, serving: ServingModel): PreparedTerm | null {
    const term = board.terms.get(serving.version);
    if (term !== undefined || board.terms.has(serving.version)) return term ?? null;
    kick();
    return null;
  }

  return {
    global: (serving) => termOf(boards.get(GLOBAL_COHORT) as Board, serving),
    headMask: (serving) =>
      (boards.get(GLOBAL_COHORT) as Board).heads.get(serving.version) ?? serving.headMask,
    cohort(serving, cohort) {
      if (cohort === GLOBAL_COHORT) return null;
      let board = boards.get(cohort);
      if (board === undefined)
        boards.set(cohort, (board = { terms: new Map(), heads: new Map(), askedAt: now() }));
      else board.askedAt = now();
      return termOf(board, serving);
    },
    refresh,
    start() {
      void refresh();
      timer ??= setInterval(() => void refresh(), refreshMs);
      timer.unref();
    },
    async stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      await queued;
      await running;
    },
  };
}
