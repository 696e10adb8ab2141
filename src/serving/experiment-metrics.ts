import { Counter, Gauge, type Registry } from 'prom-client';
import { metrics } from '../../otel/names.ts';
import type { ExperimentFollower } from './experiment-follower.ts';

/**
 * Registers the running experiment's online RMSE on `/metrics` (names in otel/names.ts): per arm the
 * RMSE of its last completed batch of 1,000 ratings and the number of batches, from the follower's
 * last read — a scrape never touches Redis. An arm with no batch yet exports only its count (0).
 */
export function registerExperimentMetrics(
  registry: Registry,
  follower: Pick<ExperimentFollower, 'batches'>,
): void {
  new Gauge({
    name: metrics.onlineRmse,
    help: 'RMSE (stars) of the last completed batch of 1,000 online ratings, per experiment arm',
    labelNames: ['arm'],
    registers: [registry],
    collect() {
      this.reset();
      for (const b of follower.batches()) if (Number.isFinite(b.rmse)) this.set({ arm: b.label }, b.rmse);
    },
  });
  new Counter({
    name: metrics.onlineRmseBatches,
    help: 'Completed batches of 1,000 online ratings, per experiment arm',
    labelNames: ['arm'],
    registers: [registry],
    collect() {
      this.reset();
      for (const b of follower.batches()) this.inc({ arm: b.label }, b.batches);
    },
  });
}
