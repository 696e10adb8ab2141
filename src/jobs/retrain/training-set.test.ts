import { describe, expect, it } from 'vitest';
import { buildTrainingSet, type RatingColumns } from './training-set.ts';

const DAY = 86_400_000;

function columns(rows: readonly [user: number, item: number, rating: number, at: number][]): RatingColumns {
  return {
    users: Int32Array.from(rows.map((r) => r[0])),
    items: Int32Array.from(rows.map((r) => r[1])),
    ratings: Float32Array.from(rows.map((r) => r[2])),
    times: Float64Array.from(rows.map((r) => r[3])),
    userIds: ['a', 'b', 'c', 'd'],
    itemIds: ['x', 'y'],
  };
}

describe('buildTrainingSet', () => {
  it('learns only the first dailyCap ratings of a movie per UTC day, as the movie actors do', () => {
    const t = buildTrainingSet(
      columns([
        [0, 0, 5, 1 * DAY + 10],
        [1, 0, 4, 1 * DAY + 20],
        [2, 0, 3, 1 * DAY + 30], // third on day 1: over the cap of 2
        [3, 0, 2, 2 * DAY + 1], // a new day
        [2, 1, 1, 1 * DAY + 40], // another movie has its own budget
      ]),
      2,
    );
    expect(t.capped).toBe(1);
    expect(Array.from(t.set.users)).toEqual([0, 1, 3, 2]);
    expect(Array.from(t.set.ratings)).toEqual([5, 4, 2, 1]);
  });

  it('keeps only the latest rating of a user for a movie, in time order', () => {
    const t = buildTrainingSet(
      columns([
        [0, 0, 1, 1000],
        [1, 1, 3, 2000],
        [0, 0, 5, 3000],
      ]),
      100,
    );
    expect(t.superseded).toBe(1);
    expect(Array.from(t.set.ratings)).toEqual([3, 5]);
    expect(Array.from(t.set.timestamps)).toEqual([2, 3]);
    expect(t.set.nUsers).toBe(4);
    expect(t.set.scale).toEqual({ min: 1, max: 5 });
  });
});
