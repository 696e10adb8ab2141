import { describe, expect, it } from 'vitest';
import { createRandom } from '../../src/lib/random.ts';
import { LOOP_DEFAULTS, drift, runClosedLoop, trueTastes, type LoopWorld } from './closed-loop.ts';

/** 60 users × 120 titles, 12 genres, ratings from a planted low-rank taste. */
function tinyWorld(): LoopWorld {
  const random = createRandom(3);
  const [nUsers, nItems] = [60, 120];
  const genres = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L'];
  const u: number[] = [];
  const i: number[] = [];
  const r: number[] = [];
  for (let user = 0; user < nUsers; user++)
    for (let k = 0; k < 25; k++) {
      const item = Math.min(nItems - 1, Math.floor(random.next() ** 2 * nItems)); // a popular head
      u.push(user);
      i.push(item);
      r.push(
        Math.max(1, Math.min(5, Math.round(3 + ((user % 3) - 1) * ((item % 3) - 1) + random.normal(0, 0.5)))),
      );
    }
  return {
    userIds: Array.from({ length: nUsers }, (_, k) => `u${k}`),
    itemIds: Array.from({ length: nItems }, (_, k) => `m${k}`),
    movies: Array.from({ length: nItems }, (_, k) => ({
      movieId: `m${k}`,
      title: `M${k}`,
      genres: [genres[k % 12] as string],
      certification: null,
      adult: false,
    })),
    users: Int32Array.from(u),
    items: Int32Array.from(i),
    ratings: Float32Array.from(r),
    timestamps: Float64Array.from(r, (_, k) => 1_500_000_000 + k * 60),
  };
}

const options = {
  ...LOOP_DEFAULTS,
  rounds: 3,
  model: { factors: 4, epochs: 5 },
  truth: { factors: 4, epochs: 10 },
};

describe('the closed-loop simulator', () => {
  const world = tinyWorld();
  const truth = trueTastes(world, options);

  it('serves, chooses, rates and retrains, the same way for the same seed', async () => {
    const a = await runClosedLoop(world, truth, options);
    expect(await runClosedLoop(world, truth, options)).toEqual(a);
    expect(a.map((m) => m.round)).toEqual([1, 2, 3]);
    for (const m of a) {
      expect(m.coverage).toBeGreaterThan(0);
      expect(m.coverage).toBeLessThanOrEqual(1);
      expect(m.gini).toBeGreaterThanOrEqual(0);
      expect(m.accepted).toBeGreaterThan(0);
      expect(m.satisfaction).toBeGreaterThan(0.5);
      expect(m.satisfaction).toBeLessThanOrEqual(5);
      expect(m.cap).toBe(0.5);
    }
    const d = drift(a);
    expect(d.giniRise).toBeCloseTo((a[2]?.gini ?? 0) - (a[0]?.gini ?? 0), 12);
    // ARP relative to the catalogue's mean count: a round trains on the organic ratings and every
    // rating accepted in the rounds before it.
    let trained = world.ratings.length;
    for (const m of a) {
      expect(m.relPopularity).toBeCloseTo(m.avgPopularity / (trained / world.itemIds.length), 9);
      trained += m.accepted;
    }
    expect(d.relativePopularityLift).toBeCloseTo(
      (a[2]?.relPopularity ?? 0) / (a[0]?.relPopularity ?? 1) - 1,
      12,
    );
  });

  it('with mitigation on, tightens the head cap after a round whose head share crossed the threshold', async () => {
    const on = await runClosedLoop(world, truth, {
      ...options,
      mitigation: { threshold: 0.01, floor: 0.2, hysteresis: 0.1 },
    });
    expect(on[0]?.cap).toBe(0.5);
    expect(on[0]?.headShare).toBeGreaterThan(0.01);
    expect(on[1]?.cap).toBeLessThan(0.5);
    expect(on[1]?.cap).toBeGreaterThanOrEqual(0.2);
  });

  it('feeds served take-ups to the next round’s popularity at the served weight', async () => {
    const full = await runClosedLoop(world, truth, options);
    const none = await runClosedLoop(world, truth, { ...options, servedPopularityWeight: 0 });
    // Round 1 blends the organic board only; from round 2 on the board holds round 1's take-ups,
    // which weigh nothing with the weight at 0, so what is served differs.
    expect(none[0]).toEqual(full[0]);
    expect(none.slice(1)).not.toEqual(full.slice(1));
  });

  it('serves the list the course route would: with rank noise drawn from a deeper ranking, or the exact one at 0', async () => {
    const exact = await runClosedLoop(world, truth, { ...options, rankNoise: { scale: 0, depth: 1 } });
    const noisy = await runClosedLoop(world, truth, { ...options, rankNoise: { scale: 30, depth: 4 } });
    // Round 1 ranks the same model and board; only the draw differs.
    expect(noisy[0]?.coverage).not.toBe(exact[0]?.coverage);
    expect(noisy[0]?.coverage).toBeGreaterThan(exact[0]?.coverage ?? 1);
  });
});
