import type pg from 'pg';
import type { CatalogueMovie } from '../../data/catalogue-index.ts';
import type { Certification, MovieRecord, UserRecord } from '../../data/dataset.ts';

const within = (value: number | null, low: number, high: number) =>
  value !== null && Number.isInteger(value) && value >= low && value <= high ? value : null;

/** Inserts or refreshes users (demographics may improve when a better source answers). */
export async function upsertUsers(
  pool: pg.Pool,
  users: readonly UserRecord[],
  source: string,
): Promise<void> {
  if (users.length === 0) return;
  await pool.query(
    `INSERT INTO users (user_id, age, gender, occupation, source)
     SELECT * FROM unnest($1::text[], $2::smallint[], $3::text[], $4::text[], $5::text[])
     ON CONFLICT (user_id) DO UPDATE SET age = EXCLUDED.age, gender = EXCLUDED.gender,
       occupation = EXCLUDED.occupation, source = EXCLUDED.source, fetched_at = now()`,
    [
      users.map((u) => u.userId),
      users.map((u) => within(u.age, 0, 130)),
      users.map((u) => u.gender),
      users.map((u) => u.occupation),
      users.map(() => source),
    ],
  );
}

/** Inserts or refreshes movies. */
export async function upsertMovies(
  pool: pg.Pool,
  movies: readonly MovieRecord[],
  source: string,
): Promise<void> {
  if (movies.length === 0) return;
  await pool.query(
    `INSERT INTO movies (movie_id, title, genres, release_year, certification, adult, source_id, source)
     SELECT m.movie_id, m.title, ARRAY(SELECT json_array_elements_text(m.genres::json)), m.release_year,
            m.certification, m.adult, m.source_id, m.source
     FROM unnest($1::text[], $2::text[], $3::text[], $4::smallint[], $5::text[], $6::boolean[], $7::text[], $8::text[])
       AS m(movie_id, title, genres, release_year, certification, adult, source_id, source)
     ON CONFLICT (movie_id) DO UPDATE SET title = EXCLUDED.title, genres = EXCLUDED.genres,
       release_year = EXCLUDED.release_year, certification = EXCLUDED.certification, adult = EXCLUDED.adult,
       source_id = EXCLUDED.source_id, source = EXCLUDED.source, fetched_at = now()`,
    [
      movies.map((m) => m.movieId),
      movies.map((m) => m.title),
      movies.map((m) => JSON.stringify(m.genres)),
      movies.map((m) => within(m.year, 1870, 2200)),
      movies.map((m) => m.certification),
      movies.map((m) => m.adult),
      movies.map((m) => m.sourceId ?? null),
      movies.map(() => source),
    ],
  );
}

/** The subset of `ids` already stored in `users` or `movies`. */
export async function storedIds(
  pool: pg.Pool,
  table: 'users' | 'movies',
  ids: readonly string[],
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const column = table === 'users' ? 'user_id' : 'movie_id';
  const result = await pool.query<{ id: string }>(
    `SELECT ${column} AS id FROM ${table} WHERE ${column} = ANY($1::text[])`,
    [ids],
  );
  return new Set(result.rows.map((r) => r.id));
}

/**
 * User and movie ids the durable log mentions but `users`/`movies` lack (at most `limit` of each):
 * what enrichment has yet to fill, whether it crashed, overflowed or gave up earlier.
 */
export async function idsWithoutMetadata(
  pool: pg.Pool,
  limit: number,
): Promise<{ users: string[]; movies: string[] }> {
  const missing = async (column: 'user_id' | 'movie_id', table: 'users' | 'movies') => {
    const result = await pool.query<{ id: string }>(
      `SELECT id FROM (SELECT ${column} AS id FROM ratings UNION SELECT ${column} FROM watches) AS seen
       WHERE NOT EXISTS (SELECT 1 FROM ${table} t WHERE t.${column} = seen.id) LIMIT $1`,
      [limit],
    );
    return result.rows.map((r) => r.id);
  };
  const [users, movies] = await Promise.all([missing('user_id', 'users'), missing('movie_id', 'movies')]);
  return { users, movies };
}

/** Titles, genres, certification and adult flag of `ids` that `movies` holds (for a published model). */
export async function readCatalogue(pool: pg.Pool, ids: readonly string[]): Promise<CatalogueMovie[]> {
  if (ids.length === 0) return [];
  const result = await pool.query<{
    movie_id: string;
    title: string;
    genres: string[];
    certification: Certification | null;
    adult: boolean;
  }>(`SELECT movie_id, title, genres, certification, adult FROM movies WHERE movie_id = ANY($1::text[])`, [
    ids,
  ]);
  return result.rows.map((r) => ({
    movieId: r.movie_id,
    title: r.title,
    genres: r.genres,
    certification: r.certification,
    adult: r.adult,
  }));
}
