import { fitSvd, type SvdParams } from '../algorithms/svd.ts';
import { scorerRankingMetrics, type RankingMetrics } from '../eval/ranking-metrics.ts';
import { timeWindowSplit } from '../eval/splits.ts';
import type { RatingSet } from '../ratings/rating-set.ts';
import { indexByUser } from '../ratings/user-index.ts';
import { fitEase, type EaseParams } from './ease.ts';
import { blendRanker, type ModelScorer, type Ranker } from './rankers.ts';
import {
  decayedPopularityOf,
  easeScorer,
  lastTimestamp,
  svdColdScorer,
  svdScorer,
  usersWithHistory,
} from './ranking-report.ts';

/** The tuning grid and where it looks: earlier time windows only, never the reported test period. */
export interface TuneOptions {
  readonly k: number;
  readonly relevantAt: number;
  /** Each origin trains on the first `train` share of ratings by time and tests on the next `test` share. */
  readonly origins: readonly { readonly train: number; readonly test: number }[];
  readonly halfLivesDays: readonly number[];
  /** w_model values for users with history; w_pop is fixed at 1 (only the ratio changes a ranking), w_cohort at 0. */
  readonly modelWeights: readonly number[];
  /** w_model values for new users, whose model term is the item-quality fallback μ + b_i. */
  readonly coldModelWeights: readonly number[];
  readonly svd: SvdParams;
  readonly ease: EaseParams | null;
}

/**
 * Four consecutive windows of 10 % of the ratings each, the last ending where the final time split's
 * test (the latest `testFraction`) begins: 0.4–0.5, …, 0.7–0.8 for the default 0.2.
 */
export function tuneOrigins(testFraction: number): { train: number; test: number }[] {
  const end = 1 - testFraction;
  return [0.4, 0.3, 0.2, 0.1]
    .map((back) => ({ train: Math.round((end - back) * 1000) / 1000, test: 0.1 }))
    .filter((o) => o.train > 0);
}

/** Accuracy pooled over the origins: per-user means, each origin weighted by its users. */
export interface PooledMetrics {
  readonly users: number;
  readonly hitRate: number;
  readonly precision: number;
  readonly recall: number;
  readonly ndcg: number;
}

/** One grid point, pooled over every origin. */
export interface TuneRow {
  readonly model: 'svd' | 'ease';
  readonly halfLifeDays: number;
  readonly modelWeight: number;
  readonly coldModelWeight: number;
  readonly all: PooledMetrics;
  readonly history: PooledMetrics;
  readonly newUsers: PooledMetrics;
}

class Pool {
  users = 0;
  hitRate = 0;
  precision = 0;
  recall = 0;
  ndcg = 0;
  add(m: RankingMetrics): void {
    if (m.users === 0) return;
    this.users += m.users;
    this.hitRate += m.hitRate * m.users;
    this.precision += m.precision * m.users;
    this.recall += m.recall * m.users;
    this.ndcg += m.ndcg * m.users;
  }
  mean(): PooledMetrics {
    const n = this.users || NaN;
    return {
      users: this.users,
      hitRate: this.hitRate / n,
      precision: this.precision / n,
      recall: this.recall / n,
      ndcg: this.ndcg / n,
    };
  }
}

/**
 * Grid search of the blend's half-life and model weights on rolling origins. A user's list depends
 * only on the weights of its own kind (history or new), so the two are measured separately and every
 * combination is pooled from them. Rows come back best first by pooled precision@k over all users,
 * then recall.
 */
export function tuneBlend(set: RatingSet, options: TuneOptions): TuneRow[] {
  const models: ('svd' | 'ease')[] = options.ease === null ? ['svd'] : ['svd', 'ease'];
  const history = new Map<string, Pool>();
  const fresh = new Map<string, Pool>();
  const pool = (pools: Map<string, Pool>, key: string): Pool => {
    const found = pools.get(key) ?? new Pool();
    pools.set(key, found);
    return found;
  };
  const base = { k: options.k, relevantAt: options.relevantAt };
  const none = { model: 0, popularity: 1, cohort: 0 };
  for (const origin of options.origins) {
    const { train, test } = timeWindowSplit(set, origin.train, origin.test);
    const asOf = lastTimestamp(train);
    const seen = indexByUser(train);
    const has = usersWithHistory(train);
    const svd = fitSvd(train, options.svd);
    const scorers: Record<string, ModelScorer> = { svd: svdScorer(svd) };
    if (options.ease !== null) scorers['ease'] = easeScorer(fitEase(train, options.ease), seen);
    const judge = (ranker: Ranker, ofHistory: boolean) =>
      scorerRankingMetrics(ranker.score, train, test, {
        ...base,
        includeUser: (u) => (has[u] === 1) === ofHistory,
      });
    for (const h of options.halfLivesDays) {
      const popularity = decayedPopularityOf(train, h, asOf);
      for (const wc of options.coldModelWeights) {
        const ranker = blendRanker('cold', {
          model: null,
          coldModel: svdColdScorer(svd),
          popularity,
          cohortOf: null,
          config: { weights: none, coldWeights: { ...none, model: wc } },
          seen,
        });
        pool(fresh, `${h} ${wc}`).add(judge(ranker, false));
      }
      for (const model of models) {
        for (const w of options.modelWeights) {
          const ranker = blendRanker('blend', {
            model: scorers[model] ?? null,
            coldModel: null,
            popularity,
            cohortOf: null,
            config: { weights: { ...none, model: w }, coldWeights: none },
            seen,
          });
          pool(history, `${model} ${h} ${w}`).add(judge(ranker, true));
        }
      }
    }
  }
  const rows: TuneRow[] = [];
  for (const model of models) {
    for (const h of options.halfLivesDays) {
      for (const w of options.modelWeights) {
        for (const wc of options.coldModelWeights) {
          const hist = pool(history, `${model} ${h} ${w}`).mean();
          const cold = pool(fresh, `${h} ${wc}`).mean();
          const all = new Pool();
          for (const m of [hist, cold]) {
            if (m.users > 0) all.add({ ...m, k: options.k, coverage: NaN, gini: NaN, genresPerList: NaN });
          }
          rows.push({
            model,
            halfLifeDays: h,
            modelWeight: w,
            coldModelWeight: wc,
            all: all.mean(),
            history: hist,
            newUsers: cold,
          });
        }
      }
    }
  }
  return rows.sort((a, b) => b.all.precision - a.all.precision || b.all.recall - a.all.recall);
}
