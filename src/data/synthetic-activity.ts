/**
 * Synthetic activity: who watches and rates what, and when. Users differ in activity (log-normal) and
 * movies in popularity (Zipf over a random ranking), giving the long tail of real logs; a user picks the
 * best of a few popular candidates by planted taste (people watch what they expect to like), minors skip
 * R, NC-17 and adult titles, and nobody rates a movie twice. Every rating follows a watch session of a
 * few logged minutes; some sessions end without a rating. Ratings come out in time order.
 */
import type { MovieRecord, RatingRecord, UserRecord, WatchRecord } from './dataset.ts';
import type { Random } from '../lib/random.ts';
import { WeightedSampler } from './random.ts';
import type { PlantedTastes } from './synthetic-tastes.ts';
import { plantedScore } from './synthetic-tastes.ts';

/** Knobs for {@link generateActivity}. */
export interface ActivityOptions {
  ratings: number;
  /** First rating time, seconds since the epoch. */
  start: number;
  /** Seconds the ratings are spread over. */
  span: number;
  /** Zipf exponent of movie popularity. */
  zipf: number;
  /** Rating noise (standard deviation, stars). */
  noise: number;
  /** Share of watch sessions that end without a rating. */
  unratedSessions: number;
}

/** Ratings, watches, and each movie's popularity weight. */
export interface Activity {
  ratings: RatingRecord[];
  watches: WatchRecord[];
  popularity: Float64Array;
}

const CANDIDATES = 3;
const MAX_WATCH_LINES = 3;

/** Draws the world's activity; yields fewer ratings than asked only when the world is nearly saturated. */
export function generateActivity(
  users: readonly UserRecord[],
  movies: readonly MovieRecord[],
  tastes: PlantedTastes,
  options: ActivityOptions,
  random: Random,
): Activity {
  const nMovies = movies.length;
  const popularity = new Float64Array(nMovies);
  const order = shuffledIndices(nMovies, random);
  for (let r = 0; r < nMovies; r++) popularity[order[r] ?? 0] = 1 / Math.pow(r + 1, options.zipf);
  const movieSampler = new WeightedSampler(popularity);
  const userSampler = new WeightedSampler(users.map(() => Math.exp(1.1 * random.normal(0, 1))));
  const minor = users.map((u) => u.age != null && u.age < 18);
  const forMinors = movies.map((m) => !m.adult && m.certification !== 'R' && m.certification !== 'NC-17');
  const rated = createPairSet(users.length, nMovies);
  const ratings: RatingRecord[] = [];
  const watches: WatchRecord[] = [];
  const unrated = Math.min(0.9, Math.max(0, options.unratedSessions));
  const unratedPerRated = unrated / (1 - unrated);
  const step = options.span / Math.max(1, options.ratings);
  const pick = (u: number): number => {
    let best = -1;
    let bestScore = -Infinity;
    for (let c = 0; c < CANDIDATES; c++) {
      const i = movieSampler.sample(random);
      if ((minor[u] && !forMinors[i]) || rated.has(u * nMovies + i)) continue;
      const score = plantedScore(tastes, u, i);
      if (score > bestScore) [best, bestScore] = [i, score];
    }
    return best;
  };
  for (let attempts = 0; ratings.length < options.ratings && attempts < options.ratings * 5; attempts++) {
    const u = userSampler.sample(random);
    const i = pick(u);
    if (i < 0) continue;
    const user = users[u];
    const movie = movies[i];
    if (user === undefined || movie === undefined) continue;
    const at = Math.floor(options.start + (ratings.length + random.next()) * step);
    const end = logSession(watches, user.userId, movie.movieId, at, random);
    if (random.next() < unratedPerRated) {
      const j = movieSampler.sample(random);
      const other = movies[j];
      if (other !== undefined && !(minor[u] && !forMinors[j])) {
        logSession(watches, user.userId, other.movieId, at - 3 * 3600, random);
      }
    }
    rated.add(u * nMovies + i);
    const value = plantedScore(tastes, u, i) + options.noise * random.normal(0, 1);
    ratings.push({ userId: user.userId, movieId: movie.movieId, rating: clampStars(value), timestamp: end });
  }
  ratings.sort((a, b) => a.timestamp - b.timestamp);
  watches.sort((a, b) => a.timestamp - b.timestamp);
  return { ratings, watches, popularity };
}

/**
 * Logs a session as the course would, but summarised: minute 0 and a few later minutes, in order,
 * the last watched minute ending at `end`. Returns `end`.
 */
function logSession(
  watches: WatchRecord[],
  userId: string,
  movieId: string,
  end: number,
  random: Random,
): number {
  const length = 80 + random.int(70);
  const watched = Math.max(1, Math.floor(length * (0.3 + 0.7 * random.next())));
  const begin = end - watched * 60;
  const lines = 1 + random.int(MAX_WATCH_LINES);
  // `lines` ascending minutes: split the watched span into equal slots and pick one minute per slot.
  for (let k = 0; k < lines; k++) {
    const from = Math.floor((k * watched) / lines);
    const to = Math.floor(((k + 1) * watched) / lines);
    const minute = k === 0 ? 0 : from + random.int(Math.max(1, to - from));
    watches.push({ userId, movieId, minute, timestamp: begin + minute * 60 });
  }
  return end;
}

/** A set of (user, movie) index pairs: a bitset while it fits in 64 MB, else a hash set. */
interface PairSet {
  has(key: number): boolean;
  add(key: number): void;
}

function createPairSet(users: number, movies: number): PairSet {
  const bits = users * movies;
  if (bits <= 512 * 1024 * 1024) {
    const words = new Uint32Array(Math.ceil(bits / 32));
    return {
      has: (key) => ((words[key >>> 5] ?? 0) & (1 << (key & 31))) !== 0,
      add: (key) => {
        words[key >>> 5] = (words[key >>> 5] ?? 0) | (1 << (key & 31));
      },
    };
  }
  return new Set<number>();
}

function clampStars(value: number): number {
  return Math.min(5, Math.max(1, Math.round(value)));
}

function shuffledIndices(n: number, random: Random): Int32Array {
  const a = new Int32Array(n);
  for (let k = 0; k < n; k++) a[k] = k;
  for (let k = n - 1; k > 0; k--) {
    const j = random.int(k + 1);
    const t = a[k] ?? 0;
    a[k] = a[j] ?? 0;
    a[j] = t;
  }
  return a;
}
