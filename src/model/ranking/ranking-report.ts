import { fitSvd, type SvdParams } from '../algorithms/svd.ts';
import type { SvdModel } from '../algorithms/svd-model.ts';
import { scorerRankingMetrics, type RankingMetrics } from '../eval/ranking-metrics.ts';
import type { Split } from '../eval/splits.ts';
import type { RatingSet } from '../ratings/rating-set.ts';
import { indexByUser, type UserIndex } from '../ratings/user-index.ts';
import { scoreAllItems, scoreUser } from '../top-n.ts';
import { Blender, PreparedTerm, preparePopularity, type BlendConfig } from './blend.ts';
import { fitEase, scoreEase, type EaseModel, type EaseParams } from './ease.ts';
import { countHeldOutFavourites } from './held-out-favourites.ts';
import { countPopularity, DAY_SECONDS, decayedPopularity } from './popularity.ts';
import { blendRanker, modelRanker, popularityRanker, type ModelScorer, type Ranker } from './rankers.ts';

/** What the ranker comparison on a time split runs. */
export interface RankerReportOptions {
  readonly k: number;
  readonly relevantAt: number;
  /** Half-lives (days) of the decayed-popularity rows. */
  readonly halfLivesDays: readonly number[];
  readonly blend: BlendConfig;
  readonly svd: SvdParams;
  /** The implicit-feedback challenger; null leaves it out. */
  readonly ease: EaseParams | null;
}

/** One ranker's metrics over all judged test users, those with training history, and new ones. */
export interface RankerRow {
  readonly name: string;
  readonly fitSeconds: number;
  readonly all: RankingMetrics;
  readonly history: RankingMetrics;
  readonly newUsers: RankingMetrics;
}

/** The comparison: every ranker on the same split, lists of the same length, the same users. */
export interface RankerReport {
  readonly split: string;
  /** Popularity is decayed to this time (seconds): the last training event. */
  readonly asOf: number;
  readonly rows: readonly RankerRow[];
}

/** The last timestamp of a rating set: what the stream would know at the cut-off. */
export function lastTimestamp(set: RatingSet): number {
  let last = -Infinity;
  for (let k = 0; k < set.timestamps.length; k++) last = Math.max(last, set.timestamps[k] as number);
  return last;
}

/** Which users have at least one training rating. */
export function usersWithHistory(train: RatingSet): Uint8Array {
  const has = new Uint8Array(train.nUsers);
  for (let k = 0; k < train.users.length; k++) has[train.users[k] as number] = 1;
  return has;
}

/** An SVD model's personal scores; false for a user it never trained (serving: no vector). */
export function svdScorer(model: SvdModel): ModelScorer {
  return (user, out) => {
    if (!model.knowsUser(user)) return false;
    const d = model.data;
    scoreAllItems(model, d.userFactors, user * d.factors, d.userBias[user] as number, out);
    return true;
  };
}

/** An SVD model's score for a user it has no vector for: μ + b_i (NaN for items it never trained). */
export function svdColdScorer(model: SvdModel): (out: Float32Array) => void {
  return (out) => {
    const d = model.data;
    for (let i = 0; i < out.length; i++) out[i] = model.knowsItem(i) ? d.mu + (d.itemBias[i] as number) : NaN;
  };
}

/** EASE scores from each user's training history; false for a user with none. */
export function easeScorer(model: EaseModel, seen: UserIndex): ModelScorer {
  const scratch = new Float64Array(model.items.length);
  return (user, out) => {
    const from = seen.start[user] as number;
    const to = seen.start[user + 1] as number;
    if (to === from) return false;
    scoreEase(model, seen.items.subarray(from, to), out, scratch);
    return true;
  };
}

/** Decayed popularity of every item as of the training set's last event, half-life in days. */
export function decayedPopularityOf(train: RatingSet, halfLifeDays: number, asOf: number): Float32Array {
  return decayedPopularity(
    train.items,
    train.timestamps,
    asOf,
    halfLifeDays * DAY_SECONDS,
    new Float32Array(train.nItems),
  );
}

/**
 * The report's last row: every user gets the test period's own most-liked titles (counts of test
 * ratings ≥ relevantAt). It peeks at the test, so it is no ranker: it shows how far any list that is
 * the same for every user — all a user without history can get — could go.
 */
export const ONE_LIST_CEILING = 'one-list ceiling (peeks at the test)';

