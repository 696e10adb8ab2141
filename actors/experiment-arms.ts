/**
 * The running experiment as the user actors see it: which arm each user is in and each arm's model,
 * so that every rating of an exposed user is predicted by that arm's model before anything learns
 * from it (online evaluation, docs/experiments.md). Followed like the active model: read at start and
 * every 2 s. The arm whose version is the one the actors live in predicts with the live p_u (what the
 * API scores that arm with); another arm's version predicts with its own trained p_u, or μ + b_i for a
 * user it never saw (again what the API scores it with).
 */
import type { Redis } from 'ioredis';
import { assignArm, armLabel, type RunningExperiment } from '../src/experiments/experiment.ts';
import type { SvdModel } from '../src/model/algorithms/svd-model.ts';
import { svdFromArtifact } from '../src/model/svd-artifact.ts';
import { readRunningExperiment } from '../src/store/experiment-pointer.ts';
import { loadModelVersion } from '../src/store/model-store.ts';
import type { RedisKeys } from '../src/store/redis-keys.ts';

/** A loaded arm model with its id indices. */
interface ArmModel {
  readonly model: SvdModel;
  readonly users: ReadonlyMap<string, number>;
  readonly items: ReadonlyMap<string, number>;
}

/** A user's arm for one rating. */
export interface RatingArm {
  /** The arm's name (its sums in Redis) and label (what served lists carry). */
  readonly name: string;
  readonly label: string;
  readonly version: string;
}

/** The running experiment for the user stage. */
export interface StreamExperiment {
  readonly id: string;
  armOf(userId: string): RatingArm;
  /** The clipped prediction of `version`'s trained model (its p_u, or μ + b_i for a user it never saw). */
  predict(version: string, userId: string, movieId: string): number | undefined;
}

/** Where the user stage gets the running experiment. */
export interface StreamExperimentSource {
  current(): StreamExperiment | null;
  stop(): void;
}

/** No experiment, ever (tests and benchmarks). */
export const noExperiments: StreamExperimentSource = { current: () => null, stop: () => undefined };

const indexOf = (ids: readonly string[]) => new Map(ids.map((id, k) => [id, k]));

function streamExperiment(e: RunningExperiment, models: ReadonlyMap<string, ArmModel>): StreamExperiment {
  return {
    id: e.id,
    armOf(userId) {
      const arm = assignArm(e, userId);
      return { name: arm.name, label: armLabel(e.id, arm.name), version: arm.version };
    },
    predict(version, userId, movieId) {
      const m = models.get(version);
      if (m === undefined) return undefined;
      return m.model.predict(m.users.get(userId) ?? -1, m.items.get(movieId) ?? -1);
    },
  };
}

/** Follows `experiment:running`, loading each arm's model once; a failed read keeps what is held. */
export async function followExperiment(
  redis: Redis,
  keys: RedisKeys,
  log: (line: string) => void,
  pollMs = 2_000,
): Promise<StreamExperimentSource> {
  let current: StreamExperiment | null = null;
  let seen = 'null';
  let models = new Map<string, ArmModel>();
  const refresh = async () => {
    try {
      const e = await readRunningExperiment(redis, keys);
      const text = JSON.stringify(e);
      if (text === seen) return;
      const next = new Map<string, ArmModel>();
      for (const arm of e?.arms ?? []) {
        const held = models.get(arm.version);
        if (held !== undefined) {
          next.set(arm.version, held);
          continue;
        }
        const published = await loadModelVersion(redis, keys, arm.version);
        if (published === null)
          throw new Error(`arm ${arm.name}: model version ${arm.version} is not stored`);
        const model = svdFromArtifact(published.artifact);
        next.set(arm.version, {
          model,
          users: indexOf(model.data.userIds),
          items: indexOf(model.data.itemIds),
        });
      }
      models = next;
      current = e === null ? null : streamExperiment(e, next);
      seen = text;
      log(e === null ? 'stream: no experiment running' : `stream: evaluating experiment ${e.id} online`);
    } catch (error) {
      log(`stream: experiment not followed yet (${error instanceof Error ? error.message : String(error)})`);
    }
  };
  await refresh();
  const timer = setInterval(() => void refresh(), pollMs);
  timer.unref();
  return { current: () => current, stop: () => clearInterval(timer) };
}
