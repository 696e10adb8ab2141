import { describe, expect, it } from 'vitest';
import { defaultAgePolicy } from '../../guardrails/age-policy.ts';
import {
  AuditAccumulator,
  allowedGenresByAge,
  ageBand,
  defaultDisparityThresholds,
  disparities,
  miscalibration,
  twoProportionPValue,
  type AuditMovie,
  type AuditOptions,
  type GroupMetrics,
} from './audit-metrics.ts';

const movies: Record<string, AuditMovie> = {
  a: { genres: ['Drama'], certification: 'G', adult: false, popularity: 10, head: true },
  a2: { genres: ['Drama'], certification: 'G', adult: false, popularity: 1, head: false },
  b: { genres: ['Comedy'], certification: 'R', adult: false, popularity: 2, head: false },
  c: { genres: ['Action', 'Drama'], certification: null, adult: true, popularity: 4, head: false },
  d: { genres: ['Horror'], certification: 'PG-13', adult: false, popularity: 0, head: false },
};
const users: Record<string, { age: number | null; gender: string | null }> = {
  '1': { age: 10, gender: 'F' },
  '2': { age: 30, gender: 'M' },
};
const T0 = 1_700_000_000_000;
const options: AuditOptions = {
  agePolicy: defaultAgePolicy,
  minGenres: 2,
  listSize: 2,
  hitHorizonMs: 7 * 86_400_000,
  thresholds: { ...defaultDisparityThresholds, minLists: 1 },
};

function audit() {
  const acc = new AuditAccumulator(
    {
      movie: (id) => movies[id],
      user: (id) => users[id],
      history: (id) => (id === '2' ? new Map([['Comedy', 1]]) : undefined),
      // User 2 watched c a second after the first list; user 1 watched a, but 8 days later.
      laterInteraction: (u, m, after) =>
        u === '2' && m === 'c' && after < T0 + 1000
          ? T0 + 1000
          : u === '1' && m === 'a' && after < T0 + 8 * 86_400_000
            ? T0 + 8 * 86_400_000
            : undefined,
      allowedGenres: () => 4,
    },
    options,
  );
  acc.add({ userId: '1', items: ['a', 'b'], servedAt: T0 }); // b is R: too old for 10
  acc.add({ userId: '2', items: ['a', 'c'], servedAt: T0 }); // an adult may see c
  acc.add({ userId: '2', items: ['a', 'x'], servedAt: T0 }); // x unknown: unchecked, genres not judged
  acc.add({ userId: '2', items: ['a', 'a2'], servedAt: T0 }); // one genre: short of 2
  acc.add({ userId: '3', items: ['d', 'b'], servedAt: T0 }); // unknown age: checked as the youngest
  return acc.result();
}

