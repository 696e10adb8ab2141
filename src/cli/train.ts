import { parseArgs } from 'node:util';
import { algorithms } from '../model/algorithms/algorithms.ts';
import { applyParams } from '../model/algorithms/params.ts';
import { formatTable } from '../model/eval/results-table.ts';
import type { SplitSpec } from '../model/eval/splits.ts';
import { startTrainWorker } from '../jobs/train/start-train-worker.ts';
import type { TrainEvent, TrainJob } from '../jobs/train/train-job.ts';
import { UsageError, type Command, type CommandIo } from './command.ts';
import { numberOption } from './options.ts';
import { rankerTables, tuningTable } from './ranking-tables.ts';

const usage = `usage: marquee train [options]

Trains and evaluates offline, in a worker thread; prints one results row per algorithm.
  --dataset NAME|DIR     ml-latest-small (default), synthetic, or a MovieLens directory (100K, 1M, latest)
  --algorithm A[,B]|all  registered: ${Object.keys(algorithms).join(', ')} (default svd)
  --param KEY=VALUE      override a parameter, e.g. --param epochs=40 --param lr=0.01 (repeatable)
  --split time|last-n|kfold
                         time: a global cut-off, the latest --test-fraction of ratings (0..1, default 0.2);
                         last-n: each user's last --last-n ratings (default 10); kfold: --folds (2..1000, 5)
  --seed N               k-fold shuffle seed, an integer 0..2³²−1 (default 1)
  --k N                  top-N list length for ranking metrics (default 10)
  --relevant R           a test rating ≥ R is relevant, 0..10 (default 4)
  --no-ranking           rating accuracy only
  --rankers              with --split time: also compare global and decayed popularity, SVD, the blend
                         and EASE on the same split (all users, users with history, new users)
  --tune-blend           with --rankers: first grid-search the blend on earlier time windows
  --save FILE            refit the first algorithm on all ratings and write its model artifact
  --quiet                no per-epoch progress`;

/** numberOption for a whole-number option. */
function integerOption(
  value: string | undefined,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const n = numberOption(value, name, fallback, min, max);
  if (!Number.isInteger(n))
    throw new UsageError(`--${name} must be an integer within ${min}..${max}, got '${value}'`);
  return n;
}

