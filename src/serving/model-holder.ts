import type { Redis } from 'ioredis';
import { spans } from '../../otel/names.ts';
import { tracer } from '../../otel/tracing.ts';
import { loadModelVersion, MOVIES_REFRESHED } from '../store/model-store.ts';
import type { RedisKeys } from '../store/redis-keys.ts';
import type { GuardrailSettings } from './guardrail-settings.ts';
import { buildServingModel, type ServingModel } from './serving-model.ts';

/** The active model in memory; `current()` is a plain read, swapped whole when a new version loads. */
export interface ModelHolder {
  current(): ServingModel | undefined;
  /**
   * Loads the active version now when it differs from the one held (first load, or after a missed
   * notice); false when none exists.
   */
  refresh(): Promise<boolean>;
  /** Subscribes to publication notices on `subscriber` (a connection of its own). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Options of {@link createModelHolder}. */
export interface ModelHolderOptions {
  readonly redis: Redis;
  /** A dedicated connection: a subscribed ioredis client can run no other commands. */
  readonly subscriber: Redis;
  readonly keys: RedisKeys;
  readonly settings: GuardrailSettings;
  readonly onLoad?: (model: ServingModel) => void;
  readonly onError?: (error: unknown) => void;
}

/**
 * Holds the item matrix and swaps it on a publication notice. The new version is built completely
 * before the reference moves, and requests read the reference once, so none fails during a swap.
 * Loads are serialised in notice order; a failed load keeps the version already held.
 */
export function createModelHolder(options: ModelHolderOptions): ModelHolder {
  const { redis, subscriber, keys, settings } = options;
  let active: ServingModel | undefined;
  let chain: Promise<boolean> = Promise.resolve(false);
  /** Loads `version` (default: the active one); `rebuild` reloads it even when held (new metadata). */
  const load = (version?: string, rebuild = false): Promise<boolean> => {
    chain = chain.then(async () => {
      const span = tracer().startSpan(spans.apiModelLoad);
      try {
        // The periodic refresh reads only the active version's name first: decoding an unchanged
        // artifact (10,000 movies × 100 factors and their metadata) held the request loop for tens
        // of ms every 30 s, a stall every request arriving meanwhile waited behind.
        const wanted = version ?? (await redis.get(keys.activeModel()));
        if (wanted === null) return false;
        if (wanted === active?.version && !rebuild) return true;
        const published = await loadModelVersion(redis, keys, wanted);
        if (published === null) return false;
        if (published.version === active?.version && !rebuild) return true;
        active = buildServingModel(published.version, published.artifact, published.movies, settings);
        options.onLoad?.(active);
        return true;
      } catch (error) {
        options.onError?.(error);
        return false;
      } finally {
        span.end();
      }
    });
    return chain;
  };
  const onMessage = (channel: string, version: string) => {
    if (channel !== keys.modelChannel()) return;
    if (!version.endsWith(MOVIES_REFRESHED)) return void load(version);
    // New metadata for a version: rebuild only if it is the one held (an old notice is moot).
    const of = version.slice(0, -MOVIES_REFRESHED.length);
    if (of === active?.version) void load(of, true);
  };
  return {
    current: () => active,
    refresh: () => load(),
    async start() {
      // SUBSCRIBE before the connection is ready races ioredis's ready check (INFO is refused in
      // subscriber mode): the connection errors and reconnects, and notices sent meanwhile are lost.
      if (subscriber.status !== 'ready') await new Promise((resolve) => subscriber.once('ready', resolve));
      subscriber.on('message', onMessage);
      await subscriber.subscribe(keys.modelChannel());
      await load();
    },
    async stop() {
      subscriber.off('message', onMessage);
      await subscriber.unsubscribe(keys.modelChannel()).catch(() => undefined);
      await chain;
    },
  };
}
