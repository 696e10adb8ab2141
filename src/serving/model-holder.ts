import type { Redis } from 'ioredis';
import { spans } from '../../otel/names.ts';
import { tracer } from '../../otel/tracing.ts';
import { loadModelVersion, MOVIES_REFRESHED } from '../store/model-store.ts';
import type { RedisKeys } from '../store/redis-keys.ts';
import type { GuardrailSettings } from './guardrail-settings.ts';
import { buildServingModel, type ServingModel } from './serving-model.ts';

/**
 * The active model in memory; `current()` is a plain read, swapped whole when a new version loads.
 * Besides it, the versions the arms of a running experiment serve (`hold`), each built once.
 */
export interface ModelHolder {
  current(): ServingModel | undefined;
  /** The held model of `version` (the active one, or an experiment arm's), or undefined when not loaded. */
  version(version: string): ServingModel | undefined;
  /** Every model held: the active one first, then the arms' versions. */
  held(): readonly ServingModel[];
  /**
   * Keeps `versions` loaded besides the active one (an experiment's arms) and drops any other; a
   * version that cannot be loaded is reported to onError and left out (its arm then serves nothing).
   */
  hold(versions: readonly string[]): Promise<void>;
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
  /** Versions held for an experiment's arms (never the active one's object: looked up by name). */
  let arms = new Map<string, ServingModel>();
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
        const held = arms.get(wanted);
        if (held !== undefined && !rebuild) {
          // An arm's version became the active one: it is already built.
          active = held;
          options.onLoad?.(active);
          return true;
        }
        const published = await loadModelVersion(redis, keys, wanted);
        if (published === null) return false;
        if (published.version === active?.version && !rebuild) return true;
        active = buildServingModel(published.version, published.artifact, published.movies, settings);
        if (arms.has(active.version)) arms = new Map(arms).set(active.version, active);
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
  /** Loads the arms' versions not held yet (and rebuilds `refreshed`), drops the others; serialised with load. */
  const hold = (versions: readonly string[], refreshed?: string): Promise<void> => {
    chain = chain.then(async () => {
      const wanted = new Set(versions);
      const next = new Map<string, ServingModel>();
      for (const v of wanted) {
        const have = arms.get(v) ?? (v === active?.version ? active : undefined);
        if (have !== undefined && v !== refreshed) {
          next.set(v, have);
          continue;
        }
        try {
          const published = await loadModelVersion(redis, keys, v);
          if (published === null) throw new Error(`experiment arm version ${v} is not stored`);
          next.set(v, buildServingModel(v, published.artifact, published.movies, settings));
          if (v === active?.version) active = next.get(v);
        } catch (error) {
          options.onError?.(error);
        }
      }
      arms = next;
      return true;
    });
    return chain.then(() => undefined);
  };
  const onMessage = (channel: string, version: string) => {
    if (channel !== keys.modelChannel()) return;
    if (!version.endsWith(MOVIES_REFRESHED)) return void load(version);
    // New metadata for a version: rebuild only if it is one held (an old notice is moot).
    const of = version.slice(0, -MOVIES_REFRESHED.length);
    if (of === active?.version) void load(of, true);
    else if (arms.has(of)) void hold([...arms.keys()], of);
  };
  return {
    current: () => active,
    version: (v) => (v === active?.version ? active : arms.get(v)),
    held: () =>
      active === undefined ? [...arms.values()] : [active, ...[...arms.values()].filter((m) => m !== active)],
    hold: (versions) => hold(versions),
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
