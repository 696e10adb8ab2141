/**
 * An experiment's report, pure: from the per-user sums the stream kept, the batches the worker cut and
 * the served lists with their watches, per arm the users, ratings, batch RMSEs and watch-through; then
 * each arm against the first (control) with the user as the unit — Welch on per-user means with its
 * CI, the delta-method ratio, the always-valid sequential test — beside the seed's per-rating test;
 * the SRM check on users exposed; and the verdict on the primary metric.
 */
import {
  analyseMetric,
  perRatingTest,
  verdictOf,
  type MetricAnalysis,
  type RatingSums,
  type Verdict,
} from './stats/analyse.ts';
import type { SequentialLook } from './stats/sequential.ts';
import { srmCheck, type SrmCheck } from './stats/srm.ts';
import { unitSumsOf } from './stats/units.ts';
import type { Comparison } from './stats/welch.ts';
import { armLabel, type Assignment, type ExperimentArm } from './experiment.ts';

/** The experiment as the report needs it. */
export interface ReportExperiment {
  readonly id: string;
  readonly name: string;
  readonly arms: readonly ExperimentArm[];
  readonly assignment: Assignment;
  readonly primaryMetric: 'rmse' | 'watch-through';
  readonly alpha: number;
  readonly tuning: number;
  readonly startedAt: Date;
  readonly stoppedAt: Date | null;
  /** Running minimum of the always-valid p over earlier looks (null before the first). */
  readonly minP: number | null;
  readonly looks: number;
}

/** Everything the report is computed from. */
export interface ReportInput {
  readonly experiment: ReportExperiment;
  /** Per arm name: each user's [Σe², ratings] of the ratings predicted by the arm's model. */
  readonly users: ReadonlyMap<string, readonly (readonly [number, number])[]>;
  /** Per arm name: count, Σe², Σe⁴ over those ratings. */
  readonly ratings: ReadonlyMap<string, RatingSums>;
  /** Per arm name: RMSE of each batch of 1,000, in order, with when it closed. */
  readonly batches: ReadonlyMap<string, readonly { readonly rmse: number; readonly closedAt: string }[]>;
  /** Per arm name: each exposed user's [lists served, lists followed by a watch within 24 h]. */
  readonly lists: ReadonlyMap<string, readonly (readonly [number, number])[]>;
  /** Lists younger than 24 h (their watch window is still open; counted with the watches so far). */
  readonly openLists: number;
}

/** One arm in the report. */
export interface ArmReport {
  readonly name: string;
  readonly version: string;
  readonly weight: number;
  readonly label: string;
  /** Users served at least one list under this arm. */
  readonly exposedUsers: number;
  /** Users with at least one rating predicted by this arm's model. */
  readonly ratedUsers: number;
  readonly ratings: number;
  /** √(Σe²/n) over every predicted rating. */
  readonly rmse: number;
  readonly batches: readonly { readonly rmse: number; readonly closedAt: string }[];
  readonly lists: number;
  readonly watchThrough: number;
}

/** One arm against the control, on both metrics; differences are arm − control. */
export interface ArmComparison {
  readonly arm: string;
  /** MSE (squared stars) per user, ratio and sequential; plus the seed's per-rating test on the same data. */
  readonly mse: MetricAnalysis & { readonly perRating: Comparison };
  /** RMSE difference in stars (√ of each arm's rating-weighted MSE). */
  readonly rmseDiff: number;
  readonly watchThrough: MetricAnalysis;
}

/** The verdict on the primary metric. */
export interface Decision {
  readonly metric: 'rmse' | 'watch-through';
  readonly verdict: Verdict;
  /** The arm the verdict favours, when there is one. */
  readonly winner: string | null;
  /** This look's always-valid p, and the running minimum including it. */
  readonly p: number;
  readonly minP: number;
  readonly look: number;
  readonly ci: SequentialLook['ci'];
}

