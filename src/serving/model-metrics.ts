import { Gauge, type Registry } from 'prom-client';
import { metrics } from '../../otel/names.ts';
import type { ModelHolder } from './model-holder.ts';

/**
 * Registers what the API serves from on `/metrics`: `marquee_api_model_info{version}` (1 for the
 * version in memory) and the catalogue's titles with and without metadata
 * (`marquee_api_model_described_movies`, `marquee_api_model_undescribed_movies`). An undescribed title is withheld from minors and users of unknown age, so a large
 * undescribed count means short lists for them (the metadata source is behind or down). Read from
 * memory at scrape time. Across an API's workers the info keeps each version present in any worker,
 * and both counts are the least-updated worker's (a rebuild with new metadata reaches them one by one).
 */
export function registerModelMetrics(registry: Registry, models: Pick<ModelHolder, 'current'>): void {
  new Gauge({
    name: metrics.modelVersionInfo,
    help: 'Model version the API serves from (1 per version in memory)',
    labelNames: ['version'],
    registers: [registry],
    aggregator: 'max',
    collect() {
      this.reset();
      const serving = models.current();
      if (serving !== undefined) this.set({ version: serving.version }, 1);
    },
  });
  const described = (): { with: number; without: number } | null => {
    const serving = models.current();
    if (serving === undefined) return null;
    const flags = serving.catalogue.described;
    let count = 0;
    for (let i = 0; i < flags.length; i++) count += flags[i] as number;
    return { with: count, without: flags.length - count };
  };
  // Two gauges, because a cluster aggregator is per metric: the least described titles and the most
  // undescribed ones are both the least-updated worker's.
  new Gauge({
    name: metrics.modelDescribedMovies,
    help: 'Titles in the served catalogue with metadata (the least of the API workers)',
    registers: [registry],
    aggregator: 'min',
    collect() {
      this.reset();
      const counts = described();
      if (counts !== null) this.set(counts.with);
    },
  });
  new Gauge({
    name: metrics.modelUndescribedMovies,
    help: 'Titles in the served catalogue without metadata, withheld from minors and unknown ages (the most of the API workers)',
    registers: [registry],
    aggregator: 'max',
    collect() {
      this.reset();
      const counts = described();
      if (counts !== null) this.set(counts.without);
    },
  });
}
