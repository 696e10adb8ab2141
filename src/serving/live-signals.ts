/**
 * The feedback-loop signals, live (docs/fairness.md): read from the Redis boards off the request
 * path — every second while someone watches `/live`, every few seconds otherwise — and held as one
 * snapshot that `/metrics`, the `/live` page and the head-cap controller read without touching Redis.
 */
import type { Redis } from 'ioredis';
import {
  averageRecommendedPopularity,
  coverage,
  gini,
  headExposureShare,
  maskedExposureShare,
  ratingSkew,
  type RatingSkew,
  type StarCounts,
} from '../model/eval/feedback-metrics.ts';
import type { RedisKeys } from '../store/redis-keys.ts';
import type { ModelHolder } from './model-holder.ts';
import { servedHourBoard } from './served-log/served-sinks.ts';

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
  /** Exposures (title slots served) of catalogue titles in the window. */
  readonly exposures: number;
  /** Share of the catalogue served in the window. */
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
  /** Hourly served boards in the window (default 24: the current hour and the 23 before it). */
  readonly windowHours?: number;
  /** Between readings while someone listens, ms (default 1,000), and otherwise (default 5,000). */
  readonly fastMs?: number;
  readonly idleMs?: number;
  /** Titles per board on the page (default 10). */
  readonly top?: number;
  readonly now?: () => number;
  readonly onError?: (error: unknown) => void;
}

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
  const windowHours = options.windowHours ?? 24;
  const fastMs = options.fastMs ?? 1_000;
  const idleMs = options.idleMs ?? 5_000;
  const top = options.top ?? 10;
  const now = options.now ?? Date.now;
  const listeners = new Set<(snapshot: LiveSnapshot) => void>();
  let snapshot: LiveSnapshot | null = null;
  let running: Promise<LiveSnapshot | null> | null = null;
  let timer: ReturnType<typeof setInterval> | undefined;
  let lastRead = -Infinity;

  async function read(): Promise<LiveSnapshot | null> {
    const serving = models.current();
    if (serving === undefined) return null;
    const t = now();
    const hour = Math.floor(t / 3_600_000);
    const hours = Array.from({ length: windowHours }, (_, k) =>
      keys.leaderboard(servedHourBoard((hour - k) * 3_600_000)),
    );
    const day = utcDay(t);
    const pipeline = redis.pipeline();
    pipeline.zunion(hours.length, ...hours, 'WITHSCORES');
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
    const { catalogue, model } = serving;
    const n = model.nItems;
    const counts = new Float64Array(n);
    const union = reply<string[]>(0);
    const served: BoardEntry[] = [];
    let exposures = 0;
    for (let k = 0; k + 1 < union.length; k += 2) {
      const id = union[k] as string;
      const c = Number(union[k + 1]);
      const i = catalogue.indexOf(id);
      if (i !== undefined && i < n) {
        counts[i] = c;
        exposures += c;
      }
      served.push({
        movieId: id,
        title: i === undefined ? null : (catalogue.movies[i]?.title ?? null),
        count: c,
      });
    }
    served.sort((a, b) => b.count - a.count || (a.movieId < b.movieId ? -1 : 1));
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
    const servedStars = stars(reply(1));
    const organicStars = stars(reply(2));
    const audit = reply<Record<string, string>>(5);
    return {
      at: t,
      modelVersion: serving.version,
      catalogue: n,
      windowHours,
      exposures,
      coverage: coverage(counts, n),
      gini: gini(counts),
      headShare: headExposureShare(counts, n),
      capHeadShare: maskedExposureShare(counts, serving.headMask),
      avgPopularity: averageRecommendedPopularity(counts, model.data.itemCounts),
      ratingSkew: ratingSkew(servedStars, organicStars),
      ratings: { served: servedStars, organic: organicStars },
      topServed: served.slice(0, top),
      topWatched: entries(reply(3)),
      topRated: entries(reply(4)),
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
