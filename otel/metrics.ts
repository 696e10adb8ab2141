import { createServer } from 'node:http';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { metrics } from './names.ts';

/** A prom-client registry for one role: process metrics plus marquee_build_info{role,version}. */
export function createMetricsRegistry(role: string, version: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ role });
  collectDefaultMetrics({ register: registry, prefix: 'marquee_' });
  const info = new Gauge({
    name: metrics.buildInfo,
    help: 'Marquee version of this process',
    labelNames: ['version'],
    registers: [registry],
    // One API's workers aggregated into one scrape (otel/cluster-metrics.ts) are one version, not N.
    aggregator: 'first',
  });
  info.set({ version }, 1);
  return registry;
}

/**
 * Serves `registry` as Prometheus text on `host:port/metrics` (anything else is 404), for roles that
 * have no HTTP server of their own; returns a close function.
 */
export function serveMetrics(registry: Registry, port: number, host = '127.0.0.1'): () => Promise<void> {
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end();
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  }).listen(port, host);
  // A port in use must not crash the role it reports on: Prometheus shows the target down instead.
  server.on('error', (error) => process.stderr.write(`metrics on ${host}:${port}: ${error.message}\n`));
  return () => new Promise((resolve) => server.close(() => resolve()));
}

/** What the ingest role and the sink report; read at scrape time. */
export interface IngestSinkReadings {
  readonly ingest?: () => { lines: number; events: number; deadLettered: number };
  readonly sink?: () => {
    ratingsInserted: number;
    watchesInserted: number;
    deadLettered: number;
    /** Served lists stored by the sink's second consumer (marquee.served → served_lists). */
    listsInserted?: number;
  };
  readonly enricher?: () => {
    stored: number;
    notFound: number;
    failed: number;
    overflowed: number;
    pending: number;
  };
}

/** Registers the ingest, sink and enrichment instruments (names in otel/names.ts), read when scraped. */
export function registerIngestSinkMetrics(registry: Registry, readings: IngestSinkReadings): void {
  const counter = (name: string, help: string, labelNames: string[], read: (c: Counter<string>) => void) =>
    new Counter({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        read(this);
      },
    });
  const { ingest, sink, enricher } = readings;
  if (ingest !== undefined) {
    counter(metrics.ingestLines, 'movielog lines ingest has read', ['outcome'], (c) => {
      const s = ingest();
      c.inc({ outcome: 'event' }, s.events);
      c.inc({ outcome: 'dead_letter' }, s.deadLettered);
    });
  }
  if (sink !== undefined) {
    counter(metrics.sinkRows, 'rows the sink inserted into Postgres', ['table'], (c) => {
      const s = sink();
      c.inc({ table: 'ratings' }, s.ratingsInserted);
      c.inc({ table: 'watches' }, s.watchesInserted);
      if (s.listsInserted !== undefined) c.inc({ table: 'served_lists' }, s.listsInserted);
    });
    counter(metrics.sinkDeadLetters, 'user events the sink could not validate', [], (c) =>
      c.inc(sink().deadLettered),
    );
  }
  if (enricher !== undefined) {
    counter(metrics.enrichment, 'ids the metadata enricher has settled', ['outcome'], (c) => {
      const s = enricher();
      c.inc({ outcome: 'stored' }, s.stored);
      c.inc({ outcome: 'not_found' }, s.notFound);
      c.inc({ outcome: 'failed' }, s.failed);
      c.inc({ outcome: 'overflowed' }, s.overflowed);
    });
    new Gauge({
      name: metrics.enrichmentPending,
      help: 'ids waiting for metadata',
      registers: [registry],
      collect() {
        this.set(enricher().pending);
      },
    });
  }
}
