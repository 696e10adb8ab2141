import { describe, expect, it } from 'vitest';
import { generateSyntheticWorld, SYNTHETIC_SIZES } from '../../src/data/synthetic-world.ts';
import { STREAM_MODEL_DEFAULTS } from '../../actors/model-options.ts';
import { prequentialRmse, sequentialActorsRmse, sequentialSgdRmse } from './prequential.ts';
import { userEventsOf } from './replay-events.ts';

describe('prequential yardsticks', () => {
  const events = userEventsOf(generateSyntheticWorld({ ...SYNTHETIC_SIZES.tiny, seed: 2 }));
  const o = { ...STREAM_MODEL_DEFAULTS, factors: 8 };

  it("agree exactly when the actors' transitions run sequentially without fold-in", () => {
    const noFoldIn = { ...o, foldInAfter: 0, dailyCap: 1e9 };
    expect(sequentialActorsRmse(events, noFoldIn)).toBeCloseTo(sequentialSgdRmse(events, noFoldIn), 6);
  });

  it('score clipped predictions', () => {
    expect(prequentialRmse([{ rating: 5, err: -2 }], o)).toBe(0);
    expect(prequentialRmse([{ rating: 1, err: 1 }], o)).toBe(0);
    expect(prequentialRmse([{ rating: 3, err: 1 }], o)).toBe(1);
  });
});
