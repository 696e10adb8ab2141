import { Registry } from 'prom-client';
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
    expect(await registry.metrics()).not.toMatch(/^marquee_api_model_(info|movies)\{/m);

    current = serving('3', [1, 0, 1, 1]);
    let text = await registry.metrics();
    expect(text).toMatch(/^marquee_api_model_info\{version="3"\} 1$/m);
    expect(text).toMatch(/^marquee_api_model_movies\{state="described"\} 3$/m);
    expect(text).toMatch(/^marquee_api_model_movies\{state="undescribed"\} 1$/m);

    // A rebuild with new metadata, or a new version: the old series go.
    current = serving('4', [1, 1, 1, 1, 1]);
    text = await registry.metrics();
    expect(text).not.toContain('version="3"');
    expect(text).toMatch(/^marquee_api_model_info\{version="4"\} 1$/m);
    expect(text).toMatch(/^marquee_api_model_movies\{state="described"\} 5$/m);
    expect(text).toMatch(/^marquee_api_model_movies\{state="undescribed"\} 0$/m);
  });
});
