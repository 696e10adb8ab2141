import { createHmac } from 'node:crypto';

/**
 * Rank noise on served lists, against copying the ranking by querying it (docs/threat-model.md, A4):
 * a list of `limit` is drawn from the best `limit · depth` by sorting their positions plus Gaussian
 * noise of `scale` positions, fixed per (user, movie) under a server-side secret, so a repeated query
 * shows the same list and averaging recovers nothing.
 */
export interface RankNoiseOptions {
  /** Standard deviation of the noise, in list positions; 0 turns it off. */
  readonly scale: number;
  /** Candidates the list is drawn from, as a multiple of its length (≥ 1). */
  readonly depth: number;
}

/** Off: lists are the exact ranking. */
export const RANK_NOISE_OFF: RankNoiseOptions = { scale: 0, depth: 1 };

/** A standard normal fixed by (secret, user, movie): HMAC-SHA256 of the pair, then Box–Muller. */
export function pairGaussian(secret: string, userId: string, movieId: string): number {
  const digest = createHmac('sha256', secret).update(`rank\u0000${userId}\u0000${movieId}`).digest();
  const u1 = (digest.readUInt32LE(0) + 1) / 4294967297;
  const u2 = digest.readUInt32LE(4) / 4294967296;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** How many candidates to ask for to serve `limit` (at most `most`, e.g. the candidate pool). */
export function rankNoiseDepth(limit: number, options: RankNoiseOptions, most = 200): number {
  return options.scale > 0 ? Math.max(limit, Math.min(most, Math.round(limit * options.depth))) : limit;
}

/** The served `limit` of `ranked` (best first): the exact head when off, else the noisy draw. */
export function noisyRanking<T extends { readonly movieId: string }>(
  secret: string,
  userId: string,
  ranked: readonly T[],
  limit: number,
  options: RankNoiseOptions,
): T[] {
  if (options.scale <= 0) return ranked.slice(0, limit);
  return ranked
    .map((item, k) => ({ item, key: k + options.scale * pairGaussian(secret, userId, item.movieId) }))
    .sort((a, b) => a.key - b.key)
    .slice(0, limit)
    .map((x) => x.item);
}
