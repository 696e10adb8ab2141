import { describe, expect, it } from 'vitest';
import { configVariables } from '../config/config-schema.ts';
import { defaultLiveHeadCap } from '../src/guardrails/debias.ts';
import { boardWeight, SERVED_POPULARITY_WEIGHT_DEFAULT } from '../src/model/ranking/popularity.ts';
import { GLOBAL_COHORT } from '../src/store/popular-lists.ts';
import { STREAM_MODEL_DEFAULTS } from './model-options.ts';
import { BoardAdditions } from './popular-boards.ts';

const at = Date.UTC(2026, 0, 5);
const h = STREAM_MODEL_DEFAULTS.popularityHalfLifeMs;

describe('BoardAdditions.addTakeUp', () => {
  it('adds a served take-up at the served weight, an organic one in full, on the global and cohort boards', () => {
    const boards = new BoardAdditions();
    const options = { ...STREAM_MODEL_DEFAULTS, servedPopularityWeight: 0.4 };
    boards.addTakeUp({ movieId: 'm', cohort: '18-24:M', at, served: true }, options);
    boards.addTakeUp({ movieId: 'n', cohort: '18-24:M', at, served: false }, options);
    for (const cohort of [GLOBAL_COHORT, '18-24:M']) {
      expect(boards.boards.get(cohort)?.get('m')).toBeCloseTo(0.4 * boardWeight(at, h), 12);
      expect(boards.boards.get(cohort)?.get('n')).toBe(boardWeight(at, h));
    }
  });

  it('writes nothing for a served take-up when the weight is 0, and counts it in full when it is 1', () => {
    const none = new BoardAdditions();
    none.addTakeUp(
      { movieId: 'm', cohort: GLOBAL_COHORT, at, served: true },
      { ...STREAM_MODEL_DEFAULTS, servedPopularityWeight: 0 },
    );
    expect(none.boards.size).toBe(0);
    const full = new BoardAdditions();
    full.addTakeUp(
      { movieId: 'm', cohort: GLOBAL_COHORT, at, served: true },
      { ...STREAM_MODEL_DEFAULTS, servedPopularityWeight: 1 },
    );
    expect(full.boards.get(GLOBAL_COHORT)?.get('m')).toBe(boardWeight(at, h));
  });
});

describe('the served take-up weight’s default', () => {
  it('is one value in the config, the stream’s options and the simulator’s', () => {
    expect(configVariables.SERVED_POPULARITY_WEIGHT.default).toBe(String(SERVED_POPULARITY_WEIGHT_DEFAULT));
    expect(STREAM_MODEL_DEFAULTS.servedPopularityWeight).toBe(SERVED_POPULARITY_WEIGHT_DEFAULT);
    expect(configVariables.HEAD_CAP_THRESHOLD.default).toBe(String(defaultLiveHeadCap.threshold));
  });
});
