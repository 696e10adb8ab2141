import { describe, expect, it } from 'vitest';
import type { LiveSnapshot } from '../../serving/live-signals.ts';
import { liveRoutes } from './index.ts';

const snapshot = {
  at: 1_700_000_000_000,
  modelVersion: '3',
  catalogue: 10,
  windowHours: 24,
  fullAt: 1_700_000_000_000,
  exposures: 20,
  coverage: 0.6,
  gini: 0.61,
  headShare: 0.4,
  capHeadShare: 0.4,
  avgPopularity: 78.5,
  ratingSkew: {
    served: { n: 4, mean: 4.5 },
    organic: { n: 0, mean: NaN },
    meanGap: NaN,
    wasserstein: NaN,
  },
  ratings: { served: [0, 0, 0, 2, 2], organic: [0, 0, 0, 0, 0] },
  topServed: [{ movieId: 'm0', title: 'Title', count: 8 }],
  topWatched: [],
  topRated: [],
  violations: null,
} satisfies LiveSnapshot;

describe('the live page', () => {
  it('serves an accessible HTML page that reads the event stream', async () => {
    const app = liveRoutes({ signals: { subscribe: () => () => undefined } });
    const res = await app.request('/live');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('role="status"');
    expect(html).toContain("new EventSource('/live/events')");
    expect(html).toMatch(/<caption>Most served \(24 h\)<\/caption>/);
  });

  it('streams each reading as a snapshot event, NaN as null, and refuses streams beyond its bound', async () => {
    const app = liveRoutes({
      signals: { subscribe: (listener) => (listener(snapshot), () => undefined) },
      headCap: () => 0.25,
      maxClients: 1,
    });
    const controller = new AbortController();
    const res = await app.request('/live/events', { signal: controller.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const { value } = await reader.read();
    const text = new TextDecoder().decode(value);
    expect(text).toContain('event: snapshot');
    const data = JSON.parse(/data: (.*)/.exec(text)?.[1] ?? 'null') as Record<string, unknown>;
    expect(data).toMatchObject({ coverage: 0.6, headCap: 0.25, modelVersion: '3' });
    expect(data['ratingSkew']).toEqual({
      servedMean: 4.5,
      servedRatings: 4,
      organicMean: null,
      organicRatings: 0,
      wasserstein: null,
    });
    expect((await app.request('/live/events')).status).toBe(503);
    await reader.cancel();
    controller.abort();
  });
});
