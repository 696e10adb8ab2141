import { createRandom, type Random } from '../../lib/random.ts';
import { analyseMetric, perRatingTest, type RatingSums } from './analyse.ts';
import { srmCheck } from './srm.ts';
import { addUnit, NO_UNITS, type UnitSums } from './units.ts';

/**
 * A simulated experiment on online RMSE, for bench:ab and the statistics' tests: users arrive one at a
 * time and are assigned to B with probability `shareB`; each rates a heavy-tailed number of titles
 * (lognormal, median `medianRatings`), with residuals that share the user's bias and spread (what makes
 * one user's ratings dependent). Arm B's residuals are scaled by `1 − effect` (its RMSE is that much
 * lower). The tests are read every `usersPerLook` users, `looks` times.
 */
export interface SimulationSettings {
  readonly runs: number;
  readonly looks: number;
  readonly usersPerLook: number;
  readonly shareB: number;
  readonly effect: number;
  readonly medianRatings: number;
  readonly alpha: number;
  readonly seed: number;
}

/** Defaults: 50 looks of 20 users (1,000 users), a median of 20 ratings per user (MovieLens 100K has ≈ 65; fewer keeps the simulation quick). */
export const SIMULATION_DEFAULTS: SimulationSettings = {
  runs: 1000,
  looks: 50,
  usersPerLook: 20,
  shareB: 0.5,
  effect: 0,
  medianRatings: 20,
  alpha: 0.05,
  seed: 1,
};

/** What happened in one simulated experiment. */
export interface SimulatedRun {
  /** First look (1-based) at which each test rejected, or 0 when it never did. */
  readonly naiveUserLook: number;
  readonly naivePerRatingLook: number;
  readonly sequentialLook: number;
  /** Sign of B − A in MSE at the sequential test's first rejection (−1: B better). */
  readonly sequentialSign: number;
  /** The fixed-horizon tests read once, at the last look. */
  readonly fixedUserRejects: boolean;
  readonly fixedPerRatingRejects: boolean;
  /** Whether the SRM check was flagged at the last look. */
  readonly srmFlagged: boolean;
}

interface Arm {
  units: UnitSums;
  ratings: { n: number; se: number; se2: number };
}

function simulateUser(random: Random, settings: SimulationSettings, scale: number): [number, number, number] {
  const n = Math.min(2000, 1 + Math.floor(Math.exp(random.normal(Math.log(settings.medianRatings), 1))));
  const bias = random.normal(0, 0.35);
  const spread = 0.85 * Math.exp(random.normal(0, 0.35));
  let sse = 0;
  let se2 = 0;
  for (let r = 0; r < n; r++) {
    const e = random.normal(bias, spread) * scale;
    sse += e * e;
    se2 += e ** 4;
  }
  return [n, sse, se2];
}

/** Runs one simulated experiment. */
export function simulateRun(settings: SimulationSettings, seed: number): SimulatedRun {
  const random = createRandom(seed);
  const arms: [Arm, Arm] = [
    { units: NO_UNITS, ratings: { n: 0, se: 0, se2: 0 } },
    { units: NO_UNITS, ratings: { n: 0, se: 0, se2: 0 } },
  ];
  const tuning = settings.looks * settings.usersPerLook;
  const out = {
    naiveUserLook: 0,
    naivePerRatingLook: 0,
    sequentialLook: 0,
    sequentialSign: 0,
    fixedUserRejects: false,
    fixedPerRatingRejects: false,
    srmFlagged: false,
  };
  for (let look = 1; look <= settings.looks; look++) {
    for (let u = 0; u < settings.usersPerLook; u++) {
      const b = random.next() < settings.shareB ? 1 : 0;
      const [n, sse, se2] = simulateUser(random, settings, b === 1 ? 1 - settings.effect : 1);
      const arm = arms[b] as Arm;
      arm.units = addUnit(arm.units, sse, n);
      arm.ratings = { n: arm.ratings.n + n, se: arm.ratings.se + sse, se2: arm.ratings.se2 + se2 };
    }
    const [a, b] = arms;
    const metric = analyseMetric(a.units, b.units, { alpha: settings.alpha, tuning });
    const perRating = perRatingTest(a.ratings as RatingSums, b.ratings as RatingSums, settings.alpha);
    if (out.naiveUserLook === 0 && metric.perUser.p < settings.alpha) out.naiveUserLook = look;
    if (out.naivePerRatingLook === 0 && perRating.p < settings.alpha) out.naivePerRatingLook = look;
    if (out.sequentialLook === 0 && metric.sequential.p < settings.alpha) {
      out.sequentialLook = look;
      out.sequentialSign = Math.sign(metric.perUser.diff);
    }
    if (look === settings.looks) {
      out.fixedUserRejects = metric.perUser.p < settings.alpha;
      out.fixedPerRatingRejects = perRating.p < settings.alpha;
      out.srmFlagged = srmCheck([a.units.k, b.units.k], [0.5, 0.5]).flagged;
    }
  }
  return out;
}

/** Runs `settings.runs` experiments with seeds seed, seed + 1, … */
export function simulate(settings: SimulationSettings): SimulatedRun[] {
  return Array.from({ length: settings.runs }, (_, r) => simulateRun(settings, settings.seed + r * 7919));
}
