import { describe, expect, it } from 'vitest';
import { createRandom } from '../../lib/random.ts';
import { fitSvd, SVD_DEFAULTS } from '../algorithms/svd.ts';
import type { SvdModel } from '../algorithms/svd-model.ts';
import { scorerRankingMetrics } from '../eval/ranking-metrics.ts';
import { timeCutoffSplit } from '../eval/splits.ts';
import { TopHeap } from '../heap.ts';
import { buildRatingSet } from '../ratings/build-rating-set.ts';
import { indexByUser } from '../ratings/user-index.ts';
import { scoreAllItems, topN } from '../top-n.ts';
import { Blender, PreparedTerm, preparePopularity, type BlendConfig } from './blend.ts';
import { decayedPopularity, DAY_SECONDS } from './popularity.ts';
import {
  blendRankerName,
  compareRankers,
  lastTimestamp,
  svdColdScorer,
  svdScorer,
} from './ranking-report.ts';
import { blendRanker, modelRanker, popularityRanker } from './rankers.ts';

/** 40 users rating 12 of 60 movies each over 100 days; users 30–39 start after most others stop. */
function ratings() {
  const random = createRandom(7);
  const rows = [];
  for (let u = 0; u < 40; u++) {
    const start = u < 30 ? random.uniform(0, 60) : random.uniform(75, 90);
    const taste = u % 3;
    for (let n = 0; n < 12; n++) {
      // Movies of the user's taste class (i % 3) are liked; later days favour higher-numbered movies.
      const day = start + random.uniform(0, 25);
      const item = Math.min(59, Math.floor(random.uniform(0, 40) + day / 5));
      rows.push({
        userId: `u${u}`,
        movieId: `m${item}`,
        rating: item % 3 === taste ? 5 : 1 + random.int(4),
        timestamp: day * DAY_SECONDS,
      });
    }
  }
  return buildRatingSet(rows);
}

const set = ratings();
const split = timeCutoffSplit(set, 0.3);
const { train, test } = split;
const K = 5;
const config: BlendConfig = {
  halfLifeDays: 10,
  weights: { model: 0.6, popularity: 1, cohort: 0 },
  coldWeights: { model: 0.3, popularity: 1, cohort: 0 },
};
const svd: SvdModel = fitSvd(train, { ...SVD_DEFAULTS, factors: 4, epochs: 10 });
const asOf = lastTimestamp(train);
const popularity = decayedPopularity(
  train.items,
  train.timestamps,
  asOf,
  config.halfLifeDays * DAY_SECONDS,
  new Float32Array(train.nItems),
);

/**
 * What serving will do for one request, written out without the offline adapters: the model's scores
 * (or its μ + b_i fallback, prepared, for a user it has no vector for), `Blender.blend` with the
 * user's exclusions, then the top K.
 */
function serve(user: number, seen: ArrayLike<number>): number[] {
  const n = train.nItems;
  const d = svd.data;
  const modelScores = new Float32Array(n);
  const known = svd.knowsUser(user);
  if (known) scoreAllItems(svd, d.userFactors, user * d.factors, d.userBias[user] as number, modelScores);
  else for (let i = 0; i < n; i++) modelScores[i] = svd.knowsItem(i) ? d.mu + (d.itemBias[i] as number) : NaN;
  const scores = Float32Array.from(
    new Blender(n).blend(
      {
        model: known ? modelScores : new PreparedTerm(modelScores),
        popularity: preparePopularity(popularity),
        cohort: null,
      },
      known ? config.weights : config.coldWeights,
      { base: null, exclude: seen },
    ),
  );
  const list = new Int32Array(K);
  const count = topN(scores, seen, new TopHeap(K), list);
  return Array.from(list.subarray(0, count));
}

describe('the blend offline and as serving calls it', () => {
  const seen = indexByUser(train);
  const seenBy = (u: number) => seen.items.subarray(seen.start[u], seen.start[u + 1]);
  const ranker = blendRanker('blend', {
    model: svdScorer(svd),
    coldModel: svdColdScorer(svd),
    popularity,
    cohortOf: null,
    config,
    seen,
  });

  it('ranks every judged test user identically, with and without training history', () => {
    const offline = new Map<number, number[]>();
    scorerRankingMetrics(ranker.score, train, test, {
      k: K,
      relevantAt: 4,
      onList: (u, list, n) => offline.set(u, Array.from(list.subarray(0, n))),
    });
    const users = [...offline.keys()];
    expect(users.some((u) => svd.knowsUser(u))).toBe(true);
    expect(users.some((u) => !svd.knowsUser(u))).toBe(true);
    for (const u of users) expect(offline.get(u), `user ${u}`).toEqual(serve(u, seenBy(u)));
  });

  it("reports the same metrics for the report's blend row as for lists served directly", () => {
    const report = compareRankers(split, {
      k: K,
      relevantAt: 4,
      halfLivesDays: [],
      blend: config,
      svd: { ...SVD_DEFAULTS, factors: 4, epochs: 10 },
      ease: null,
    });
    const row = report.rows.find((r) => r.name === blendRankerName('svd', config.halfLifeDays));
    const direct = scorerRankingMetrics(
      (u, out) => {
        out.fill(-Infinity);
        for (const [rank, item] of serve(u, seenBy(u)).entries()) out[item] = K - rank;
      },
      train,
      test,
      { k: K, relevantAt: 4 },
    );
    expect(row?.all).toEqual(direct);
  });
});

describe('popularityRanker and modelRanker', () => {
  it('gives everyone the popularity list, and the fallback to users the model does not know', () => {
    const out = new Float32Array(3);
    popularityRanker('p', Float32Array.of(1, 3, 2)).score(0, out);
    expect(Array.from(out)).toEqual([1, 3, 2]);
    const model = modelRanker(
      'm',
      (u, o) => {
        if (u !== 1) return false;
        o.set([9, 8, 7]);
        return true;
      },
      Float32Array.of(0, 5, 0),
    );
    model.score(1, out);
    expect(Array.from(out)).toEqual([9, 8, 7]);
    model.score(2, out);
    expect(Array.from(out)).toEqual([0, 5, 0]);
  });
});
