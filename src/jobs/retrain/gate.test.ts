import { describe, expect, it } from 'vitest';
import type { Evaluation, HoldoutScore } from './fit-candidate.ts';
import { decideGate } from './gate.ts';

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
