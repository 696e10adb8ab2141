import { applyParams } from '../../model/algorithms/params.ts';
import { SVD_DEFAULTS } from '../../model/algorithms/svd.ts';
import type { Split } from '../../model/eval/splits.ts';
import { BLEND_DEFAULTS, type BlendConfig } from '../../model/ranking/blend.ts';
import { EASE_DEFAULTS } from '../../model/ranking/ease.ts';
import { blendRankerName, compareRankers, type RankerReport } from '../../model/ranking/ranking-report.ts';
import { checkTargets, type TargetCheck } from '../../model/ranking/ranking-targets.ts';
import { tuneBlend, tuneOrigins, type TuneRow } from '../../model/ranking/tune-blend.ts';
import type { RatingSet } from '../../model/ratings/rating-set.ts';

/** What the ranker comparison of `marquee train --split time --rankers` reports. */
export type RankingEvent =
  | {
      readonly type: 'rankers';
      readonly blend: BlendConfig;
      readonly blendName: string;
      readonly report: RankerReport;
      readonly targets: readonly TargetCheck[];
    }
  | {
      readonly type: 'tuning';
      readonly origins: readonly { readonly train: number; readonly test: number }[];
      /** The best grid points, best first. */
      readonly rows: readonly TuneRow[];
    };

/** Half-lives (days) of the decayed-popularity rows, besides the blend's own. */
const REPORT_HALF_LIVES = [7, 30, 90];
/** The tuning grid (docs/model.md, "Ranking"). */
const GRID = {
  halfLivesDays: [30, 60, 90, 180, 365, 730],
  modelWeights: [0, 0.1, 0.2, 0.3, 0.5, 1],
  coldModelWeights: [0, 0.1, 0.2, 0.3, 0.5, 1],
};

/**
 * Runs the ranker comparison on a time split: popularity, decayed popularity, SVD, the blend and the
 * EASE challenger, side by side; with `tune`, first the blend's grid search on earlier time windows.
 * SVD takes `params` (the job's `--param` overrides that SVD knows).
 */
export function runRankingJob(
  set: RatingSet,
  split: Split,
  options: {
    readonly k: number;
    readonly relevantAt: number;
    readonly testFraction: number;
    readonly params: Readonly<Record<string, string>>;
    readonly tune: boolean;
  },
  report: (event: RankingEvent) => void,
): void {
  const svd = applyParams(SVD_DEFAULTS, options.params).params;
  const base = { k: options.k, relevantAt: options.relevantAt, svd };
  if (options.tune) {
    const origins = tuneOrigins(options.testFraction);
    const rows = tuneBlend(set, { ...base, ...GRID, origins, ease: EASE_DEFAULTS });
    report({ type: 'tuning', origins, rows: rows.slice(0, 10) });
  }
  const blend = BLEND_DEFAULTS;
  const halfLivesDays = [...new Set([...REPORT_HALF_LIVES, blend.halfLifeDays])];
  const result = compareRankers(split, { ...base, halfLivesDays, blend, ease: EASE_DEFAULTS });
  const blendName = blendRankerName('svd', blend.halfLifeDays);
  report({ type: 'rankers', blend, blendName, report: result, targets: checkTargets(result, blendName) });
}
