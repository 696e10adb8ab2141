import { describe, expect, it } from 'vitest';
import { createRandom } from '../../lib/random.ts';
import { capDecision } from '../../guardrails/rating-budget.ts';
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

  it('caps per movie and day even when the rows are not in time order', () => {
    const t = buildTrainingSet(
      columns([
        [0, 0, 5, 2 * DAY + 1],
        [1, 0, 4, 1 * DAY + 1],
        [2, 0, 3, 2 * DAY + 2], // second on day 2: over the cap of 1
        [3, 0, 2, 1 * DAY + 2], // second on day 1: over the cap of 1
      ]),
      1,
    );
    expect(t.capped).toBe(2);
    expect(Array.from(t.set.users)).toEqual([0, 1]);
  });

  it('charges a (user, movie) pair to the cap once a day and trains on its latest rating', () => {
    const t = buildTrainingSet(
      columns([
        [0, 0, 1, 1 * DAY + 10],
        [0, 0, 5, 1 * DAY + 20], // a re-rating: replaces, takes no second slot
        [0, 0, 3, 1 * DAY + 30],
        [1, 0, 4, 1 * DAY + 40], // the second slot
        [2, 0, 2, 1 * DAY + 50], // over the cap of 2
        [2, 0, 4, 1 * DAY + 60], // and so is its re-rating
      ]),
      2,
    );
    expect(t.capped).toBe(2);
    expect(t.superseded).toBe(2);
    expect(Array.from(t.set.users)).toEqual([0, 1]);
    expect(Array.from(t.set.ratings)).toEqual([3, 4]);
  });

  it('keeps exactly the rows the movie actors learn from, then the latest of each pair', () => {
    const random = createRandom(7);
    const rows: [number, number, number, number][] = [];
    for (let k = 0, at = 0; k < 5_000; k++) {
      at += random.int(3) * 20_000_000; // several ratings a day, a day now and then without any
      rows.push([random.int(4), random.int(2), 1 + random.int(5), at]);
    }
    const log = columns(rows);
    const t = buildTrainingSet(log, 3);
    // The actors' rule itself (capDecision over a set of raters per movie and day).
    const raters = new Map<string, Set<string>>();
    const keep = rows.map(([user, item, , at]) => {
      const key = `${item}/${Math.floor(at / DAY)}`;
      const today = raters.get(key) ?? new Set<string>();
      raters.set(key, today);
      const decision = capDecision(today, String(user), 3);
      if (decision === 'learn') today.add(String(user));
      return decision !== 'capped';
    });
    const seen = new Set<string>();
    for (let k = rows.length - 1; k >= 0; k--) {
      const pair = `${rows[k]![0]}/${rows[k]![1]}`;
      if (keep[k] === true && seen.has(pair)) keep[k] = false;
      else if (keep[k] === true) seen.add(pair);
    }
    const kept = rows.filter((_, k) => keep[k]);
    expect(t.set.ratings.length).toBe(kept.length);
    expect(Array.from(t.set.users)).toEqual(kept.map((r) => r[0]));
    expect(Array.from(t.set.timestamps)).toEqual(kept.map((r) => r[3] / 1000));
    expect(t.capped + t.superseded).toBe(rows.length - kept.length);
    expect(t.superseded).toBeGreaterThan(0);
    expect(t.capped).toBeGreaterThan(0);
  });
});
