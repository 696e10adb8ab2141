/**
 * Course movielog lines made from dataset records, the inverse of streams/movielog-parser.ts:
 *   `<time>,<userid>,GET /data/m/<movieid>/<minute>.mpg` and `<time>,<userid>,GET /rate/<movieid>=<rating>`.
 */

/** `YYYY-MM-DDTHH:MM:SS` in UTC without zone, as the course writes times (seconds since the epoch in). */
export function courseTime(seconds: number): string {
  return new Date(Math.floor(seconds) * 1000).toISOString().slice(0, 19);
}

/**
 * The course's whole-star rating for a dataset rating. MovieLens latest has half stars: they round half
 * up (2.5 → 3), and 0.5 becomes 1, the lowest the course logs.
 */
export function courseStars(rating: number): number {
  return Math.min(5, Math.max(1, Math.floor(rating + 0.5)));
}

/** A rating line. */
export function rateLine(seconds: number, userId: string, movieId: string, rating: number): string {
  return `${courseTime(seconds)},${userId},GET /rate/${movieId}=${courseStars(rating)}`;
}

/** A watched-minute line. */
export function watchLine(seconds: number, userId: string, movieId: string, minute: number): string {
  return `${courseTime(seconds)},${userId},GET /data/m/${movieId}/${minute}.mpg`;
}
