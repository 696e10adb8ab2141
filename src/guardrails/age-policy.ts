import { CERTIFICATIONS, type Certification } from '../data/dataset.ts';

/** The certification ceiling below an age: users younger than `under` see at most `maxCertification`. */
export interface AgeLimit {
  readonly under: number;
  readonly maxCertification: Certification;
}

/** What a user of a given age may be shown; configurable, with the defaults. */
export interface AgePolicy {
  /** Checked youngest first; the first limit whose `under` exceeds the age applies. */
  readonly limits: readonly AgeLimit[];
  /** Below this age nothing flagged adult. */
  readonly adultMinAge: number;
  /** Withhold titles with no certification from users under `adultMinAge` (else the adult flag decides). */
  readonly strictUncertified: boolean;
  /**
   * Withhold titles the catalogue has no metadata for (not yet enriched) from users under
   * `adultMinAge` (default true): a title nobody has described may be adult.
   */
  readonly withholdUndescribed?: boolean;
}

/**
 * Under 13 only G/PG, under 17 nothing rated R, under 18 nothing NC-17 or adult; uncertified: the
 * adult flag decides; undescribed (no metadata yet): adults only.
 */
export const defaultAgePolicy: AgePolicy = {
  limits: [
    { under: 13, maxCertification: 'PG' },
    { under: 17, maxCertification: 'PG-13' },
    { under: 18, maxCertification: 'R' },
  ],
  adultMinAge: 18,
  strictUncertified: false,
  withholdUndescribed: true,
};

/** The fields of a movie the policy looks at. */
export interface RatedTitle {
  readonly certification: Certification | null;
  readonly adult: boolean;
}

/** An unknown age is treated as the youngest: a guard that guesses must guess safe. */
export function effectiveAge(age: number | null | undefined): number {
  return age === null || age === undefined || !Number.isFinite(age) ? 0 : age;
}

/** Whether a user of `age` (null: unknown) may be shown `title`. */
export function mayWatch(policy: AgePolicy, age: number | null | undefined, title: RatedTitle): boolean {
  const a = effectiveAge(age);
  const minor = a < policy.adultMinAge;
  if (minor && title.adult) return false;
  if (title.certification === null) return !(minor && policy.strictUncertified);
  const limit = policy.limits.find((l) => a < l.under);
  if (limit === undefined) return true;
  return CERTIFICATIONS.indexOf(title.certification) <= CERTIFICATIONS.indexOf(limit.maxCertification);
}

/**
 * The age class of a user: users in one class are allowed exactly the same titles, so a mask per
 * class can be computed once per catalogue (see guard-masks.ts).
 */
export function ageClass(policy: AgePolicy, age: number | null | undefined): number {
  const a = effectiveAge(age);
  const thresholds = [...policy.limits.map((l) => l.under), policy.adultMinAge];
  return thresholds.filter((t) => a >= t).length;
}

/** A representative age for each class (the youngest age in it), indexed by class. */
export function classAges(policy: AgePolicy): number[] {
  const thresholds = [...policy.limits.map((l) => l.under), policy.adultMinAge].sort((x, y) => x - y);
  return [0, ...thresholds];
}
