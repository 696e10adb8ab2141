import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { LiveSignals, LiveSnapshot } from '../../serving/live-signals.ts';
import { problem } from '../middleware/problem-json/index.ts';
import { livePage } from './live-page.ts';

/** What the live page needs. */
export interface LiveDeps {
  readonly signals: Pick<LiveSignals, 'subscribe'>;
  /** The head cap in force (src/serving/head-cap.ts). */
  readonly headCap?: () => number;
  /** Event streams open at once at most (default 16); more get a 503. */
  readonly maxClients?: number;
}

/** What one server-sent event carries: the snapshot, flattened for the page. */
export function liveView(s: LiveSnapshot, headCap: number | null) {
  const finite = (x: number) => (Number.isFinite(x) ? x : null);
  return {
    at: s.at,
    modelVersion: s.modelVersion,
    catalogue: s.catalogue,
    exposures: s.exposures,
    coverage: s.coverage,
    gini: s.gini,
    headShare: s.headShare,
    capHeadShare: s.capHeadShare,
    headCap,
    avgPopularity: s.avgPopularity,
    ratingSkew: {
      servedMean: finite(s.ratingSkew.served.mean),
      servedRatings: s.ratingSkew.served.n,
      organicMean: finite(s.ratingSkew.organic.mean),
      organicRatings: s.ratingSkew.organic.n,
      wasserstein: finite(s.ratingSkew.wasserstein),
    },
    topServed: s.topServed,
    topWatched: s.topWatched,
    topRated: s.topRated,
    violations: s.violations,
  };
}

/**
 * `GET /live`: the live coverage page; `GET /live/events`: server-sent events, one `snapshot` per
 * reading of the live signals (every second while a page listens). The readings come from Redis
 * off the request path (src/serving/live-signals.ts): a listener only serialises what is held.
 */
export function liveRoutes(deps: LiveDeps): Hono {
  const maxClients = deps.maxClients ?? 16;
  let clients = 0;
  return new Hono()
    .get('/live', (c) => c.html(livePage, 200, { 'Cache-Control': 'no-store' }))
    .get('/live/events', (c) => {
      if (clients >= maxClients)
        return problem(c, 503, 'Service Unavailable', 'Too many live pages are open; try again later.');
      clients++;
      c.header('Cache-Control', 'no-store');
      return streamSSE(c, async (stream) => {
        let close = () => undefined as void;
        const closed = new Promise<void>((resolve) => (close = resolve));
        const unsubscribe = deps.signals.subscribe((s) => {
          void stream
            .writeSSE({ event: 'snapshot', data: JSON.stringify(liveView(s, deps.headCap?.() ?? null)) })
            .catch(close);
        });
        stream.onAbort(close);
        try {
          await closed;
        } finally {
          unsubscribe();
          clients--;
        }
      });
    });
}