/** Parses `marquee train` arguments into a job; throws UsageError on anything it cannot run. */
export function parseTrainArgs(args: readonly string[]): { job: TrainJob; quiet: boolean } {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: {
        dataset: { type: 'string', default: 'ml-latest-small' },
        algorithm: { type: 'string', default: 'svd' },
        param: { type: 'string', multiple: true, default: [] },
        split: { type: 'string', default: 'time' },
        'test-fraction': { type: 'string' },
        'last-n': { type: 'string' },
        folds: { type: 'string' },
        seed: { type: 'string' },
        k: { type: 'string' },
        relevant: { type: 'string' },
        'no-ranking': { type: 'boolean', default: false },
        rankers: { type: 'boolean', default: false },
        'tune-blend': { type: 'boolean', default: false },
        save: { type: 'string' },
        quiet: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const v = parsed.values;
  const names = v.algorithm === 'all' ? Object.keys(algorithms) : v.algorithm.split(',');
  for (const name of names) {
    if (!Object.hasOwn(algorithms, name)) throw new UsageError(`unknown algorithm '${name}'`);
  }
  const params: Record<string, string> = {};
  for (const pair of v.param) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param needs KEY=VALUE, got '${pair}'`);
    params[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  for (const key of Object.keys(params)) {
    if (!names.some((n) => Object.hasOwn(algorithms[n]?.defaults ?? {}, key))) {
      throw new UsageError(`no chosen algorithm has a parameter '${key}'`);
    }
  }
  for (const n of names) {
    try {
      applyParams(algorithms[n]?.defaults ?? {}, params);
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
  }
  let split: SplitSpec;
  if (v.split === 'time') {
    const testFraction = numberOption(v['test-fraction'], 'test-fraction', 0.2, 0, 1);
    if (testFraction === 0 || testFraction === 1)
      throw new UsageError(`--test-fraction must be strictly between 0 and 1, got '${v['test-fraction']}'`);
    split = { kind: 'time-cutoff', testFraction };
  } else if (v.split === 'last-n') {
    split = { kind: 'last-n', n: integerOption(v['last-n'], 'last-n', 10, 1, 1_000_000) };
  } else if (v.split === 'kfold') {
    split = {
      kind: 'kfold',
      folds: integerOption(v.folds, 'folds', 5, 2, 1000),
      seed: integerOption(v.seed, 'seed', 1, 0, 2 ** 32 - 1),
    };
  } else throw new UsageError(`--split must be time, last-n or kfold, got '${v.split}'`);
  const ranking = v['no-ranking']
    ? null
    : {
        k: integerOption(v.k, 'k', 10, 1, 10_000),
        relevantAt: numberOption(v.relevant, 'relevant', 4, 0, 10),
      };
  const rankers = v.rankers || v['tune-blend'];
  if (rankers && split.kind !== 'time-cutoff') throw new UsageError('--rankers needs --split time');
  return {
    job: {
      dataset: v.dataset,
      algorithms: names,
      params,
      split,
      ranking,
      save: v.save ?? null,
      ...(rankers ? { rankers: { tune: v['tune-blend'] } } : {}),
    },
    quiet: v.quiet,
  };
}

const fixed = (x: number | undefined, digits: number): string =>
  x === undefined || Number.isNaN(x) ? '' : x.toFixed(digits);

/** One table row per algorithm result: accuracy, median fit time, and the ranking metrics. */
export function resultsTable(results: readonly Extract<TrainEvent, { type: 'result' }>[]): string {
  const k = results.find((r) => r.summary.ranking !== undefined)?.summary.ranking?.k ?? 10;
  const header = [
    'algorithm',
    'RMSE',
    'MAE',
    'fit s',
    `P@${k}`,
    `R@${k}`,
    `NDCG@${k}`,
    'coverage',
    'Gini',
    'genres/list',
  ];
  const rows = results.map(({ algorithm, summary: s }) => {
    const r = s.ranking;
    return [
      algorithm,
      fixed(s.rmse, 4),
      fixed(s.mae, 4),
      fixed(s.medianFitSeconds, 2),
      fixed(r?.precision, 4),
      fixed(r?.recall, 4),
      fixed(r?.ndcg, 4),
      fixed(r?.coverage, 4),
      fixed(r?.gini, 3),
      fixed(r?.genresPerList, 1),
    ];
  });
  return formatTable(header, rows);
}

async function run(args: readonly string[], io: CommandIo): Promise<number> {
  const { job, quiet } = parseTrainArgs(args);
  const results: Extract<TrainEvent, { type: 'result' }>[] = [];
  const after: string[] = [];
  let folds = 1;
  await startTrainWorker(job, (event) => {
    switch (event.type) {
      case 'dataset':
        folds = event.splits.length;
        io.out(
          `${event.name}: ${event.ratings} ratings, ${event.users} users, ${event.items} movies; split: ${event.splits.join(', ')}`,
        );
        break;
      case 'epoch':
        if (!quiet)
          io.err(
            `${event.algorithm} fold ${event.fold + 1}/${folds} epoch ${event.epoch}/${event.epochs} train RMSE ${event.trainRmse.toFixed(4)}`,
          );
        break;
      case 'result':
        results.push(event);
        io.err(`${event.algorithm}: RMSE ${event.summary.rmse.toFixed(4)} (${JSON.stringify(event.params)})`);
        break;
      case 'saved':
        io.out(`saved ${event.algorithm} model artifact to ${event.path} (${event.bytes} bytes)`);
        break;
      case 'tuning':
        after.push(tuningTable(event));
        break;
      case 'rankers':
        after.push(rankerTables(event));
        break;
    }
  });
  io.out(resultsTable(results));
  for (const text of after) io.out(`\n${text}`);
  return 0;
}

/** `marquee train`: offline training and evaluation on a dataset, optionally writing a model artifact. */
export const trainCommand: Command = {
  name: 'train',
  summary: 'train and evaluate models offline (k-fold or time split); optionally save an artifact',
  usage,
  run,
};
