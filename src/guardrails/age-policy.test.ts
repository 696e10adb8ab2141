import { describe, expect, it } from 'vitest';
import type { Certification } from '../data/dataset.ts';
import { ageClass, classAges, defaultAgePolicy, mayWatch } from './age-policy.ts';

const title = (certification: Certification | null, adult = false) => ({ certification, adult });

describe('the default age policy', () => {
  const cases: [number | null, Certification | null, boolean, boolean][] = [
    [8, 'G', false, true],
    [12, 'PG', false, true],
    [12, 'PG-13', false, false],
    [13, 'PG-13', false, true],
    [16, 'R', false, false],
    [17, 'R', false, true],
    [17, 'NC-17', false, false],
    [18, 'NC-17', false, true],
    [17, null, true, false],
    [18, null, true, true],
    [10, null, false, true],
    [40, 'R', true, true],
    [null, 'PG-13', false, false],
    [null, 'PG', false, true],
  ];
  for (const [age, cert, adult, allowed] of cases) {
    it(`${allowed ? 'lets' : 'keeps'} a ${age ?? 'unknown'}-year-old ${allowed ? 'see' : 'from'} ${cert ?? 'uncertified'}${adult ? ' adult' : ''} titles`, () => {
      expect(mayWatch(defaultAgePolicy, age, title(cert, adult))).toBe(allowed);
    });
  }

  it('withholds uncertified titles from minors only when strict', () => {
    const strict = { ...defaultAgePolicy, strictUncertified: true };
    expect(mayWatch(strict, 17, title(null))).toBe(false);
    expect(mayWatch(strict, 18, title(null))).toBe(true);
    expect(mayWatch(defaultAgePolicy, 17, title(null))).toBe(true);
  });

  it('puts users of one class under exactly the same rules', () => {
    const titles = [null, 'G', 'PG', 'PG-13', 'R', 'NC-17'].flatMap((c) =>
      [false, true].map((a) => title(c as Certification | null, a)),
    );
    const ages = classAges(defaultAgePolicy);
    for (let age = 0; age < 100; age++) {
      const representative = ages[ageClass(defaultAgePolicy, age)];
      for (const t of titles)
        expect(mayWatch(defaultAgePolicy, age, t)).toBe(mayWatch(defaultAgePolicy, representative, t));
    }
  });
});
