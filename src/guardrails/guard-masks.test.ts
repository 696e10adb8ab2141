import { describe, expect, it } from 'vitest';
import { buildCatalogueIndex } from '../data/catalogue-index.ts';
import { defaultAgePolicy } from './age-policy.ts';
import { buildGuardMasks } from './guard-masks.ts';

const catalogue = buildCatalogueIndex(
  ['g', 'r', 'adult', 'undescribed'],
  [
    { movieId: 'g', title: 'G', genres: ['Drama'], certification: 'G', adult: false },
    { movieId: 'r', title: 'R', genres: ['Crime'], certification: 'R', adult: false },
    { movieId: 'adult', title: 'A', genres: ['Drama'], certification: null, adult: true },
  ],
);

describe('guard masks', () => {
  it('withhold from minors the titles nobody has described yet, and leave them to adults', () => {
    const masks = buildGuardMasks(defaultAgePolicy, catalogue);
    expect([...catalogue.described]).toEqual([1, 1, 1, 0]);
    expect([...masks.forbiddenFor(10)]).toEqual([1, 2, 3]);
    expect([...masks.forbiddenFor(17)]).toEqual([2, 3]);
    expect([...masks.forbiddenFor(null)]).toEqual([1, 2, 3]);
    expect([...masks.forbiddenFor(30)]).toEqual([]);
    expect(masks.allowed(30, 3)).toBe(true);
  });

  it('can leave undescribed titles to the certification rules alone', () => {
    const masks = buildGuardMasks({ ...defaultAgePolicy, withholdUndescribed: false }, catalogue);
    expect([...masks.forbiddenFor(10)]).toEqual([1, 2]);
  });
});
