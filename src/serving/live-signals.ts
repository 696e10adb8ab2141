/**
 * The feedback-loop signals, live (docs/fairness.md): read from the Redis boards off the request
 * path — every second while someone watches `/live`, every few seconds otherwise — and held as one
 * snapshot that `/metrics`, the `/live` page and the head-cap controller read without touching Redis.
 */
import type { Redis } from 'ioredis';
import {
  averageRecommendedPopularity,
  gini,
  maskedExposureShare,
  ratingSkew,
  type RatingSkew,
  type StarCounts,
} from '../model/eval/feedback-metrics.ts';
import type { RedisKeys } from '../store/redis-keys.ts';
import type { ModelHolder } from './model-holder.ts';
import type { ServingModel } from './serving-model.ts';
import {
  rollServedWindow,
  servedWindowTotalKeys,
  sumTotals,
  WINDOW_HOURS,
} from './served-log/served-window.ts';

/** A title on one of the page's boards. */
export interface BoardEntry {
  readonly movieId: string;
  readonly title: string | null;
  readonly count: number;
}

/** The live audit's running counts (the worker's, src/jobs/audit/live-audit.ts), if it runs. */
export interface LiveViolations {
  readonly lists: number;
  readonly violations: number;
  readonly ageViolations: number;
  readonly genreViolations: number;
}

/** One reading of every live signal. */
export interface LiveSnapshot {
  /** Epoch ms of the reading. */
  readonly at: number;
  readonly modelVersion: string;
  /** Titles the active model can serve: the catalogue coverage is a share of. */
  readonly catalogue: number;
  /** Hours the window spans (the current one included). */
  readonly windowHours: number;
  /** When the window board was last read whole (Gini, popularity and the cap head's share are of then). */
  readonly fullAt: number;
  /** Exposures (title slots served) of catalogue titles in the window. */
  readonly exposures: number;
  /** Share of the catalogue served in the window (titles on the window board over the model's titles). */
  readonly coverage: number;
  /** Gini of exposure over the catalogue in the window. */
  readonly gini: number;
  /** Share of the window's exposure on its most exposed 1 % of titles. */
  readonly headShare: number;
  /** Share of the window's exposure on the popularity cap's head (serving's head mask). */
  readonly capHeadShare: number;
  /** Mean popularity (the model's training-rating count) of a recommended slot in the window. */
  readonly avgPopularity: number;
  readonly ratingSkew: RatingSkew;
  readonly ratings: { readonly served: StarCounts; readonly organic: StarCounts };
  readonly topServed: readonly BoardEntry[];
  readonly topWatched: readonly BoardEntry[];
  readonly topRated: readonly BoardEntry[];
  readonly violations: LiveViolations | null;
}

/** The live signals of one process. */
export interface LiveSignals {
  /** The last reading, or null before the first one (or without a model). */
  current(): LiveSnapshot | null;
  /** Reads now. */
  refresh(): Promise<LiveSnapshot | null>;
  /** Hears every reading; while anyone listens, readings come every `fastMs`. Returns the unsubscribe. */
  subscribe(listener: (snapshot: LiveSnapshot) => void): () => void;
  start(): void;
  stop(): Promise<void>;
}

/** Options of {@link createLiveSignals}. */
export interface LiveSignalsOptions {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly models: Pick<ModelHolder, 'current'>;
  /**
   * Between full reads of the window board (every title's exposure: Gini, popularity, the cap head's
   * share), ms (default 30,000); the fast reads in between take its size, total and head only.
   */
  readonly fullMs?: number;
  /** Between readings while someone listens, ms (default 1,000), and otherwise (default 5,000). */
  readonly fastMs?: number;
  readonly idleMs?: number;
  /** Titles per board on the page (default 10). */
  readonly top?: number;
  readonly now?: () => number;
  readonly onError?: (error: unknown) => void;
}

/** The head whose share of exposure is reported: the most exposed 1 % of the model's titles. */
const HEAD_SHARE = 0.01;

const stars = (hash: Record<string, string> | null): StarCounts => {
  const c = [1, 2, 3, 4, 5].map((k) => Number(hash?.[String(k)] ?? 0) || 0);
  return c as unknown as StarCounts;
};

