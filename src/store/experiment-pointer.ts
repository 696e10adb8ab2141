/**
 * The running experiment in Redis: a copy of the Postgres row's arms and assignment that the API and
 * the stream read every few seconds (no Postgres on their hot paths), like `model:active` for models.
 */
import type { Redis } from 'ioredis';
import { runningExperimentSchema, type RunningExperiment } from '../experiments/experiment.ts';
import type { RedisKeys } from './redis-keys.ts';

/** Makes `e` the running experiment. */
export async function setRunningExperiment(
  redis: Redis,
  keys: RedisKeys,
  e: RunningExperiment,
): Promise<void> {
  await redis.set(keys.runningExperiment(), JSON.stringify(e));
}

/** Clears the running experiment if it is `id` (a newer one is left alone). */
export async function clearRunningExperiment(redis: Redis, keys: RedisKeys, id: string): Promise<void> {
  const current = await readRunningExperiment(redis, keys).catch(() => null);
  if (current === null || current.id === id) await redis.del(keys.runningExperiment());
}

/**
 * The running experiment, or null when none runs. A stored value that is not a valid experiment
 * throws (the caller logs it and serves without an experiment, rather than a half-read one).
 */
export async function readRunningExperiment(
  redis: Redis,
  keys: RedisKeys,
): Promise<RunningExperiment | null> {
  const text = await redis.get(keys.runningExperiment());
  if (text === null) return null;
  const parsed = runningExperimentSchema.safeParse(JSON.parse(text));
  if (!parsed.success)
    throw new Error(
      `the running experiment in Redis is malformed: ${parsed.error.issues[0]?.message ?? '?'}`,
    );
  return parsed.data;
}
