/**
 * Loads bench:retrain's world into a scope's Postgres schema: the medium synthetic world's movies and
 * `ratings` of its ratings, appended as the sink appends them (appendEvents: one unnest INSERT per
 * batch, each rating with a user-events position — a user's ratings on one partition, in order).
 */
import { loadConfig } from '../config/load-config.ts';
import { generateSyntheticWorld, SYNTHETIC_SIZES } from '../src/data/synthetic-world.ts';
import { appendEvents, type LoggedRating } from '../src/store/postgres/event-log.ts';
import { createPool } from '../src/store/postgres/pool.ts';
import { upsertMovies } from '../src/store/postgres/reference-data.ts';
import { eventIdForKey } from '../streams/events.ts';

/** Ratings per INSERT. */
const BATCH = 50_000;

/** Generates the world and appends its movies and ratings to the (migrated) schema `env` names. */
export async function loadRetrainWorld(
  env: Readonly<Record<string, string | undefined>>,
  ratings: number,
  log: (line: string) => void,
): Promise<void> {
  const config = loadConfig(env);
  const started = performance.now();
  const world = generateSyntheticWorld({ ...SYNTHETIC_SIZES.medium, ratings, seed: 11 });
  const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
  log(`world generated in ${seconds()} s (${world.ratings.length.toLocaleString('en')} ratings)`);
  const pool = createPool(config.postgres, 2);
  try {
    await upsertMovies(pool, world.movies, 'synthetic');
    const partitionOf = new Map(world.users.map((u, k) => [u.userId, k % config.kafka.partitions]));
    const offsets = new Array<number>(config.kafka.partitions).fill(0);
    for (let from = 0; from < world.ratings.length; from += BATCH) {
      const batch: LoggedRating[] = world.ratings.slice(from, from + BATCH).map((r, k) => {
        const partition = partitionOf.get(r.userId) ?? 0;
        const offset = offsets[partition]!;
        offsets[partition] = offset + 1;
        return {
          event: {
            type: 'rate',
            userId: r.userId,
            movieId: r.movieId,
            rating: r.rating,
            at: r.timestamp * 1000,
            eventId: eventIdForKey(`bench-retrain-${from + k}`),
          },
          source: { topic: 'user-events', partition, offset, index: 0 },
        };
      });
      await appendEvents(pool, batch, []);
    }
    log(`${world.ratings.length.toLocaleString('en')} ratings appended by ${seconds()} s`);
  } finally {
    await pool.end();
  }
}
