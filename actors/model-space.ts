/**
 * The model version the actors live in. A published version is a factor space of its own: a p_u
 * learned against one version's q_i means nothing against another's. The stream follows
 * `model:active` (polled every 2 s, and at once when a message names a version it lacks) and hands each batch one version; actors
 * whose state is in another version move onto it before their turn (docs/actors.md, "Versions").
 */
import type { Redis } from 'ioredis';
import type { Position } from '../streams/events.ts';
import { svdFromArtifact } from '../src/model/svd-artifact.ts';
import { loadModelVersion, readActiveVersion } from '../src/store/model-store.ts';
import type { RedisKeys } from '../src/store/redis-keys.ts';
import { optionsFromModel } from './initial-factors.ts';
import type { StreamModelOptions } from './model-options.ts';

/** One version as the actors use it. */
export interface ModelSpace {
  /** The published version ('' before any: seeded vectors). */
  readonly version: string;
  /** μ, factor count, scale and the trained start vectors of this version. */
  readonly options: StreamModelOptions;
  /** The last position each user-events partition had in training: later ratings are replayed. */
  watermarkOf(partition: number): Position | undefined;
}

/** Where the actors get their version. */
export interface ModelSpaceSource {
  /** The version for the next batch. */
  current(): ModelSpace;
  /** Re-reads the active version now (a message named a version this process has not loaded). */
  refresh(): Promise<ModelSpace>;
  stop(): void;
}

/** The seeded space: no published model, every vector seeded from its id. */
export function seededSpace(options: StreamModelOptions): ModelSpace {
  return { version: '', options: { ...options, version: '' }, watermarkOf: () => undefined };
}

/** A source that never changes (tests and benchmarks that run without a published model). */
export function fixedSpace(space: ModelSpace): ModelSpaceSource {
  return { current: () => space, refresh: async () => space, stop: () => undefined };
}

/** How often the active version is polled besides the channel (a missed message costs at most this). */
const POLL_MS = 2_000;

/**
 * Follows `model:active`: loads the active version at start and whenever it changes. A version that
 * cannot be loaded (corrupt, not biased MF) is logged and the current one kept.
 */
export async function followActiveModel(
  redis: Redis,
  keys: RedisKeys,
  base: StreamModelOptions,
  log: (line: string) => void,
): Promise<ModelSpaceSource> {
  let space = seededSpace(base);
  let loading: Promise<ModelSpace> | undefined;
  const load = async (): Promise<ModelSpace> => {
    const version = await readActiveVersion(redis, keys);
    if (version === null || version === space.version) return space;
    try {
      const published = await loadModelVersion(redis, keys, version);
      if (published === null) throw new Error('its parts are missing');
      const options = optionsFromModel(svdFromArtifact(published.artifact), base, version);
      const watermark = published.watermark;
      space = { version, options, watermarkOf: (p) => watermark[String(p)] };
      log(`stream: model ${version} active (${options.factors} factors, μ ${options.mu.toFixed(3)})`);
    } catch (error) {
      log(
        `stream: cannot move onto model ${version} (${error instanceof Error ? error.message : String(error)}); staying on ${space.version || 'seeded vectors'}`,
      );
    }
    return space;
  };
  const refresh = () =>
    (loading ??= load().finally(() => {
      loading = undefined;
    }));
  await refresh();
  if (space.version === '') log(`stream: no published model yet; seeded vectors (${base.factors} factors)`);
  const timer = setInterval(
    () => void refresh().catch((e: unknown) => log(`stream: model poll failed: ${String(e)}`)),
    POLL_MS,
  );
  timer.unref();
  return { current: () => space, refresh, stop: () => clearInterval(timer) };
}
