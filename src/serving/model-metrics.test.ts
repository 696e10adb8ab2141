import { AggregatorRegistry, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { registerModelMetrics } from './model-metrics.ts';
import type { ServingModel } from './serving-model.ts';

const serving = (version: string, described: number[]) =>
  ({ version, catalogue: { described: Uint8Array.from(described) } }) as unknown as ServingModel;

describe('registerModelMetrics', () => {
  it('exports the version in memory and its titles with and without metadata, as of each scrape', async () => {
    const registry = new Registry();
    let current: ServingModel | undefined;
    registerModelMetrics(registry, { current: () => current });
    // Before a model: no version, and no titles.
    const before = await registry.metrics();
    expect(before).not.toMatch(/^marquee_api_model_info\{/m);
    expect(before).toMatch(/^marquee_api_model_described_movies 0$/m);

    current = serving('3', [1, 0, 1, 1]);
    let text = await registry.metrics();
    expect(text).toMatch(/^marquee_api_model_info\{version="3"\} 1$/m);
    expect(text).toMatch(/^marquee_api_model_described_movies 3$/m);
    expect(text).toMatch(/^marquee_api_model_undescribed_movies 1$/m);

    // A rebuild with new metadata, or a new version: the old series go.
    current = serving('4', [1, 1, 1, 1, 1]);
    text = await registry.metrics();
    expect(text).not.toContain('version="3"');
    expect(text).toMatch(/^marquee_api_model_info\{version="4"\} 1$/m);
    expect(text).toMatch(/^marquee_api_model_described_movies 5$/m);
    expect(text).toMatch(/^marquee_api_model_undescribed_movies 0$/m);
  });

  it('aggregates the workers of one API to the least-updated one: fewest described, most undescribed', async () => {
    const registries = [serving('3', [1, 1, 1, 0]), serving('3', [1, 1, 1, 1])].map((model) => {
      const registry = new Registry();
      registerModelMetrics(registry, { current: () => model });
      return registry;
    });
    const merged = AggregatorRegistry.aggregate(
      await Promise.all(registries.map((r) => r.getMetricsAsJSON())),
    );
    const text = await merged.metrics();
    expect(text).toMatch(/^marquee_api_model_described_movies 3$/m);
    expect(text).toMatch(/^marquee_api_model_undescribed_movies 1$/m);
    expect(text).toMatch(/^marquee_api_model_info\{version="3"\} 1$/m);
  });
});