/** The whole report (also the JSON of GET /v1/experiments/<id>). */
export interface ExperimentReport {
  readonly id: string;
  readonly name: string;
  readonly assignment: Assignment;
  readonly primaryMetric: 'rmse' | 'watch-through';
  readonly alpha: number;
  readonly tuning: number;
  readonly startedAt: string;
  readonly stoppedAt: string | null;
  readonly arms: readonly ArmReport[];
  readonly comparisons: readonly ArmComparison[];
  readonly srm: SrmCheck;
  readonly openLists: number;
  readonly decision: Decision;
}

const sum = (xs: readonly (readonly [number, number])[], k: 0 | 1) => xs.reduce((s, x) => s + x[k], 0);

/** Computes the report of one look. */
export function buildReport(input: ReportInput): ExperimentReport {
  const e = input.experiment;
  const settings = { alpha: e.alpha, tuning: e.tuning };
  const arms: ArmReport[] = e.arms.map((a) => {
    const users = input.users.get(a.name) ?? [];
    const lists = input.lists.get(a.name) ?? [];
    const r = input.ratings.get(a.name) ?? { n: 0, se: 0, se2: 0 };
    const known = sum(lists, 0);
    return {
      name: a.name,
      version: a.version,
      weight: a.weight,
      label: armLabel(e.id, a.name),
      exposedUsers: lists.length,
      ratedUsers: users.filter((u) => u[1] > 0).length,
      ratings: r.n,
      rmse: r.n === 0 ? NaN : Math.sqrt(r.se / r.n),
      batches: input.batches.get(a.name) ?? [],
      lists: known,
      watchThrough: known === 0 ? NaN : sum(lists, 1) / known,
    };
  });
  const [control] = e.arms;
  const unitsOf = (name: string) => unitSumsOf(input.users.get(name) ?? []);
  // Watch-through per user: lists followed by a watch over lists with a known outcome.
  const listUnitsOf = (name: string) =>
    unitSumsOf((input.lists.get(name) ?? []).map(([n, w]) => [w, n] as const));
  const comparisons: ArmComparison[] = e.arms.slice(1).map((arm) => {
    const mse = analyseMetric(unitsOf(control!.name), unitsOf(arm.name), settings);
    return {
      arm: arm.name,
      mse: {
        ...mse,
        perRating: perRatingTest(
          input.ratings.get(control!.name) ?? { n: 0, se: 0, se2: 0 },
          input.ratings.get(arm.name) ?? { n: 0, se: 0, se2: 0 },
          e.alpha,
        ),
      },
      rmseDiff: Math.sqrt(mse.arms[1].ratio) - Math.sqrt(mse.arms[0].ratio),
      watchThrough: analyseMetric(listUnitsOf(control!.name), listUnitsOf(arm.name), settings),
    };
  });
  const srm = srmCheck(
    arms.map((a) => a.exposedUsers),
    e.arms.map((a) => a.weight),
  );
  const first = comparisons[0];
  const primary =
    first === undefined ? undefined : e.primaryMetric === 'rmse' ? first.mse : first.watchThrough;
  const look = primary?.sequential ?? { p: NaN, ci: [NaN, NaN] as const };
  const minP = Math.min(e.minP ?? 1, Number.isFinite(look.p) ? look.p : 1);
  const verdict = verdictOf(
    look,
    primary?.perUser.diff ?? NaN,
    minP,
    e.alpha,
    e.primaryMetric === 'rmse',
    srm.flagged,
  );
  return {
    id: e.id,
    name: e.name,
    assignment: e.assignment,
    primaryMetric: e.primaryMetric,
    alpha: e.alpha,
    tuning: e.tuning,
    startedAt: e.startedAt.toISOString(),
    stoppedAt: e.stoppedAt?.toISOString() ?? null,
    arms,
    comparisons,
    srm,
    openLists: input.openLists,
    decision: {
      metric: e.primaryMetric,
      verdict,
      winner: verdict === 'a-better' ? control!.name : verdict === 'b-better' ? (first?.arm ?? null) : null,
      p: look.p,
      minP,
      look: e.looks + 1,
      ci: look.ci,
    },
  };
}
