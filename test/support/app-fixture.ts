import jwt from 'jsonwebtoken';
import { Registry } from 'prom-client';
import type { RateEvent } from '../../streams/events.ts';
import { createApp, type ApiDeps } from '../../src/api/app.ts';
import type { RatingQuota } from '../../src/api/routes/ratings.ts';
import { withinQuota } from '../../src/guardrails/rating-budget.ts';
import type { Recommendation } from '../../src/serving/recommender.ts';

/** A test's view of an app built with in-memory dependencies: what it published and served. */
export interface AppFixture {
  readonly app: ReturnType<typeof createApp>;
  readonly published: RateEvent[];
  readonly served: { userId: string; items: readonly string[] }[];
}

/** The HS256 secret of {@link appFixture}. */
export const fixtureSecret = 'test-secret-that-is-at-least-32-characters-long';

/** Headers carrying a 10-minute bearer token for `sub` (extra claims such as `roles` merged in). */
export function bearer(sub: string, claims: object = {}): Record<string, string> {
  const exp = Math.floor(Date.now() / 1000) + 600;
  const token = jwt.sign({ sub, exp, ...claims }, fixtureSecret, { algorithm: 'HS256' });
  return { authorization: `Bearer ${token}` };
}

/** The daily rating quota over a Map (the API keeps it in Redis); `used` shows what was charged. */
export function memoryQuota(perDay: number): RatingQuota & { readonly used: Map<string, number> } {
  const used = new Map<string, number>();
  return {
    perDay,
    used,
    async spend(subject, day) {
      const n = used.get(`${day}/${subject}`) ?? 0;
      if (!withinQuota(n, perDay)) return false;
      used.set(`${day}/${subject}`, n + 1);
      return true;
    },
    async refund(subject, day) {
      used.set(`${day}/${subject}`, (used.get(`${day}/${subject}`) ?? 1) - 1);
    },
  };
}

/**
 * An app over in-memory stand-ins (a fixed recommender, an array for Kafka, a Map for idempotency
 * keys), for tests of the HTTP layer through app.request(); `overrides` replace any dependency.
 */
export function appFixture(overrides: Partial<ApiDeps> = {}, list: Partial<Recommendation> = {}): AppFixture {
  const published: RateEvent[] = [];
  const served: AppFixture['served'] = [];
  const claimed = new Map<string, string>();
  const recommend = async (): Promise<Recommendation> => ({
    items: [{ movieId: 'toy+story+1995', score: 4.2, reasons: ['score'] }],
    source: 'personal',
    modelVersion: 'v1',
    arm: 'a',
    ...list,
  });
  const app = createApp({
    recommendations: {
      recommend,
      served: { record: (e) => void served.push(e) },
      noiseSecret: 'noise-secret-for-tests',
      noise: { scale: 0.05, decimals: 2 },
      auth: { secret: fixtureSecret },
    },
    ratings: {
      auth: { secret: fixtureSecret },
      publish: async (event) => void published.push(event),
      claimKey: async (key, record) => {
        const held = claimed.get(key);
        if (held === undefined) claimed.set(key, record);
        return held ?? null;
      },
      completeKey: async (key, record) => void claimed.set(key, record),
      releaseKey: async (key) => void claimed.delete(key),
      quota: memoryQuota(500),
    },
    registry: new Registry(),
    readiness: { model: async () => true },
    ...overrides,
  });
  return { app, published, served };
}
