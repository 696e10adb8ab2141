import { describe, expect, it } from 'vitest';
import type { Evaluation, HoldoutScore } from './fit-candidate.ts';
import { decideGate, nothingNew } from './gate.ts';

const score = (rmse: number): HoldoutScore => ({
  rmse,
  mae: rmse * 0.8,
  precision: 0,
  recall: 0,
  ndcg: 0,
  coverage: 0,
  rankedUsers: 0,
});
const evaluation = (
  candidate: number,
  active: number | null,
  compared: 'unseen' | 'all' = 'unseen',
): Evaluation => ({
  baselineRmse: 1.1,
  candidate: score(candidate),
  active: active === null ? null : score(active),
  compared,
  trainRatings: 900,
  holdoutRatings: 100,
  comparedRatings: 100,
  params: {},
});

describe('decideGate', () => {
  it('publishes the first model, and a candidate within the tolerance of the active one', () => {
    expect(decideGate(evaluation(1.05, null), 0.02).publish).toBe(true);
    expect(decideGate(evaluation(0.9, 0.95), 0.02).publish).toBe(true);
    expect(decideGate(evaluation(0.96, 0.95), 0.02).publish).toBe(true);
  });

  it('rejects a candidate worse than the active one by more than the tolerance, saying by how much', () => {
    const d = decideGate(evaluation(1.0, 0.95), 0.02);
    expect(d.publish).toBe(false);
    expect(d.reason).toContain('worse by 0.0500');
  });

  it('judges against predicting the mean when the active model saw most of the holdout', () => {
    expect(decideGate(evaluation(1.0, 0.8, 'all'), 0.02).publish).toBe(true);
    expect(decideGate(evaluation(1.2, 0.8, 'all'), 0.02)).toMatchObject({ publish: false });
    expect(decideGate(evaluation(1.2, null), 0.02).publish).toBe(false);
  });

  it('rejects a candidate without a finite RMSE', () => {
    expect(decideGate(evaluation(Number.NaN, 0.95), 0.02).publish).toBe(false);
  });
});

describe('nothingNew', () => {
  const from = {
    algorithm: 'svd',
    params: { factors: 100, lr: 0.005 },
    watermark: { '0': { offset: '41', index: 2 } },
  };
  const active = {
    ...from,
    version: '4',
    params: { lr: 0.005, factors: 100 },
    watermark: { '0': { index: 2, offset: '41' } },
  };

  it('refuses a candidate trained from the same log with the same algorithm and parameters as the active model', () => {
    const decision = nothingNew(from, active, evaluation(0.9, 0.65, 'all'));
    expect(decision?.publish).toBe(false);
    expect(decision?.reason).toBe(
      'no rating since model 4 was trained, and the same algorithm and parameters: it would be the same model',
    );
  });

  it('leaves the decision to the gate when the log grew, the parameters or the algorithm changed, or there is no active model', () => {
    const e = evaluation(0.9, 0.65, 'all');
    expect(nothingNew({ ...from, watermark: { '0': { offset: '42', index: 0 } } }, active, e)).toBeNull();
    expect(
      nothingNew({ ...from, watermark: { ...from.watermark, '1': { offset: '0', index: 0 } } }, active, e),
    ).toBeNull();
    expect(nothingNew({ ...from, params: { factors: 50, lr: 0.005 } }, active, e)).toBeNull();
    expect(nothingNew({ ...from, algorithm: 'svd++' }, active, e)).toBeNull();
    expect(nothingNew(from, null, e)).toBeNull();
    expect(nothingNew(from, { ...active, watermark: null }, e)).toBeNull();
  });
});