describe('the audit', () => {
  it('counts titles above the user’s age, unknown ages as the youngest, and lists short of genres', () => {
    const { violations } = audit();
    expect(violations).toMatchObject({
      lists: 5,
      items: 10,
      ageViolations: 3,
      listsWithAgeViolations: 2,
      genreViolations: 1,
      total: 4,
      uncheckedItems: 1,
      unknownAgeLists: 1,
    });
    expect(violations.examples.map((e) => [e.userId, e.kind])).toEqual([
      ['1', 'age'],
      ['2', 'genres'],
      ['3', 'age'],
    ]);
  });

  it('computes each group’s genres, popularity, head share, calibration and hit rate', () => {
    const m = audit().groups.find((g) => g.attribute === 'gender' && g.group === 'M');
    // Lists [a,c], [a,x], [a,a2]: 2 + 1 + 1 genres; known titles a,c,a,a,a2 with popularity 10,4,10,10,1.
    expect(m?.lists).toBe(3);
    expect(m?.users).toBe(1);
    expect(m?.genresPerList).toBeCloseTo(4 / 3, 12);
    expect(m?.avgPopularity).toBeCloseTo(35 / 5, 12);
    expect(m?.headShare).toBeCloseTo(3 / 5, 12);
    // History all Comedy, recommendations none: KL = log(1 / 0.01).
    expect(m?.calibration).toBeCloseTo(4.605170185988092, 9);
    expect(m?.hitRate).toBeCloseTo(1 / 3, 12);
    expect(m?.violations).toBe(1);
    const child = audit().groups.find((g) => g.attribute === 'age' && g.group === 'u13');
    // User 1's later watch came after the 7-day horizon: no hit; no history: no calibration.
    expect(child).toMatchObject({ lists: 1, hitRate: 0, calibration: null, violations: 1 });
    expect(audit().groups.find((g) => g.group === 'unknown' && g.attribute === 'gender')?.lists).toBe(1);
  });

  it('measures miscalibration as Steck’s smoothed KL divergence', () => {
    const history = new Map([
      ['A', 0.7],
      ['B', 0.3],
    ]);
    expect(miscalibration(history, new Map([['A', 5]]))).toBeCloseTo(1.133981751353524, 12);
    expect(
      miscalibration(
        history,
        new Map([
          ['A', 7],
          ['B', 3],
        ]),
      ),
    ).toBeCloseTo(0, 12);
    expect(miscalibration(new Map(), new Map([['A', 1]]))).toBe(0);
  });

  it('flags gaps and ratios between groups beyond their thresholds, leaving out small and unknown groups', () => {
    const group = (g: string, lists: number, over: Partial<GroupMetrics>): GroupMetrics => ({
      attribute: 'gender',
      group: g,
      lists,
      users: lists,
      genresPerList: 10,
      avgPopularity: 100,
      headShare: 0.2,
      calibration: 0.3,
      hitRate: 0.5,
      hits: lists / 2,
      violations: 0,
      ...over,
    });
    const found = disparities(
      [
        group('F', 100, { genresPerList: 9.5, avgPopularity: 80, headShare: 0.1, hitRate: 0.3, hits: 30 }),
        group('M', 100, { genresPerList: 10.8, avgPopularity: 130, headShare: 0.15, calibration: 0.5 }),
        group('unknown', 100, { hitRate: 0 }),
      ],
      defaultDisparityThresholds,
    );
    const by = Object.fromEntries(found.map((d) => [d.metric, d]));
    expect(by['genresPerList']).toMatchObject({ measure: 'gap', passed: false, lowest: 'F', highest: 'M' });
    expect(by['genresPerList']?.value).toBeCloseTo(1.3, 12);
    expect(by['avgPopularity']?.value).toBeCloseTo(130 / 80, 12);
    expect(by['avgPopularity']?.passed).toBe(false);
    expect(by['headShare']?.value).toBeCloseTo(0.05, 12);
    expect(by['headShare']?.passed).toBe(true);
    expect(by['calibration']?.value).toBeCloseTo(0.2, 12);
    expect(by['calibration']?.passed).toBe(false);
    expect(by['hitRate']).toMatchObject({ measure: 'ratio', passed: false, lowest: 'F', highest: 'M' });
    expect(by['hitRate']?.value).toBeCloseTo(0.6, 12);
    // 30 of 100 against 50 of 100: pooled p 0.4, z = 0.2 / √(0.4·0.6·0.02) = 2.8868, p = 0.00389.
    expect(by['hitRate']?.pValue).toBeCloseTo(0.003892417, 6);
    expect(disparities([group('F', 5, {}), group('M', 100, {})], defaultDisparityThresholds)).toEqual([]);
    // No hit anywhere yet: hit rates are not compared at all.
    const noHits = disparities(
      [group('F', 100, { hitRate: 0 }), group('M', 100, { hitRate: 0 })],
      defaultDisparityThresholds,
    );
    expect(noHits.map((d) => d.metric)).not.toContain('hitRate');
  });

  it('tests a hit-rate gap against chance with a two-proportion z-test', () => {
    // 40 of 287 against 67 of 324 (the replayed stream's F and M): z = 2.188, p = 0.0287.
    expect(twoProportionPValue(40, 287, 67, 324)).toBeCloseTo(0.028650909936, 6);
    expect(twoProportionPValue(4, 43, 30, 139)).toBeCloseTo(0.070981971078, 6);
    expect(twoProportionPValue(0, 10, 0, 10)).toBe(1);
  });

  it('bands ages as the cold-start cohorts do, and counts the genres each age may see', () => {
    expect([null, 8, 13, 16, 17, 18, 30, 70].map(ageBand)).toEqual([
      'unknown',
      'u13',
      '13-16',
      '13-16',
      '17',
      '18-24',
      '25-34',
      '50+',
    ]);
    const allowed = allowedGenresByAge(defaultAgePolicy, Object.values(movies));
    expect([allowed(8), allowed(13), allowed(17), allowed(40), allowed(null)]).toEqual([1, 2, 3, 4, 1]);
  });
});
