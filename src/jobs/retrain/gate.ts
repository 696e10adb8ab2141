/**
 * The publish gate: a candidate replaces the active model only when it is not worse on the same
 * holdout by more than `tolerance` (RMSE, absolute). The comparison is fair only on ratings the
 * active model never trained on; when too few of those exist (little has arrived since it was
 * trained), the active model would be judged on its own training data, so the candidate must instead
 * beat predicting the mean. The ranking metrics are recorded beside it for people; the gate itself
 * looks at RMSE, the metric both models were trained for.
 */
import type { Evaluation } from './fit-candidate.ts';

/** What the gate decided and why. */
export interface GateDecision {
  readonly publish: boolean;
  readonly reason: string;
  readonly tolerance: number;
  readonly candidateRmse: number;
  readonly activeRmse: number | null;
}

/** Decides whether the evaluated candidate may be published. */
export function decideGate(e: Evaluation, tolerance: number): GateDecision {
  const candidateRmse = e.candidate.rmse;
  const activeRmse = e.active?.rmse ?? null;
  const base = { tolerance, candidateRmse, activeRmse };
  if (!Number.isFinite(candidateRmse))
    return { ...base, publish: false, reason: 'the candidate has no finite holdout RMSE' };
  if (activeRmse === null || !Number.isFinite(activeRmse) || e.compared === 'all') {
    const why =
      activeRmse === null
        ? 'no active model to compare with'
        : 'too few ratings newer than the active model to compare fairly';
    const beats = candidateRmse <= e.baselineRmse;
    return {
      ...base,
      publish: beats,
      reason: `${why}; holdout RMSE ${candidateRmse.toFixed(4)} ${beats ? '≤' : '>'} ${e.baselineRmse.toFixed(4)} of predicting the mean`,
    };
  }
  const delta = candidateRmse - activeRmse;
  const words = `holdout RMSE ${candidateRmse.toFixed(4)} vs active ${activeRmse.toFixed(4)} on ${e.comparedRatings} ${e.compared === 'unseen' ? 'ratings the active model never saw' : 'latest ratings'}`;
  return delta <= tolerance
    ? { ...base, publish: true, reason: `${words}: within the tolerance ${tolerance}` }
    : { ...base, publish: false, reason: `${words}: worse by ${delta.toFixed(4)} > ${tolerance}` };
}
