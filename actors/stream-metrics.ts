/**
 * The stream's Prometheus instruments (names in otel/names.ts). Counters are fed after each committed
 * batch; gauges are read from the registries and groups when scraped, so they cost nothing between
 * scrapes.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { metrics } from '../otel/names.ts';

/** What the gauges read at scrape time. */
export interface StreamGauges {
  actorsLive(kind: string): number;
  activations(kind: string): number;
  passivations(kind: string): number;
  lag(group: string): number;
  replaysDropped(): number;
  /** Ratings over a movie's daily cap (counted, not learned); per movie on the `capped:<day>` board. */
  capHits(): number;
  /** Titles flagged as pushed (top ratings of a cold, poorly rated title twice in a day); per title on `pushed:<day>`. */
  pushedTitles(): number;
  readonly kinds: readonly string[];
  readonly groups: readonly string[];
}

/** Instruments fed by the stream. */
export interface StreamMetrics {
  /** Events committed by a group (a record may hold a pack of them). */
  committed(group: string, n: number): void;
  /** Seconds from a rating entering Kafka to its user's factors changing in Redis. */
  freshness(seconds: number): void;
}

/** Registers the stream's instruments on `registry`. */
export function createStreamMetrics(registry: Registry, gauges: StreamGauges): StreamMetrics {
  const events = new Counter({
    name: metrics.streamEvents,
    help: 'Events committed by an actor group',
    labelNames: ['group'],
    registers: [registry],
  });
  const freshness = new Histogram({
    name: metrics.streamFreshness,
    help: 'Seconds from a rating entering Kafka to its user factors being committed in Redis',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const perKind = (name: string, help: string, read: (kind: string) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['kind'],
      registers: [registry],
      collect() {
        for (const kind of gauges.kinds) this.set({ kind }, read(kind));
      },
    });
  perKind(metrics.streamActorsLive, 'Live actor activations', (k) => gauges.actorsLive(k));
  perKind(metrics.streamActivations, 'Actor activations since start', (k) => gauges.activations(k));
  perKind(metrics.streamPassivations, 'Actor passivations since start', (k) => gauges.passivations(k));
  new Gauge({
    name: metrics.streamLag,
    help: 'Records (each a pack of up to 1,000 events) behind the log end, per group',
    labelNames: ['group'],
    registers: [registry],
    collect() {
      for (const group of gauges.groups) this.set({ group }, gauges.lag(group));
    },
  });
  new Gauge({
    name: metrics.streamReplaysDropped,
    help: 'Movie events dropped as replays by source watermark',
    registers: [registry],
    collect() {
      this.set(gauges.replaysDropped());
    },
  });
  new Gauge({
    name: metrics.streamCapHits,
    help: 'Ratings counted but not learned because their movie had spent its daily training cap (per movie: the capped:<day> board)',
    registers: [registry],
    collect() {
      this.set(gauges.capHits());
    },
  });
  new Gauge({
    name: metrics.streamPushedTitles,
    help: 'Titles that got two top ratings in a UTC day while cold and poorly rated: a push below the cap (per title: the pushed:<day> board)',
    registers: [registry],
    collect() {
      this.set(gauges.pushedTitles());
    },
  });
  return {
    committed: (group, n) => events.inc({ group }, n),
    freshness: (seconds) => freshness.observe(seconds),
  };
}
