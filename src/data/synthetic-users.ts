/**
 * Synthetic users: ages 8-89 with minors (about one in seven), M/F, and an occupation from the
 * MovieLens 1M vocabulary that fits the age (children are K-12 students, most over-65s are retired).
 */
import type { UserRecord } from './dataset.ts';
import { OCCUPATIONS_1M } from './movielens-vocabulary.ts';
import type { Random } from '../lib/random.ts';
import { WeightedSampler } from './random.ts';

/** Age bands [from, to] and their weights. */
const AGE_BANDS: readonly (readonly [number, number, number])[] = [
  [8, 12, 5],
  [13, 17, 9],
  [18, 24, 20],
  [25, 34, 25],
  [35, 44, 18],
  [45, 54, 12],
  [55, 64, 7],
  [65, 89, 4],
];

const ADULT_JOBS = OCCUPATIONS_1M.filter((o) => o !== 'K-12 student' && o !== 'retired');

/** `count` users with ids "1".."count", drawn from `random`. */
export function generateUsers(count: number, random: Random): UserRecord[] {
  const bands = new WeightedSampler(AGE_BANDS.map((b) => b[2]));
  const users: UserRecord[] = [];
  for (let k = 0; k < count; k++) {
    const band = AGE_BANDS[bands.sample(random)] ?? [25, 34, 1];
    const age = band[0] + random.int(band[1] - band[0] + 1);
    users.push({
      userId: String(k + 1),
      age,
      gender: random.next() < 0.55 ? 'M' : 'F',
      occupation: occupationFor(age, random),
    });
  }
  return users;
}

function occupationFor(age: number, random: Random): string {
  const u = random.next();
  if (age < 18) return u < 0.9 ? 'K-12 student' : 'other or not specified';
  if (age < 25 && u < 0.5) return 'college/grad student';
  if (age >= 65 && u < 0.6) return 'retired';
  return ADULT_JOBS[random.int(ADULT_JOBS.length)] ?? 'other or not specified';
}

/** Number of demographic groups {@link demographicGroup} returns. */
export const DEMOGRAPHIC_GROUPS = 8;

/** The user's demographic group: age band (under 18, 18-34, 35-54, 55+) by gender, 0..7. */
export function demographicGroup(user: UserRecord): number {
  const age = user.age ?? 30;
  const band = age < 18 ? 0 : age < 35 ? 1 : age < 55 ? 2 : 3;
  return band * 2 + (user.gender === 'F' ? 1 : 0);
}
