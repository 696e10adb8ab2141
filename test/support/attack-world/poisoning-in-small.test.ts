import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataset, ML_LATEST_SMALL_DIR } from '../../../src/data/load-dataset.ts';
import { generateSyntheticWorld } from '../../../src/data/synthetic-world.ts';
import { createRandom } from '../../../src/lib/random.ts';
import { itemStats, pickTargets, shillingProfile } from '../shilling.ts';
import { appendRatings, splitWorld } from './split-world.ts';
import { buildVictim, type Victim } from './victim.ts';

/**
 * The small form of npm run sim:poisoning (docs/threat-model.md): 20 factors, one attack model, three
 * targets. The push needs ml-latest-small's sparse traffic (at most 3 ratings of a movie a day);
 * skipped when the data set is absent, except under CI=true.
 */
const world = generateSyntheticWorld({ users: 300, movies: 600, ratings: 15_000, seed: 5 });
const stats = itemStats(splitWorld(world, 5).train);
const present = existsSync(join(ML_LATEST_SMALL_DIR, 'ratings.csv'));
const required = process.env['CI'] === 'true';
if (!present && !required)
  console.warn(`skipping the small poisoning run: no data in ${ML_LATEST_SMALL_DIR}`);
const DAY_MS = 86_400_000;

function targetHitRate(v: Victim, targets: readonly number[], nGenuine: number): number {
  let hits = 0;
  for (let u = 0; u < nGenuine; u++) {
    const list = new Set(v.list(u));
    for (const t of targets) if (list.has(t)) hits++;
  }
  return hits / (nGenuine * targets.length);
}

describe('the poisoning simulation in small', () => {
  it('builds average profiles with the targets first, r_max, and a filler near 3 % of the catalogue', () => {
    const targets = pickTargets(stats, 3, createRandom(1));
    expect(targets).toHaveLength(3);
    for (const t of targets) expect(stats.mean[t]).toBeLessThanOrEqual(3);
    const profile = shillingProfile('average', 0, targets, stats, 0, createRandom(2));
    expect(profile.slice(0, 3).map((r) => [r.item, r.rating])).toEqual(targets.map((t) => [t, 5]));
    expect(profile.length - 3).toBeGreaterThan(0.02 * 600);
    expect(profile.length - 3).toBeLessThan(0.04 * 600);
    expect(new Set(profile.map((r) => r.item)).size).toBe(profile.length);
  });

  it.skipIf(!present && !required)(
    'a one-day push by 5 % of accounts fills lists when the cap does not bind, and none under a cap at the organic rate',
    async () => {
      const attackers = Array.from({ length: 31 }, (_, k) => `attacker${k}`);
      const split = splitWorld(await loadDataset('ml-latest-small'), 5, attackers);
      const stats = itemStats(split.train);
      const nGenuine = split.train.userIds.length - attackers.length;
      const targets = pickTargets(stats, 3, createRandom(3));
      const day = (Math.floor(split.end / DAY_MS) + 1) * DAY_MS;
      const random = createRandom(4);
      const attack = attackers.flatMap((_, a) =>
        shillingProfile('average', nGenuine + a, targets, stats, day + a * 1000, random),
      );
      const svd = { factors: 20, epochs: 10 };
      const attacked = appendRatings(split.train, attack);
      const loose = buildVictim(attacked, { dailyCap: 1000, svd });
      const tight = buildVictim(attacked, { dailyCap: 2, svd });
      expect(buildVictim(split.train, { dailyCap: 1000, svd }).capped).toBe(0);
      expect(targetHitRate(loose, targets, nGenuine)).toBeGreaterThan(0.5);
      expect(tight.capped).toBeGreaterThanOrEqual(targets.length * (attackers.length - 2));
      expect(targetHitRate(tight, targets, nGenuine)).toBe(0);
    },
    60_000,
  );
});
