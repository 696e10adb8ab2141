import { ageClass, classAges, mayWatch, type AgePolicy } from './age-policy.ts';
import type { CatalogueIndex } from '../data/catalogue-index.ts';

/**
 * Per age class, the item indices the policy forbids, computed once per catalogue and policy: the
 * request path then only writes -Infinity over a short list instead of testing 10,000 titles.
 */
export interface GuardMasks {
  readonly policy: AgePolicy;
  /** Forbidden item indices for a user of this age (null: unknown, treated as the youngest). */
  forbiddenFor(age: number | null | undefined): Int32Array;
  /** Whether the item may be shown to a user of this age. */
  allowed(age: number | null | undefined, item: number): boolean;
}

/** Precomputes the masks of every age class. */
export function buildGuardMasks(policy: AgePolicy, catalogue: CatalogueIndex): GuardMasks {
  const withhold = policy.withholdUndescribed !== false;
  const forbidden = classAges(policy).map((age) => {
    const minor = age < policy.adultMinAge;
    const list: number[] = [];
    catalogue.movies.forEach((m, i) => {
      if (!mayWatch(policy, age, m) || (withhold && minor && catalogue.described[i] === 0)) list.push(i);
    });
    return Int32Array.from(list);
  });
  const masks = forbidden.map((list) => {
    const mask = new Uint8Array(catalogue.movies.length);
    for (const i of list) mask[i] = 1;
    return mask;
  });
  return {
    policy,
    forbiddenFor: (age) => forbidden[ageClass(policy, age)] as Int32Array,
    allowed: (age, item) => (masks[ageClass(policy, age)] as Uint8Array)[item] === 0,
  };
}
