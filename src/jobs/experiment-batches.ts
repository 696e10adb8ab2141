/**
 * Cuts each experiment arm's online residuals into consecutive batches of 1,000 ratings (the seed's
 * online RMSE), in the order the user actors committed them, and stores each batch in Postgres
 * (`experiment_batches`) exactly once: the insert ignores a batch already stored, and the residuals
 * leave Redis only after it, under WATCH of the arm's cut count so two workers never cut the same ones twice.
 */
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { RunningExperiment } from '../experiments/experiment.ts';
import { readRunningExperiment } from '../store/experiment-pointer.ts';
import { insertBatches } from '../store/postgres/experiments.ts';
import type { RedisKeys } from '../store/redis-keys.ts';

/** Ratings per batch (the seed's). */
export const BATCH_RATINGS = 1_000;

/** What the batcher needs. */
export interface BatcherDeps {
  readonly pool: pg.Pool;
  /** A connection nothing else uses meanwhile: WATCH is per connection. */
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly log?: (line: string) => void;
}

/** RMSE of squared errors. */
function rmseOf(squares: readonly string[]): number {
  return Math.sqrt(squares.reduce((s, x) => s + Number(x), 0) / squares.length);
}

/** Cuts every complete batch of one arm; returns how many it stored. */
async function cutArm(deps: BatcherDeps, experimentId: string, arm: string): Promise<number> {
  const { redis, keys } = deps;
  const residuals = keys.experimentEval(experimentId, arm, 'residuals');
  const cut = keys.experimentEval(experimentId, arm, 'cut');
  let stored = 0;
  const conn = redis;
  for (;;) {
    // Only `cut` is watched: the actors append to the residuals all the time, never touching their head.
    await conn.watch(cut);
    const [squares, done] = await Promise.all([
      conn.lrange(residuals, 0, BATCH_RATINGS - 1),
      conn.hget(cut, 'batches'),
    ]);
    if (squares.length < BATCH_RATINGS) {
      await conn.unwatch();
      return stored;
    }
    const batch = Number(done ?? 0);
    const rmse = rmseOf(squares);
    await insertBatches(deps.pool, experimentId, arm, [{ batch, ratings: BATCH_RATINGS, rmse }]);
    const applied = await conn
      .multi()
      .ltrim(residuals, BATCH_RATINGS, -1)
      .hincrby(cut, 'batches', 1)
      .hincrby(cut, 'residuals', BATCH_RATINGS)
      .hset(cut, 'rmse', rmse)
      .exec();
    // null: another worker cut first (its batch is the same rows, already stored); look again.
    if (applied !== null) stored++;
  }
}

/** Cuts the complete batches of every arm of `e`. */
export async function cutBatches(deps: BatcherDeps, e: RunningExperiment): Promise<number> {
  let stored = 0;
  for (const arm of e.arms) stored += await cutArm(deps, e.id, arm.name);
  return stored;
}

/** Cuts the running experiment's batches every `intervalMs` (default 2 s); stop() waits for a cut in flight. */
export function startExperimentBatcher(
  deps: BatcherDeps,
  intervalMs = 2_000,
): { readonly name: string; stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  // WATCH needs a connection of its own (a shared one would watch for every other caller too).
  const own = { ...deps, redis: deps.redis.duplicate() };
  own.redis.on('error', () => undefined);
  const tick = () => {
    running = running.then(async () => {
      try {
        const e = await readRunningExperiment(own.redis, own.keys);
        if (e !== null) await cutBatches(own, e);
      } catch (error) {
        deps.log?.(`experiment batches: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    name: 'experiment batches',
    async stop() {
      clearInterval(timer);
      await running;
      own.redis.disconnect();
    },
  };
}
