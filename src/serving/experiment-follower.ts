/**
 * Follows the running experiment for the API: reads `experiment:running` from Redis at start and every
 * `pollMs`, keeps every arm's model version loaded in the model holder, and tells the recommender each
 * user's arm — a pure function of the experiment and the id, so users keep their arm across restarts.
 */
import type { Redis } from 'ioredis';
import { armLabel, assignArm, type RunningExperiment } from '../experiments/experiment.ts';
import { readRunningExperiment } from '../store/experiment-pointer.ts';
import type { RedisKeys } from '../store/redis-keys.ts';
import type { ModelHolder } from './model-holder.ts';

/** A user's arm: its label (`X-AB-Arm`, served lists) and the model version it is served by. */
export interface AssignedArm {
  readonly label: string;
  readonly version: string;
}

/** What the recommender asks. */
export interface ExperimentArms {
  /** The user's arm in the running experiment; undefined when none runs. */
  armFor(userId: string): AssignedArm | undefined;
}

/** An arm's completed batches of 1,000 ratings, as the worker last cut them. */
export interface ArmBatches {
  readonly label: string;
  readonly batches: number;
  /** RMSE of the last completed batch (NaN before the first). */
  readonly rmse: number;
}

/** The follower: arms for the recommender, plus its lifecycle. */
export interface ExperimentFollower extends ExperimentArms {
  current(): RunningExperiment | null;
  /** Per arm of the running experiment, its batches as of the last read (for /metrics: a scrape reads no Redis). */
  batches(): readonly ArmBatches[];
  refresh(): Promise<void>;
  start(): Promise<void>;
  stop(): void;
}

/** Options of {@link createExperimentFollower}. */
export interface ExperimentFollowerOptions {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly models: Pick<ModelHolder, 'hold'>;
  /** Between reads, ms (default 2,000: a started or stopped experiment reaches every API within it). */
  readonly pollMs?: number;
  readonly onChange?: (e: RunningExperiment | null) => void;
  readonly onError?: (error: unknown) => void;
}

/** Creates a follower of `experiment:running`. */
export function createExperimentFollower(options: ExperimentFollowerOptions): ExperimentFollower {
  let running: RunningExperiment | null = null;
  let seen = '';
  let batches: readonly ArmBatches[] = [];
  let timer: ReturnType<typeof setInterval> | undefined;
  const refresh = async () => {
    try {
      const next = await readRunningExperiment(options.redis, options.keys);
      batches = next === null ? [] : await readArmBatches(next);
      const text = JSON.stringify(next);
      if (text === seen) return;
      // Load the arms' models before serving the experiment, so no user is labelled with an arm whose
      // model is not there yet.
      await options.models.hold(next === null ? [] : next.arms.map((a) => a.version));
      running = next;
      seen = text;
      options.onChange?.(next);
    } catch (error) {
      options.onError?.(error);
    }
  };
  async function readArmBatches(e: RunningExperiment): Promise<ArmBatches[]> {
    const pipeline = options.redis.pipeline();
    for (const a of e.arms)
      pipeline.hmget(options.keys.experimentEval(e.id, a.name, 'cut'), 'batches', 'rmse');
    const replies = (await pipeline.exec()) ?? [];
    return e.arms.map((a, k) => {
      const [error, reply] = replies[k] ?? [new Error('no reply'), null];
      if (error) throw error;
      const [n, rmse] = reply as (string | null)[];
      return {
        label: armLabel(e.id, a.name),
        batches: Number(n ?? 0),
        rmse: rmse === null ? NaN : Number(rmse),
      };
    });
  }
  return {
    current: () => running,
    batches: () => batches,
    armFor(userId) {
      if (running === null) return undefined;
      const arm = assignArm(running, userId);
      return { label: armLabel(running.id, arm.name), version: arm.version };
    },
    refresh,
    async start() {
      await refresh();
      timer ??= setInterval(() => void refresh(), options.pollMs ?? 2_000);
      timer.unref();
    },
    stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
    },
  };
}