/** The UTC day (YYYY-MM-DD) of epoch ms `at`, as the movie actors name their day boards. */
export function utcDay(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

/** Reads the boards into snapshots on a timer. */
export function createLiveSignals(options: LiveSignalsOptions): LiveSignals {
  const { redis, keys, models } = options;
  const fullMs = options.fullMs ?? 30_000;
  const fastMs = options.fastMs ?? 1_000;
  const idleMs = options.idleMs ?? 5_000;
  const top = options.top ?? 10;
  const now = options.now ?? Date.now;
  const listeners = new Set<(snapshot: LiveSnapshot) => void>();
  let snapshot: LiveSnapshot | null = null;
  let running: Promise<LiveSnapshot | null> | null = null;
  let timer: ReturnType<typeof setInterval> | undefined;
  let lastRead = -Infinity;

  /** The last full read of the window board, per model version. */
  let full: {
    version: string;
    at: number;
    gini: number;
    capHeadShare: number;
    avgPopularity: number;
  } | null = null;

  /** Reads every title's exposure in the window (every `fullMs`, and when the model changes). */
  async function readFull(serving: ServingModel, t: number): Promise<NonNullable<typeof full>> {
    const flat = await redis.zrange(keys.servedWindow(), 0, -1, 'WITHSCORES');
    const n = serving.model.nItems;
    const counts = new Float64Array(n);
    for (let k = 0; k + 1 < flat.length; k += 2) {
      const i = serving.catalogue.indexOf(flat[k] as string);
      if (i !== undefined && i < n) counts[i] = Number(flat[k + 1]);
    }
    return {
      version: serving.version,
      at: t,
      gini: gini(counts),
      capHeadShare: maskedExposureShare(counts, serving.headMask),
      avgPopularity: averageRecommendedPopularity(counts, serving.model.data.itemCounts),
    };
  }

  async function read(): Promise<LiveSnapshot | null> {
    const serving = models.current();
    if (serving === undefined) return null;
    const t = now();
    await rollServedWindow(redis, keys, t);
    if (full === null || full.version !== serving.version || t - full.at >= fullMs)
      full = await readFull(serving, t);
    const { catalogue, model } = serving;
    const n = model.nItems;
    const headSize = Math.max(1, Math.ceil(HEAD_SHARE * n));
    const day = utcDay(t);
    const window = keys.servedWindow();
    // The totals first: countServed writes the window board before the hour's total, so a snapshot
    // whose exposures include a served list also has that list in its coverage and head. On a cluster
    // too: the window's keys share one slot, so one node's connection keeps both orders.
    const pipeline = redis.pipeline();
    pipeline.mget(...servedWindowTotalKeys(keys, t));
    pipeline.zcard(window);
    pipeline.zrevrange(window, 0, Math.max(headSize, top) - 1, 'WITHSCORES');
    pipeline.hgetall(keys.ratingHistogramOf('served'));
    pipeline.hgetall(keys.ratingHistogramOf('organic'));
    pipeline.zrevrange(keys.leaderboard(`watched:${day}`), 0, top - 1, 'WITHSCORES');
    pipeline.zrevrange(keys.leaderboard(`rated:${day}`), 0, top - 1, 'WITHSCORES');
    pipeline.hgetall(keys.liveAudit());
    const replies = await pipeline.exec();
    if (replies === null) throw new Error('Redis pipeline was discarded');
    const reply = <T>(k: number): T => {
      const [error, value] = replies[k] ?? [new Error('no reply'), null];
      if (error !== null) throw error;
      return value as T;
    };
    const entries = (flat: string[]): BoardEntry[] => {
      const out: BoardEntry[] = [];
      for (let k = 0; k + 1 < flat.length; k += 2) {
        const i = catalogue.indexOf(flat[k] as string);
        out.push({
          movieId: flat[k] as string,
          title: i === undefined ? null : (catalogue.movies[i]?.title ?? null),
          count: Number(flat[k + 1]),
        });
      }
      return out;
    };
    const exposures = sumTotals(reply<(string | null)[]>(0));
    const head = entries(reply(2));
    const headExposure = head.slice(0, headSize).reduce((sum, e) => sum + e.count, 0);
    const servedStars = stars(reply(3));
    const organicStars = stars(reply(4));
    const audit = reply<Record<string, string>>(7);
    return {
      at: t,
      modelVersion: serving.version,
      catalogue: n,
      windowHours: WINDOW_HOURS,
      fullAt: full.at,
      exposures,
      coverage: n === 0 ? 0 : Math.min(1, reply<number>(1) / n),
      gini: full.gini,
      headShare: exposures === 0 ? 0 : Math.min(1, headExposure / exposures),
      capHeadShare: full.capHeadShare,
      avgPopularity: full.avgPopularity,
      ratingSkew: ratingSkew(servedStars, organicStars),
      ratings: { served: servedStars, organic: organicStars },
      topServed: head.slice(0, top),
      topWatched: entries(reply(5)),
      topRated: entries(reply(6)),
      violations:
        audit.lists === undefined
          ? null
          : {
              lists: Number(audit.lists),
              violations: Number(audit.violations ?? 0),
              ageViolations: Number(audit.ageViolations ?? 0),
              genreViolations: Number(audit.genreViolations ?? 0),
            },
    };
  }

  function refresh(): Promise<LiveSnapshot | null> {
    running ??= read()
      .then((s) => {
        lastRead = now();
        if (s !== null) {
          snapshot = s;
          for (const listener of listeners) listener(s);
        }
        return s;
      })
      .catch((error: unknown) => {
        options.onError?.(error);
        return snapshot;
      })
      .finally(() => (running = null));
    return running;
  }

  return {
    current: () => snapshot,
    refresh,
    subscribe(listener) {
      listeners.add(listener);
      if (snapshot !== null) listener(snapshot);
      return () => void listeners.delete(listener);
    },
    start() {
      void refresh();
      timer ??= setInterval(() => {
        if (listeners.size > 0 || now() - lastRead >= idleMs) void refresh();
      }, fastMs);
      timer.unref();
    },
    async stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
