import { describe, expect, it } from 'vitest';
import { createMetricsRegistry, registerIngestSinkMetrics, serveMetrics } from './metrics.ts';
import { metrics } from './names.ts';

describe('ingest and sink metrics', () => {
  const ingest = { lines: 0, events: 0, deadLettered: 0 };
  const enricher = { stored: 0, notFound: 0, failed: 0, overflowed: 0, pending: 0 };
  const registry = createMetricsRegistry('ingest', 'test');
  registerIngestSinkMetrics(registry, { ingest: () => ingest, enricher: () => enricher });

  it('reads the role counters at scrape time', async () => {
    Object.assign(ingest, { lines: 12, events: 10, deadLettered: 2 });
    Object.assign(enricher, { stored: 3, pending: 4 });
    const text = await registry.metrics();
    expect(text).toContain(`${metrics.ingestLines}{outcome="event",role="ingest"} 10`);
    expect(text).toContain(`${metrics.ingestLines}{outcome="dead_letter",role="ingest"} 2`);
    expect(text).toContain(`${metrics.enrichment}{outcome="stored",role="ingest"} 3`);
    expect(text).toContain(`${metrics.enrichmentPending}{role="ingest"} 4`);
    Object.assign(ingest, { events: 15 });
    expect(await registry.metrics()).toContain(`${metrics.ingestLines}{outcome="event",role="ingest"} 15`);
  });

  it('serves /metrics over HTTP on loopback and nothing else', async () => {
    const registry2 = createMetricsRegistry('sink', 'test');
    registerIngestSinkMetrics(registry2, {
      sink: () => ({ ratingsInserted: 7, watchesInserted: 5, deadLettered: 1, listsInserted: 4 }),
    });
    const port = 19_400 + Math.floor(Math.random() * 500);
    const close = serveMetrics(registry2, port);
    try {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const page = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(page.status).toBe(200);
      const text = await page.text();
      expect(text).toContain(`${metrics.sinkRows}{table="ratings",role="sink"} 7`);
      expect(text).toContain(`${metrics.sinkRows}{table="served_lists",role="sink"} 4`);
      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    } finally {
      await close();
    }
  });
});
