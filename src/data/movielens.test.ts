import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ML_LATEST_SMALL_DIR } from './load-dataset.ts';
import { detectMovieLensFormat, loadMovieLens } from './movielens.ts';

const hasLatestSmall = existsSync(join(ML_LATEST_SMALL_DIR, 'ratings.csv'));
if (!hasLatestSmall) console.warn(`skipping ml-latest-small tests: no data in ${ML_LATEST_SMALL_DIR}`);

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'marquee-movielens-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fixture(name: string, files: Record<string, string | Buffer>): Promise<string> {
  const path = join(dir, name);
  await mkdir(path);
  for (const [file, body] of Object.entries(files)) await writeFile(join(path, file), body);
  return path;
}

const flags = (on: number[]): string =>
  Array.from({ length: 19 }, (_, k) => (on.includes(k) ? '1' : '0')).join('|');

describe('detectMovieLensFormat', () => {
  it('recognises each layout by its files and nothing else', () => {
    expect(detectMovieLensFormat(['README.txt', 'movies.csv', 'ratings.csv'])).toBe('latest');
    expect(detectMovieLensFormat(['u.data', 'u.item', 'u.user', 'u1.base'])).toBe('100k');
    expect(detectMovieLensFormat(['movies.dat', 'ratings.dat', 'users.dat'])).toBe('1m');
    expect(detectMovieLensFormat(['ratings.dat', 'movies.dat'])).toBeNull();
  });
});

describe('loadMovieLens', () => {
  it.skipIf(!hasLatestSmall)('loads ml-latest-small with its published counts and unique ids', async () => {
    const d = await loadMovieLens(ML_LATEST_SMALL_DIR);
    expect([d.ratings.length, d.movies.length, d.users.length]).toEqual([100_836, 9_742, 610]);
    expect(d.skipped).toBeUndefined();
    expect(new Set(d.movies.map((m) => m.movieId)).size).toBe(9_742);
    expect(d.movies[0]).toMatchObject({ movieId: 'toy+story+1995', sourceId: '1', year: 1995 });
    expect(d.ratings[0]).toEqual({ userId: '1', movieId: 'toy+story+1995', rating: 4, timestamp: 964982703 });
    expect(d.users[0]).toEqual({ userId: '1', age: null, gender: null, occupation: null });
  });

  it('loads a 100K directory: latin-1 titles, genre flags, demographics, skipped rows counted', async () => {
    const path = await fixture('ml-100k', {
      'u.item': Buffer.from(
        `1|Toy Story (1995)|01-Jan-1995||http://x|${flags([3, 4, 5])}\n` +
          `2|Misérables, Les (1995)|01-Jan-1995||http://x|${flags([8])}\n` +
          `3|broken row\n`,
        'latin1',
      ),
      'u.data': '1\t1\t5\t874965758\n2\t2\t3\t876893171\n2\t1\t9\t876893171\n3\t99\t4\t1\n',
      'u.user': '1|24|M|technician|85711\n2|15|F|student|94043\n3|33|F|other|15213\n',
    });
    const d = await loadMovieLens(path);
    expect(d.name).toBe('ml-100k');
    expect(d.movies.map((m) => [m.movieId, m.genres])).toEqual([
      ['toy+story+1995', ['Animation', 'Children', 'Comedy']],
      ['les+misérables+1995', ['Drama']],
    ]);
    expect(d.ratings).toEqual([
      { userId: '1', movieId: 'toy+story+1995', rating: 5, timestamp: 874965758 },
      { userId: '2', movieId: 'les+misérables+1995', rating: 3, timestamp: 876893171 },
    ]);
    expect(d.users).toEqual([
      { userId: '1', age: 24, gender: 'M', occupation: 'technician/engineer' },
      { userId: '2', age: 15, gender: 'F', occupation: 'K-12 student' },
      { userId: '3', age: 33, gender: 'F', occupation: 'other or not specified' },
    ]);
    expect(d.skipped).toEqual({ 'u.item': 1, 'u.data': 2 });
  });

  it('loads a 1M directory: age bands, occupation codes, duplicate titles made unique', async () => {
    const path = await fixture('ml-1m', {
      'movies.dat': Buffer.from(
        "1::Toy Story (1995)::Animation|Children's|Comedy\n2::Emma (1996)::Comedy\n3::Emma (1996)::Drama\n",
        'latin1',
      ),
      'ratings.dat': '1::1::5::978300760\r\n1::3::4::978300761\r\n6040::2::x::1\r\n',
      'users.dat': '1::F::1::10::48067\n2::M::56::16::70072\n3::M::25::0::55117\n4::X::99::42::0\n',
    });
    const d = await loadMovieLens(path);
    expect(d.movies.map((m) => m.movieId)).toEqual(['toy+story+1995', 'emma+1996', 'emma+1996~2']);
    expect(d.movies[0]?.genres).toEqual(['Animation', 'Children', 'Comedy']);
    expect(d.ratings.map((r) => r.movieId)).toEqual(['toy+story+1995', 'emma+1996~2']);
    expect(d.users).toEqual([
      { userId: '1', age: 15, gender: 'F', occupation: 'K-12 student' },
      { userId: '2', age: 60, gender: 'M', occupation: 'self-employed' },
      { userId: '3', age: 30, gender: 'M', occupation: 'other or not specified' },
      { userId: '4', age: null, gender: null, occupation: null },
    ]);
    expect(d.skipped).toEqual({ 'ratings.dat': 1 });
  });

  it('loads a latest-style CSV directory with a byte-order mark, quoted titles and bad rows', async () => {
    const path = await fixture('csv', {
      'movies.csv':
        '\uFEFFmovieId,title,genres\r\n1,"Monsters, Inc. (2001)",Animation\r\n2,Nothing (2000),(no genres listed)\r\n',
      'ratings.csv': 'userId,movieId,rating,timestamp\r\n7,1,4.5,1000\r\n7,2,0,1000\r\n7,2,3.5\r\n',
    });
    const d = await loadMovieLens(path);
    expect(d.movies.map((m) => [m.movieId, m.genres])).toEqual([
      ['monsters_+inc.+2001', ['Animation']],
      ['nothing+2000', []],
    ]);
    expect(d.ratings).toEqual([
      { userId: '7', movieId: 'monsters_+inc.+2001', rating: 4.5, timestamp: 1000 },
    ]);
    expect(d.skipped).toEqual({ 'ratings.csv': 2 });
  });

  it('rejects a directory without a dataset, naming the path', async () => {
    const path = await fixture('empty', { 'notes.txt': 'hi' });
    await expect(loadMovieLens(path)).rejects.toThrow(`No MovieLens dataset in ${path}`);
    await expect(loadMovieLens(join(dir, 'missing'))).rejects.toThrow(join(dir, 'missing'));
  });
});
