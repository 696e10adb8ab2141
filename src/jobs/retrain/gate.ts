/**
 * The publish gate: a candidate replaces the active model only when it is not worse on the same
 * holdout by more than `tolerance` (RMSE, absolute). The comparison is fair only on ratings the
 * active model never trained on; when too few of those exist (little has arrived since it was
 * trained), the active model would be judged on its own training data, so the candidate must instead
 * beat predicting the mean. The ranking metrics are recorded beside it for people; the gate itself
 * looks at RMSE, the metric both models were trained for.
 */
import type { Evaluation } from './fit-candidate.ts';

/** What a model was trained from: the log it read (its watermark), the algorithm and its parameters. */
export interface TrainedFrom {
  readonly algorithm: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** Per user-events partition, the last position read (a JSON-shaped value). */
  readonly watermark: unknown;
}

/** Canonical JSON: object keys sorted at every level, so equal values print alike. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

/**
 * The gate's answer when the candidate would be the active model again: the same log (no rating
 * since it was trained), the same algorithm and parameters. Publishing it would only push an older,
 * different version out of the kept ones (an interval retrain on a quiet stream did, every 48 h);
 * null when anything differs.
 */
export function nothingNew(
  candidate: TrainedFrom,
  active: (TrainedFrom & { readonly version: string }) | null,
  e: Evaluation,
): GateDecision | null {
  if (active === null || active.watermark === null || active.watermark === undefined) return null;
  if (candidate.algorithm !== active.algorithm) return null;
  if (canonical(candidate.params) !== canonical(active.params)) return null;
  if (canonical(candidate.watermark) !== canonical(active.watermark)) return null;
  return {
    publish: false,
    reason: `no rating since model ${active.version} was trained, and the same algorithm and parameters: it would be the same model`,
    tolerance: 0,
    candidateRmse: e.candidate.rmse,
    activeRmse: e.active?.rmse ?? null,
  };
}

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
