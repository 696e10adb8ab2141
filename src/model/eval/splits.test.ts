import { describe, expect, it } from 'vitest';
import { buildRatingSet } from '../ratings/build-rating-set.ts';
import { kFoldSplits, lastNPerUserSplit, timeCutoffSplit, timeWindowSplit } from './splits.ts';

// user a rates at t = 1..5, user b at t = 10, 20, user c once at t = 30
const set = buildRatingSet([
  ...[1, 2, 3, 4, 5].map((t) => ({ userId: 'a', movieId: `m${t}`, rating: t, timestamp: t })),
  { userId: 'b', movieId: 'm1', rating: 2, timestamp: 20 },
  { userId: 'b', movieId: 'm2', rating: 3, timestamp: 10 },
  { userId: 'c', movieId: 'm3', rating: 4, timestamp: 30 },
]);

describe('kFoldSplits', () => {
  it('tests every rating exactly once and never trains on the fold it tests', () => {
    const folds = kFoldSplits(set, 3, 1);
    expect(folds).toHaveLength(3);
    const tested = folds.flatMap((f) => Array.from(f.test.timestamps)).sort((x, y) => x - y);
    expect(tested).toEqual(Array.from(set.timestamps).sort((x, y) => x - y));
    for (const f of folds) {
      expect(f.train.ratings.length + f.test.ratings.length).toBe(8);
      const train = new Set(f.train.timestamps);
      for (const t of f.test.timestamps) expect(train.has(t)).toBe(false);
    }
  });

  it('is the same for the same seed and different for another', () => {
    const a = kFoldSplits(set, 2, 5).map((f) => Array.from(f.test.timestamps));
    expect(kFoldSplits(set, 2, 5).map((f) => Array.from(f.test.timestamps))).toEqual(a);
    const others = [6, 7, 8, 9].map((s) => kFoldSplits(set, 2, s).map((f) => Array.from(f.test.timestamps)));
    expect(others.some((o) => JSON.stringify(o) !== JSON.stringify(a))).toBe(true);
  });
});

describe('timeCutoffSplit', () => {
  it('puts the latest share of all ratings in the test set', () => {
    const { train, test } = timeCutoffSplit(set, 0.25);
    expect(Array.from(test.timestamps).sort((x, y) => x - y)).toEqual([20, 30]);
    expect(Math.max(...train.timestamps)).toBeLessThan(Math.min(...test.timestamps));
  });
});

describe('timeWindowSplit', () => {
  it('trains on the earliest share, tests on the next, and drops the rest', () => {
    // times in order: 1 2 3 4 5 10 20 30 → train 1..4, test 5 and 10
    const { train, test } = timeWindowSplit(set, 0.5, 0.25);
    expect(Array.from(train.timestamps).sort((x, y) => x - y)).toEqual([1, 2, 3, 4]);
    expect(Array.from(test.timestamps).sort((x, y) => x - y)).toEqual([5, 10]);
    expect(train.nItems).toBe(set.nItems);
  });

  it('rejects fractions that do not fit in the data', () => {
    expect(() => timeWindowSplit(set, 0.8, 0.3)).toThrow(RangeError);
    expect(() => timeWindowSplit(set, 0, 0.3)).toThrow(RangeError);
  });
});

describe('lastNPerUserSplit', () => {
  it("tests each user's last n ratings and keeps users with n or fewer wholly in training", () => {
    const { train, test } = lastNPerUserSplit(set, 1);
    expect(Array.from(test.timestamps).sort((x, y) => x - y)).toEqual([5, 20]);
    expect(train.ratings.length).toBe(6);
    expect(Array.from(train.timestamps)).toContain(30);
  });
});
