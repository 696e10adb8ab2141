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

/** A ranked item as rank noise sees it: its id and, when the catalogue knows it, its genres. */
export interface NoisyItem {
  readonly movieId: string;
  readonly movie?: { readonly genres: readonly string[] };
}

/**
 * The served `limit` of `ranked` (best first): the exact head when off, else the noisy draw. The draw
 * keeps the diversity guarantee of the list it draws from: once the slots left are no more than the
 * genres still missing (up to `minGenres`, as far as `ranked` has them), a slot takes the next item in
 * noisy order that brings a new genre, as the genre re-rank does (diversify.ts). Everything drawn was
 * in `ranked`, so the guard's exclusions (age, already seen) hold as they did there.
 */
export function noisyRanking<T extends NoisyItem>(
  secret: string,
  userId: string,
  ranked: readonly T[],
  limit: number,
  options: RankNoiseOptions,
  minGenres = 0,
): T[] {
  if (options.scale <= 0) return ranked.slice(0, limit);
  const order = ranked
    .map((item, k) => ({ item, key: k + options.scale * pairGaussian(secret, userId, item.movieId) }))
    .sort((a, b) => a.key - b.key)
    .map((x) => x.item);
  return firstWithGenres(order, limit, minGenres);
}

const genresOf = (item: NoisyItem): readonly string[] => item.movie?.genres ?? [];

/** The first `limit` of `order`, except that slots are forced to bring new genres when they must. */
function firstWithGenres<T extends NoisyItem>(order: readonly T[], limit: number, minGenres: number): T[] {
  const want = Math.min(minGenres, new Set(order.flatMap(genresOf)).size);
  const covered = new Set<string>();
  const used = new Uint8Array(order.length);
  const out: T[] = [];
  let next = 0;
  while (out.length < limit) {
    while (next < order.length && used[next] === 1) next++;
    if (next === order.length) break;
    let k = next;
    if (want - covered.size >= limit - out.length) {
      const bringing = order.findIndex(
        (item, j) => used[j] === 0 && genresOf(item).some((g) => !covered.has(g)),
      );
      if (bringing >= 0) k = bringing;
    }
    const item = order[k] as T;
    used[k] = 1;
    out.push(item);
    for (const g of genresOf(item)) covered.add(g);
  }
  return out;
}
