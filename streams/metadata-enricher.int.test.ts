import { afterAll, describe, expect, it } from 'vitest';
import type { LookupResult } from '../src/data/course-services.ts';
import type { MovieRecord, UserRecord } from '../src/data/dataset.ts';
import type { MetadataSource } from '../src/data/metadata-source.ts';
import { createTestScope } from '../test/isolation.ts';
import { createMetadataEnricher } from './metadata-enricher.ts';

const scope = createTestScope('enricher');
afterAll(() => scope.cleanup());

/** A source that knows `u1`, `u-flaky` (failing its first `failures` lookups) and one movie it spells differently. */
function flakySource(failures: number): MetadataSource & { calls: number } {
  let left = failures;
  const source = {
    calls: 0,
    async user(id: string): Promise<LookupResult<UserRecord>> {
      source.calls += 1;
      if (id === 'u-flaky' && left-- > 0) return { status: 'failed', reason: 'HTTP 503', attempts: 1 };
      if (id === 'u1' || id === 'u-flaky')
        return { status: 'found', value: { userId: id, age: 15, gender: 'F', occupation: 'K-12 student' } };
      return { status: 'not-found' };
    },
    async movie(id: string): Promise<LookupResult<MovieRecord>> {
      source.calls += 1;
      if (id !== 'la+moiti%C3%A9+2000') return { status: 'not-found' };
      const value: MovieRecord = {
        movieId: 'la+moitié+2000',
        title: 'La moitié',
        genres: ['Drama'],
        year: 2000,
        certification: null,
        adult: false,
      };
      return { status: 'found', value };
    },
  };
  return source;
}

describe('the metadata enricher, on real Postgres', () => {
  it('stores found ids under the id the stream uses, counts the missing, and gives up on failures for now', async () => {
    const pool = await scope.postgres();
    const enricher = createMetadataEnricher({
      pool,
      source: flakySource(10),
      sourceName: 'test',
      attempts: 2,
      backfillEveryMs: 0,
    });
    enricher.notice(['u1', 'u-ghost', 'u-flaky', 'u1'], ['la+moiti%C3%A9+2000']);
    await enricher.drain();
    expect(enricher.stats()).toEqual({ stored: 2, notFound: 1, failed: 1, overflowed: 0, pending: 0 });
    const users = await pool.query<{ user_id: string; age: number }>(
      'SELECT user_id, age FROM users ORDER BY user_id',
    );
    expect(users.rows).toEqual([{ user_id: 'u1', age: 15 }]);
    const movies = await pool.query<{ movie_id: string; genres: string[] }>(
      'SELECT movie_id, genres FROM movies',
    );
    expect(movies.rows).toEqual([{ movie_id: 'la+moiti%C3%A9+2000', genres: ['Drama'] }]);
    await enricher.close();
  });

  it('backfills every id the durable log has without metadata, once the source answers', async () => {
    const pool = await scope.postgres();
    await pool.query(
      `INSERT INTO ratings (event_id, user_id, movie_id, rating, rated_at, source) VALUES ('e-flaky', 'u-flaky', 'la+moiti%C3%A9+2000', 4, now(), 'test')`,
    );
    const source = flakySource(0);
    const enricher = createMetadataEnricher({ pool, source, sourceName: 'test', backfillEveryMs: 0 });
    await enricher.backfill();
    await enricher.drain();
    expect(enricher.stats()).toMatchObject({ stored: 1, failed: 0, pending: 0 });
    const flaky = await pool.query('SELECT age FROM users WHERE user_id = $1', ['u-flaky']);
    expect(flaky.rows).toEqual([{ age: 15 }]);
    await enricher.backfill();
    await enricher.drain();
    expect(source.calls).toBe(1);
    await enricher.close();
  });

  it('never queues more than its bound, counting what it turned away', async () => {
    const pool = await scope.postgres();
    const enricher = createMetadataEnricher({
      pool,
      source: flakySource(0),
      sourceName: 'test',
      maxPending: 3,
      backfillEveryMs: 0,
    });
    enricher.notice(['a', 'b', 'c', 'd', 'e'], []);
    expect(enricher.stats().pending + enricher.stats().overflowed).toBe(5);
    expect(enricher.stats().pending).toBeLessThanOrEqual(3);
    await enricher.drain();
    await enricher.close();
  });
});
