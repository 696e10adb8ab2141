import { describe, expect, it } from 'vitest';
import { UsageError } from './command.ts';
import { parseTrainArgs, resultsTable } from './train.ts';

describe('parseTrainArgs', () => {
  it('defaults to SVD on ml-latest-small with a time cut-off split and ranking at 10', () => {
    const { job, quiet } = parseTrainArgs([]);
    expect(job).toEqual({
      dataset: 'ml-latest-small',
      algorithms: ['svd'],
      params: {},
      split: { kind: 'time-cutoff', testFraction: 0.2 },
      ranking: { k: 10, relevantAt: 4 },
      save: null,
    });
    expect(quiet).toBe(false);
  });

  it('reads k-fold, last-n, params and save options', () => {
    const a = parseTrainArgs([
      '--split',
      'kfold',
      '--folds',
      '3',
      '--seed',
      '7',
      '--param',
      'epochs=40',
      '--save',
      'm.mqmf',
    ]);
    expect(a.job.split).toEqual({ kind: 'kfold', folds: 3, seed: 7 });
    expect(a.job.params).toEqual({ epochs: '40' });
    expect(a.job.save).toBe('m.mqmf');
    expect(parseTrainArgs(['--split', 'last-n', '--last-n', '5', '--no-ranking']).job).toMatchObject({
      split: { kind: 'last-n', n: 5 },
      ranking: null,
    });
  });

  it('asks for the ranker comparison with --rankers, and the grid search first with --tune-blend', () => {
    expect(parseTrainArgs(['--rankers']).job.rankers).toEqual({ tune: false });
    expect(parseTrainArgs(['--tune-blend', '--k', '20']).job).toMatchObject({
      rankers: { tune: true },
      ranking: { k: 20, relevantAt: 4 },
    });
    expect(parseTrainArgs([]).job.rankers).toBeUndefined();
    expect(() => parseTrainArgs(['--rankers', '--split', 'kfold'])).toThrow(
      new UsageError('--rankers needs --split time'),
    );
  });

  it('rejects unknown algorithms, parameters, splits and malformed values as usage errors', () => {
    expect(() => parseTrainArgs(['--algorithm', 'magic'])).toThrow(UsageError);
    expect(() => parseTrainArgs(['--param', 'epochz=3'])).toThrow(
      /no chosen algorithm has a parameter 'epochz'/,
    );
    expect(() => parseTrainArgs(['--param', 'lr=fast'])).toThrow(UsageError);
    expect(() => parseTrainArgs(['--param', 'lr'])).toThrow(/KEY=VALUE/);
    expect(() => parseTrainArgs(['--split', 'random'])).toThrow(/--split/);
    expect(() => parseTrainArgs(['--folds', '0', '--split', 'kfold'])).toThrow(
      /--folds must be a number within 2\.\.1000, got '0'/,
    );
    expect(() => parseTrainArgs(['--folds', '2.5', '--split', 'kfold'])).toThrow(
      /--folds must be an integer/,
    );
    expect(() => parseTrainArgs(['--test-fraction', '1'])).toThrow(/strictly between 0 and 1/);
    expect(() => parseTrainArgs(['--k', '0'])).toThrow(/--k must be a number within 1\.\.10000/);
    expect(() => parseTrainArgs(['--bogus'])).toThrow(UsageError);
  });

  it('rejects a malformed --seed or --relevant instead of computing NaN metrics', () => {
    expect(() => parseTrainArgs(['--split', 'kfold', '--seed', 'x'])).toThrow(
      new UsageError("--seed must be a number within 0..4294967295, got 'x'"),
    );
    expect(() => parseTrainArgs(['--split', 'kfold', '--seed', '1.5'])).toThrow(/--seed must be an integer/);
    expect(() => parseTrainArgs(['--relevant', 'four'])).toThrow(
      new UsageError("--relevant must be a number within 0..10, got 'four'"),
    );
    expect(() => parseTrainArgs(['--relevant', '4,5'])).toThrow(UsageError);
    expect(parseTrainArgs(['--relevant', '3.5']).job.ranking).toEqual({ k: 10, relevantAt: 3.5 });
  });

  it('rejects Object.prototype names as unknown algorithms and parameters', () => {
    expect(() => parseTrainArgs(['--algorithm', 'toString'])).toThrow(
      new UsageError("unknown algorithm 'toString'"),
    );
    expect(() => parseTrainArgs(['--algorithm', 'svd,constructor'])).toThrow(
      /unknown algorithm 'constructor'/,
    );
    expect(() => parseTrainArgs(['--param', 'constructor=1'])).toThrow(
      /no chosen algorithm has a parameter 'constructor'/,
    );
  });
});

describe('resultsTable', () => {
  it('prints one row per algorithm with accuracy, fit time and ranking metrics', () => {
    const text = resultsTable([
      {
        type: 'result',
        algorithm: 'svd',
        params: {},
        folds: [],
        summary: {
          folds: 1,
          rmse: 0.87346,
          mae: 0.67,
          medianFitSeconds: 0.5,
          ranking: {
            k: 5,
            users: 10,
            hitRate: 0.5,
            precision: 0.1,
            recall: 0.2,
            ndcg: 0.3,
            coverage: 0.05,
            gini: 0.9,
            genresPerList: 7.25,
          },
        },
      },
    ]);
    const [header, , row] = text.split('\n');
    expect(header).toContain('NDCG@5');
    expect(row?.split(/\s+/)).toEqual([
      'svd',
      '0.8735',
      '0.6700',
      '0.50',
      '0.1000',
      '0.2000',
      '0.3000',
      '0.0500',
      '0.900',
      '7.3',
    ]);
  });
});