/** The report's name for a blend of `model` with decayed popularity. */
export function blendRankerName(model: string, halfLifeDays: number): string {
  return `blend ${model} + decayed ${halfLifeDays}d`;
}

function coldScores(model: SvdModel): Float32Array {
  const out = new Float32Array(model.nItems);
  svdColdScorer(model)(out);
  return out;
}

function timed<T>(fit: () => T): { value: T; seconds: number } {
  const started = performance.now();
  const value = fit();
  return { value, seconds: (performance.now() - started) / 1000 };
}

/**
 * Global popularity, decayed popularity at each half-life, SVD alone, the blend of SVD with decayed
 * popularity, and (if asked) EASE alone and blended, on one time split: top-k over every item the user
 * did not rate in training, ratings ≥ relevantAt relevant. Users without history get each ranker's
 * non-personal fallback: SVD's is its bias ranking μ + b_i; the blends' and EASE's are the blend's cold
 * weights over μ + b_i and decayed popularity.
 */
export function compareRankers(split: Split, options: RankerReportOptions): RankerReport {
  const { train, test } = split;
  const asOf = lastTimestamp(train);
  const seen = indexByUser(train);
  const history = usersWithHistory(train);
  const global = countPopularity(train.items, new Float32Array(train.nItems));
  const decayed = new Map<number, Float32Array>();
  for (const h of [...options.halfLivesDays, options.blend.halfLifeDays])
    if (!decayed.has(h)) decayed.set(h, decayedPopularityOf(train, h, asOf));
  const blendPopularity = decayed.get(options.blend.halfLifeDays) as Float32Array;
  const svd = timed(() => fitSvd(train, options.svd));
  const rankers: { ranker: Ranker; fitSeconds: number }[] = [
    { ranker: popularityRanker('global popularity', global), fitSeconds: 0 },
    ...options.halfLivesDays.map((h) => ({
      ranker: popularityRanker(`decayed popularity ${h}d`, decayed.get(h) as Float32Array),
      fitSeconds: 0,
    })),
    { ranker: { name: 'svd', score: (u, out) => scoreUser(svd.value, u, out) }, fitSeconds: svd.seconds },
    {
      ranker: blendRanker(blendRankerName('svd', options.blend.halfLifeDays), {
        model: svdScorer(svd.value),
        coldModel: svdColdScorer(svd.value),
        popularity: blendPopularity,
        cohortOf: null,
        config: options.blend,
        seen,
      }),
      fitSeconds: svd.seconds,
    },
  ];
  if (options.ease !== null) {
    const params = options.ease;
    // EASE has nothing to say about a user without history: those get the SVD blend's cold list.
    const coldBlend = Float32Array.from(
      new Blender(train.nItems).blend(
        {
          model: new PreparedTerm(coldScores(svd.value)),
          popularity: preparePopularity(blendPopularity),
          cohort: null,
        },
        options.blend.coldWeights,
        { base: null, exclude: [] },
      ),
    );
    const ease = timed(() => fitEase(train, params));
    rankers.push(
      {
        ranker: modelRanker('ease', easeScorer(ease.value, seen), coldBlend),
        fitSeconds: ease.seconds,
      },
      {
        ranker: blendRanker(blendRankerName('ease', options.blend.halfLifeDays), {
          model: easeScorer(ease.value, seen),
          coldModel: svdColdScorer(svd.value),
          popularity: blendPopularity,
          cohortOf: null,
          config: options.blend,
          seen,
        }),
        fitSeconds: ease.seconds,
      },
    );
  }
  rankers.push({
    ranker: popularityRanker(
      ONE_LIST_CEILING,
      countHeldOutFavourites(test.items, test.ratings, options.relevantAt, new Float32Array(train.nItems)),
    ),
    fitSeconds: 0,
  });
  const base = { k: options.k, relevantAt: options.relevantAt };
  const rows = rankers.map(({ ranker, fitSeconds }) => ({
    name: ranker.name,
    fitSeconds,
    all: scorerRankingMetrics(ranker.score, train, test, base),
    history: scorerRankingMetrics(ranker.score, train, test, {
      ...base,
      includeUser: (u) => history[u] === 1,
    }),
    newUsers: scorerRankingMetrics(ranker.score, train, test, {
      ...base,
      includeUser: (u) => history[u] !== 1,
    }),
  }));
  return { split: split.name, asOf, rows };
}
