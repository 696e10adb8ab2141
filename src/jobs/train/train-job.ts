import { stat } from 'node:fs/promises';
import { loadDataset } from '../../data/load-dataset.ts';
import { algorithms } from '../../model/algorithms/algorithms.ts';
import { saveArtifactFile } from '../../store/artifact-file.ts';
import { buildRatingSet } from '../../model/ratings/build-rating-set.ts';
import { evaluate, summarise, type FoldResult, type Summary } from '../../model/eval/evaluate.ts';
import { applyParams } from '../../model/algorithms/params.ts';
import { makeSplits, type SplitSpec } from '../../model/eval/splits.ts';
import { svdToArtifact } from '../../model/svd-artifact.ts';
import { SvdModel } from '../../model/algorithms/svd-model.ts';
import { runRankingJob, type RankingEvent } from './ranking-job.ts';

/** What `marquee train` asks for; plain data so it crosses into the worker thread. */
export interface TrainJob {
  /** `ml-latest-small`, `synthetic`, or a MovieLens directory (100K, 1M, latest). */
  readonly dataset: string;
  readonly algorithms: readonly string[];
  /** `key=value` overrides, applied to every chosen algorithm that has the key. */
  readonly params: Readonly<Record<string, string>>;
  readonly split: SplitSpec;
  /** Top-N list length and relevance threshold; null skips ranking metrics. */
  readonly ranking: { readonly k: number; readonly relevantAt: number } | null;
  /** Where to write the artifact of the first chosen algorithm refitted on all ratings (biased MF only). */
  readonly save: string | null;
  /** Time split only: compare popularity, decayed popularity, SVD, the blend and EASE (`tune`: grid first). */
  readonly rankers?: { readonly tune: boolean } | null;
}

/** What a running job reports, in order: a header, per-epoch progress, one result per algorithm. */
export type TrainEvent =
  | {
      readonly type: 'dataset';
      readonly name: string;
      readonly ratings: number;
      readonly users: number;
      readonly items: number;
      readonly splits: readonly string[];
    }
  | {
      readonly type: 'epoch';
      readonly algorithm: string;
      readonly fold: number;
      readonly epoch: number;
      readonly epochs: number;
      readonly trainRmse: number;
    }
  | {
      readonly type: 'result';
      readonly algorithm: string;
      readonly params: object;
      readonly folds: readonly FoldResult[];
      readonly summary: Summary;
    }
  | { readonly type: 'saved'; readonly algorithm: string; readonly path: string; readonly bytes: number }
  | RankingEvent;

/** Runs a training job to completion, reporting as it goes. CPU-bound: run it in a worker thread. */
export async function runTrainJob(job: TrainJob, report: (event: TrainEvent) => void): Promise<void> {
  if (job.rankers != null && job.split.kind !== 'time-cutoff')
    throw new Error('the ranker comparison needs the time split (--split time)');
  const dataset = await loadDataset(job.dataset);
  const set = buildRatingSet(dataset.ratings);
  const splits = makeSplits(set, job.split);
  report({
    type: 'dataset',
    name: dataset.name,
    ratings: set.ratings.length,
    users: set.nUsers,
    items: set.nItems,
    splits: splits.map((s) => s.name),
  });
  const genres = new Map(dataset.movies.map((m) => [m.movieId, m.genres]));
  const genresOf = (item: number): readonly string[] => genres.get(set.itemIds[item] ?? '') ?? [];
  for (const name of job.algorithms) {
    const algorithm = Object.hasOwn(algorithms, name) ? algorithms[name] : undefined;
    if (algorithm === undefined) throw new Error(`unknown algorithm '${name}'`);
    const { params } = applyParams(algorithm.defaults, job.params);
    const folds = evaluate(algorithm, params, splits, {
      ...(job.ranking === null ? {} : { ranking: { ...job.ranking, genresOf } }),
      onEpoch: (fold, epoch, epochs, trainRmse) =>
        report({ type: 'epoch', algorithm: name, fold, epoch, epochs, trainRmse }),
    });
    report({ type: 'result', algorithm: name, params, folds, summary: summarise(folds) });
    if (job.save !== null && name === job.algorithms[0]) {
      const model = algorithm.fit(set, params);
      if (!(model instanceof SvdModel))
        throw new Error(`--save supports biased-MF models; '${name}' is not one`);
      await saveArtifactFile(job.save, svdToArtifact(model));
      const { size } = await stat(job.save);
      report({ type: 'saved', algorithm: name, path: job.save, bytes: size });
    }
  }
  const [split] = splits;
  if (job.rankers != null && job.split.kind === 'time-cutoff' && split !== undefined) {
    const { k, relevantAt } = job.ranking ?? { k: 20, relevantAt: 4 };
    const { testFraction } = job.split;
    runRankingJob(
      set,
      split,
      { k, relevantAt, testFraction, params: job.params, tune: job.rankers.tune },
      report,
    );
  }
}
