import { Gauge, type Registry } from 'prom-client';
import { metrics } from '../../otel/names.ts';
import type { ModelHolder } from './model-holder.ts';

/**
 * Registers what the API serves from on `/metrics`: `marquee_api_model_info{version}` (1 for the
 * version in memory) and `marquee_api_model_movies{state}`, the catalogue's titles with and without
 * metadata. An undescribed title is withheld from minors and users of unknown age, so a large
 * undescribed count means short lists for them (the metadata source is behind or down). Read from
 * memory at scrape time. Across an API's workers the info keeps each version present in any worker,
 * and the counts are the least-updated worker's (a rebuild with new metadata reaches them one by one).
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
  new Gauge({
    name: metrics.modelMovies,
    help: 'Titles in the served catalogue, with metadata (described) and without (undescribed)',
    labelNames: ['state'],
    registers: [registry],
    aggregator: 'min',
    collect() {
      this.reset();
      const serving = models.current();
      if (serving === undefined) return;
      const { described } = serving.catalogue;
      let count = 0;
      for (let i = 0; i < described.length; i++) count += described[i] as number;
      this.set({ state: 'described' }, count);
      this.set({ state: 'undescribed' }, described.length - count);
    },
  });
}
