import jwt from 'jsonwebtoken';
import { Registry } from 'prom-client';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { createApp } from '../../src/api/app.ts';
import { API_RATE_LIMIT } from '../../src/api/start-api.ts';
import type { ListSource, Recommendation } from '../../src/serving/recommender.ts';
import type { RateEvent } from '../../streams/events.ts';
import type { RankNoiseOptions } from '../../src/guardrails/rank-noise.ts';
import { memoryQuota } from './app-fixture.ts';

/** The HS256 secret of {@link simApp}'s tokens. */
const secret = 'attack-simulation-secret-at-least-32-chars';

/** Marquee's HTTP app for the attack simulations: real routes and middleware, in-memory edges. */
export interface SimApp {
  readonly app: ReturnType<typeof createApp>;
  /** Ratings that reached "Kafka" (accepted with 202). */
  readonly published: RateEvent[];
  /** A bearer token for `sub`, valid for an hour (one per subject). */
  token(sub: string): string;
}

/** Options of {@link simApp}. */
export interface SimAppOptions {
  /** Lists, as serving would rank them (item ids, best first). */
  readonly recommend: (userId: string, limit: number) => readonly string[];
  /** Where a user's list comes from (default: personal): a cold list is the same for everyone. */
  readonly sourceOf?: (userId: string) => ListSource;
  /** Per-address throttle of /v1 as `marquee api` sets it (the address is the `x-sim-address` header). */
  readonly throttle: boolean;
  /** Score noise of the JSON route (σ 0: off). */
  readonly noise: { readonly scale: number; readonly decimals: number };
  /** Ratings a subject may record per UTC day (RATING_QUOTA; 0: no quota). */
  readonly quota: number;
  /** Rank noise on both recommendation routes (RANK_NOISE; default off). */
  readonly rankNoise?: RankNoiseOptions;
}

/** Builds the app with the deployed middleware (JWT, throttle when asked, id grammar, body limits). */
export function simApp(options: SimAppOptions): SimApp {
  const published: RateEvent[] = [];
  const claimed = new Map<string, string>();
  const auth = { secret };
  const recommend = async (userId: string, limit: number): Promise<Recommendation> => ({
    items: options
      .recommend(userId, limit)
      .map((movieId, k) => ({ movieId, score: 5 - k / 100, reasons: ['score'] })),
    source: options.sourceOf?.(userId) ?? 'personal',
    modelVersion: 'sim',
    arm: 'a',
  });
  const limiter = new RateLimiterMemory({
    points: API_RATE_LIMIT.points,
    duration: API_RATE_LIMIT.windowSec,
  });
  const app = createApp({
    recommendations: {
      recommend,
      served: { record: () => undefined },
      noiseSecret: 'sim-noise',
      noise: options.noise,
      auth,
      ...(options.rankNoise && {
        rankNoise: { secret: 'sim-noise', options: options.rankNoise, minGenres: 10 },
      }),
    },
    ratings: {
      auth,
      quota: memoryQuota(options.quota),
      publish: async (event) => void published.push(event),
      claimKey: async (key, record) => {
        const held = claimed.get(key);
        if (held === undefined) claimed.set(key, record);
        return held ?? null;
      },
      completeKey: async (key, record) => void claimed.set(key, record),
      releaseKey: async (key) => void claimed.delete(key),
    },
    registry: new Registry(),
    readiness: {},
    ...(options.throttle && { rateLimit: { limiter, key: (c) => c.req.header('x-sim-address') ?? 'none' } }),
  });
  const tokens = new Map<string, string>();
  const token = (sub: string) => {
    let t = tokens.get(sub);
    if (t === undefined)
      tokens.set(sub, (t = jwt.sign({ sub, exp: Math.floor(Date.now() / 1000) + 3600 }, secret)));
    return t;
  };
  return { app, published, token };
}

/** Posts one rating as `userId` from `address`; answers the status. */
export async function postRating(
  sim: SimApp,
  address: string,
  userId: string,
  movieId: string,
  rating: number,
  key: string,
): Promise<Response> {
  return sim.app.request('/v1/ratings', {
    method: 'POST',
    headers: {
      'x-sim-address': address,
      authorization: `Bearer ${sim.token(userId)}`,
      'content-type': 'application/json',
      'idempotency-key': key,
    },
    body: JSON.stringify({ userId, movieId, rating }),
  });
}
