import { liveMaxHeadShare, type DebiasOptions, type LiveHeadCapOptions } from '../guardrails/debias.ts';
import type { GuardrailSettings } from './guardrail-settings.ts';
import type { LiveSignals } from './live-signals.ts';

/** The popularity cap in force now, following the head's live exposure (docs/fairness.md, "Mitigation"). */
export interface LiveHeadCap {
  /** The largest share of a list head titles may take now. */
  maxHeadShare(): number;
  /** The guardrail settings with this cap: what the recommender ranks with. */
  readonly settings: GuardrailSettings;
}

/**
 * The head cap driven by the live signals' reading of the cap head's exposure share. A request
 * reads a number the last reading left (one comparison of timestamps per call, no Redis, no
 * allocation): the signals are read off the request path (live-signals.ts). The settings it hands
 * the recommender carry the cap in their `debias` field, recomputed only when a new reading lands,
 * so the recommender — which reads `settings.debias` on every request — follows the cap unchanged.
 */
export function createLiveHeadCap(
  base: GuardrailSettings,
  signals: Pick<LiveSignals, 'current'>,
  options: LiveHeadCapOptions,
): LiveHeadCap {
  const configured = base.debias.maxHeadShare;
  let cap = configured;
  let readAt = -Infinity;
  let debias: DebiasOptions = base.debias;
  const maxHeadShare = (): number => {
    const s = signals.current();
    if (s === null || s.at === readAt) return cap;
    readAt = s.at;
    const next = liveMaxHeadShare(configured, s.capHeadShare, cap, options);
    if (next !== cap) {
      cap = next;
      debias = { ...base.debias, maxHeadShare: cap };
    }
    return cap;
  };
  const settings = Object.defineProperty({ ...base }, 'debias', {
    enumerable: true,
    get: (): DebiasOptions => {
      maxHeadShare();
      return debias;
    },
  }) as GuardrailSettings;
  return { maxHeadShare, settings };
}
