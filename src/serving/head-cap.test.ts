import { describe, expect, it } from 'vitest';
import { defaultLiveHeadCap } from '../guardrails/debias.ts';
import { defaultGuardrailSettings } from './guardrail-settings.ts';
import { createLiveHeadCap } from './head-cap.ts';
import type { LiveSnapshot } from './live-signals.ts';

function signals() {
  let snapshot: LiveSnapshot | null = null;
  return {
    current: () => snapshot,
    read: (at: number, capHeadShare: number) => (snapshot = { at, capHeadShare } as LiveSnapshot),
  };
}

describe('the live head cap', () => {
  it('hands the recommender settings whose cap follows the head’s live exposure share', () => {
    const live = signals();
    const cap = createLiveHeadCap(defaultGuardrailSettings, live, { ...defaultLiveHeadCap, threshold: 0.4 });
    expect(cap.settings.debias.maxHeadShare).toBe(0.5); // no reading yet: the configured cap
    live.read(1, 0.8); // 0.5 · 0.4 / 0.8
    expect(cap.maxHeadShare()).toBeCloseTo(0.25, 12);
    expect(cap.settings.debias).toEqual({ ...defaultGuardrailSettings.debias, maxHeadShare: 0.25 });
    expect(cap.settings.diversify).toBe(defaultGuardrailSettings.diversify);
    live.read(2, 0.38); // inside the band: holds
    expect(cap.settings.debias.maxHeadShare).toBeCloseTo(0.25, 12);
    live.read(3, 0.1); // well under: relaxes
    expect(cap.settings.debias.maxHeadShare).toBe(0.5);
  });

  it('reuses one options object between readings (nothing allocated per request)', () => {
    const live = signals();
    const cap = createLiveHeadCap(defaultGuardrailSettings, live, defaultLiveHeadCap);
    live.read(1, 0.9);
    const first = cap.settings.debias;
    expect(cap.settings.debias).toBe(first);
  });
});
