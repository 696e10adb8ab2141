import { afterAll, describe, expect, it } from 'vitest';
import { createTestScope } from '../../../test/isolation.ts';
import { readRatingSnapshot } from './rating-log.ts';

const scope = createTestScope('rating-log');
afterAll(() => scope.cleanup());

describe('readRatingSnapshot', () => {
  it('reads every rating oldest first, to the microsecond, with dense ids, progress and the watermark', async () => {
    const pool = await scope.postgres();
    const n = 120_000;
    // Rows inserted out of time order, at µs times; ties on rated_at are broken by event_id.
    await pool.query(
      `INSERT INTO ratings (event_id, user_id, movie_id, rating, rated_at, source, src_partition, src_offset, src_index)
       SELECT lpad(g::text, 7, '0'), 'u' || (g % 97), 'm' || (g % 31), 1 + g % 5,
              timestamptz '2024-03-01 00:00:00+00' + ((n - g) / 2) * interval '1.234567 s', 'test', g % 3, g, 0
       FROM generate_series(1, $1::int) g, (SELECT $1::int AS n) c`,
      [n],
    );
    const progress: [number, number][] = [];
    const log = await readRatingSnapshot(pool, (read, total) => progress.push([read, total]));
    const expected = await pool.query<{ e: string; u: string; m: string; r: number; at: string }>(
      `SELECT event_id AS e, user_id AS u, movie_id AS m, rating AS r, (extract(epoch FROM rated_at) * 1000)::text AS at
       FROM ratings ORDER BY rated_at, event_id`,
    );
    expect(log.users.length).toBe(n);
    let exact = 0;
    expected.rows.forEach((row, k) => {
      if (
        log.userIds[log.users[k]!] === row.u &&
        log.itemIds[log.items[k]!] === row.m &&
        log.ratings[k] === row.r &&
        log.times[k] === Number(row.at)
      )
        exact++;
    });
    expect(exact).toBe(n);
    expect(log.userIds).toHaveLength(97);
    expect(log.itemIds).toHaveLength(31);
    expect(progress).toEqual([
      [50_000, n],
      [100_000, n],
      [n, n],
    ]);
    expect(log.watermark).toEqual({
      '0': { offset: 120_000, index: 0 },
      '1': { offset: 119_998, index: 0 },
      '2': { offset: 119_999, index: 0 },
    });
  });
});
