/**
 * Every Redis key Marquee writes, built here and nowhere else (BullMQ's rule). Keys of one actor
 * share a hash tag (`{u:42}`, `{m:toy+story+1995}`) so a Lua script may touch all of them and Redis
 * Cluster keeps them on one slot. All keys start with the configured prefix (REDIS_KEY_PREFIX).
 */
export interface RedisKeys {
  readonly prefix: string;
  /** Hash of a user actor's scalars (bias, rating count, fold-in state). */
  userState(userId: string): string;
  /** Binary Float32 vector p_u. */
  userFactors(userId: string): string;
  /** Sorted set of movies the user watched or rated (score: last time, ms), bounded by the actor. */
  userHistory(userId: string): string;
  /** The last list served to the user, per A/B arm (hash: arm → JSON). */
  userServed(userId: string): string;
  /** List of the user's latest ratings with their user-events positions, replayed onto a new model version. */
  userRecent(userId: string): string;
  /** Hash of a movie actor's scalars (bias, decayed popularity, rating histogram, counts). */
  movieState(movieId: string): string;
  /** Binary Float32 vector q_i. */
  movieFactors(movieId: string): string;
  /** Set of the users a movie learned from on its current cap day (the rating-poison cap, one slot each). */
  movieDayRaters(movieId: string): string;
  /**
   * Sorted set leaderboard: `popularity`, `watched:<day>`, `rated:<day>`, `capped:<day>` (ratings over
   * the movie's daily cap: the flooded movies, bounded by the catalogue and kept 8 days) and `served`
   * (every exposure since the start).
   */
  leaderboard(name: string): string;
  /** Hash: rating value → count over every rating seen (the global rating distribution). */
  ratingHistogram(): string;
  /**
   * Hash: rating value → count over ratings of titles that were in the rater's last served list
   * (`served`) or not (`organic`): the rating-skew monitor's two distributions.
   */
  ratingHistogramOf(origin: 'served' | 'organic'): string;
  /**
   * Sorted set: exposures per title over the last 24 hours (every hour's added, the hour leaving
   * subtracted). It and the other served-window keys share the hash tag `{served-window}`: the roll is
   * one script over them and the window's total one MGET, which Redis Cluster allows on one slot only.
   */
  servedWindow(): string;
  /** Sorted set: exposures per title in one UTC hour (hours since the epoch), in the served window's slot. */
  servedHour(hour: number): string;
  /** String: title slots served in one UTC hour, beside {@link RedisKeys.servedHour}. */
  servedHourTotal(hour: number): string;
  /** String: the last UTC hour subtracted from {@link RedisKeys.servedWindow}. */
  servedWindowRolled(): string;
  /** Hash of the live audit's running counts (lists, violations) and its position in served_lists. */
  liveAudit(): string;
  /** Sorted set of popular movies for a cold-start cohort (age band and gender). */
  popularFor(cohort: string): string;
  /** String (JSON array): the live popular titles safe for every age, for answers without a model. */
  safeList(): string;
  /** String: the active model version. */
  activeModel(): string;
  /** One blob or hash of a model version (`items`, `ids`, `meta`). */
  model(version: string, part: string): string;
  /** Pub/sub channel on which a newly published model version is announced. */
  modelChannel(): string;
  /** The next offset to process for a consumer group's partition (the source of truth, DESIGN.md). */
  partitionOffset(group: string, topic: string, partition: number): string;
  /**
   * List: the batch a partition task began committing on Redis Cluster and has not finished (its
   * writes grouped per slot), beside the partition's offset; any owner finishes it (docs/actors.md).
   */
  partitionPending(group: string, topic: string, partition: number): string;
  /**
   * Hash on Redis Cluster slot `tag`'s slot: `group:topic:partition` → the end offset of the last batch
   * of that task partition whose writes on this slot were applied (the per-slot replay guard).
   */
  slotApplied(tag: string): string;
  /** Highest source offset applied, per source partition, for a downstream task (replay dedup). */
  sourceWatermark(group: string, sourceTopic: string, sourcePartition: number): string;
  /** Hash `sourceTopic:sourcePartition` → highest source offset applied by one task partition (beside its offset). */
  partitionWatermarks(group: string, topic: string, partition: number): string;
  /** String: the running A/B experiment as JSON (src/store/experiment-pointer.ts); absent when none runs. */
  runningExperiment(): string;
  /**
   * One part of an experiment arm's online evaluation, written by the user actors in their batch commit:
   * `residuals` (list of squared errors in commit order, cut into batches of 1,000 by the worker),
   * `cut` (hash: `residuals` already cut, `batches` cut, `rmse` of the last), `users` (hash `<user>:n` ratings and `<user>:s` Σe² per
   * user), `ratings` (hash `n`, `se` Σe², `se2` Σe⁴ over every rating).
   */
  experimentEval(experimentId: string, arm: string, part: 'residuals' | 'cut' | 'users' | 'ratings'): string;
  /** Prefix for rate-limit buckets. */
  rateLimitPrefix(): string;
  /** String: the event id an API idempotency key was first accepted as (expires after a day). */
  idempotency(key: string): string;
  /** String: ratings a subject recorded through the API on one UTC day (the daily quota; expires). */
  ratingQuota(subject: string, day: string): string;
}

/** Key builders under `prefix`. */
export function redisKeys(prefix: string): RedisKeys {
  const k = (...parts: string[]) => prefix + parts.join(':');
  return {
    prefix,
    userState: (u) => k(`{u:${u}}`, 'state'),
    userFactors: (u) => k(`{u:${u}}`, 'p'),
    userHistory: (u) => k(`{u:${u}}`, 'history'),
    userServed: (u) => k(`{u:${u}}`, 'served'),
    userRecent: (u) => k(`{u:${u}}`, 'recent'),
    movieState: (m) => k(`{m:${m}}`, 'state'),
    movieFactors: (m) => k(`{m:${m}}`, 'q'),
    movieDayRaters: (m) => k(`{m:${m}}`, 'day-raters'),
    leaderboard: (name) => k('board', name),
    ratingHistogram: () => k('rating-histogram'),
    ratingHistogramOf: (origin) => k('rating-histogram', origin),
    liveAudit: () => k('audit', 'live'),
    servedWindow: () => k('{served-window}', '24h'),
    servedHour: (hour) => k('{served-window}', 'h', String(hour)),
    servedHourTotal: (hour) => k('{served-window}', 'total', String(hour)),
    servedWindowRolled: () => k('{served-window}', 'rolled'),
    popularFor: (cohort) => k('popular', cohort),
    safeList: () => k('safe-list'),
    activeModel: () => k('model', 'active'),
    model: (version, part) => k('model', `{v${version}}`, part),
    modelChannel: () => k('model', 'published'),
    partitionOffset: (group, topic, partition) => k('offset', `{${group}:${topic}:${partition}}`),
    partitionPending: (group, topic, partition) => k('pending', `{${group}:${topic}:${partition}}`),
    slotApplied: (tag) => k('applied', `{${tag}}`),
    sourceWatermark: (group, topic, partition) => k('watermark', group, `${topic}:${partition}`),
    partitionWatermarks: (group, topic, partition) => k('watermarks', `{${group}:${topic}:${partition}}`),
    runningExperiment: () => k('experiment', 'running'),
    experimentEval: (id, arm, part) => k('experiment', `{e${id}}`, arm, part),
    rateLimitPrefix: () => k('ratelimit', ''),
    idempotency: (key) => k('idempotency', key),
    ratingQuota: (subject, day) => k('rating-quota', day, subject),
  };
}
