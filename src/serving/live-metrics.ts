import { Counter, Gauge, type Registry } from 'prom-client';
import { metrics } from '../../otel/names.ts';
import type { LiveSignals, LiveSnapshot, LiveViolations } from './live-signals.ts';

/**
 * Registers the feedback-loop signals on `/metrics` (names in otel/names.ts), read from the last
 * live snapshot at scrape time: a scrape never touches Redis. Nothing is exported before the first
 * reading. `headCap` reports the popularity cap in force (the mitigation's, src/serving/head-cap.ts).
 */
export function registerLiveMetrics(
  registry: Registry,
  signals: Pick<LiveSignals, 'current'>,
  headCap?: () => number,
): void {
  const gauge = (name: string, help: string, value: (s: LiveSnapshot) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        const s = signals.current();
        const v = s === null ? NaN : value(s);
        if (Number.isFinite(v)) this.set(v);
      },
    });
  gauge(metrics.feedbackCoverage, 'Share of the catalogue served in the last 24 h', (s) => s.coverage);
  gauge(metrics.feedbackGini, 'Gini of exposure over the catalogue in the last 24 h', (s) => s.gini);
  gauge(
    metrics.feedbackHeadShare,
    'Share of the last 24 h exposure on the most exposed 1 % of titles',
    (s) => s.headShare,
  );
  gauge(
    metrics.feedbackCapHeadShare,
    "Share of the last 24 h exposure on the popularity cap's head titles",
    (s) => s.capHeadShare,
  );
  gauge(
    metrics.feedbackPopularity,
    'Mean training-rating count of a recommended title in the last 24 h (popularity reinforcement)',
    (s) => s.avgPopularity,
  );
  gauge(metrics.feedbackExposures, 'Title slots served in the last 24 h', (s) => s.exposures);
  gauge(
    metrics.feedbackRatingSkew,
    'Earth mover’s distance between ratings of served titles and organic ratings, stars',
    (s) => s.ratingSkew.wasserstein,
  );
  new Gauge({
    name: metrics.feedbackRatingMean,
    help: 'Mean rating of titles rated after being served, and of organic ratings',
    labelNames: ['origin'],
    registers: [registry],
    collect() {
      this.reset();
      const s = signals.current();
      if (s === null) return;
      for (const origin of ['served', 'organic'] as const) {
        const mean = s.ratingSkew[origin].mean;
        if (Number.isFinite(mean)) this.set({ origin }, mean);
      }
    },
  });
  new Counter({
    name: metrics.feedbackRatings,
    help: 'Ratings by origin (the title was in the rater’s last served list, or not) and stars',
    labelNames: ['origin', 'stars'],
    registers: [registry],
    collect() {
      this.reset();
      const s = signals.current();
      if (s === null) return;
      for (const origin of ['served', 'organic'] as const)
        s.ratings[origin].forEach((n, j) => this.inc({ origin, stars: String(j + 1) }, n));
    },
  });
  const audited = (name: string, help: string, value: (v: LiveViolations) => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        const v = signals.current()?.violations;
        if (v !== null && v !== undefined) this.inc(value(v));
      },
    });
  audited(metrics.auditLiveLists, 'Served lists the live audit has checked', (v) => v.lists);
  audited(metrics.auditLiveViolations, 'Guardrail violations the live audit has found', (v) => v.violations);
  if (headCap !== undefined)
    new Gauge({
      name: metrics.feedbackHeadCap,
      help: 'Largest share of a list the popular head may take now (the cap tightens on live exposure)',
      registers: [registry],
      collect() {
        this.set(headCap());
      },
    });
}
