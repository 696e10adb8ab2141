import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createMetricsRegistry } from './metrics.ts';
import { attributes, metrics, spans } from './names.ts';
import { startTracing, tracer } from './tracing.ts';

const exporter = new InMemorySpanExporter();
const shutdown = startTracing({ role: 'test', exporter });
afterAll(() => shutdown());

describe('observability', () => {
  it('exports spans with the role and marquee service name', async () => {
    tracer().startActiveSpan(spans.cliCommand, (span) => {
      span.setAttribute(attributes.command, 'demo');
      span.end();
    });
    // The span processor exports asynchronously once the resource's attributes have settled.
    await vi.waitFor(() => expect(exporter.getFinishedSpans()).toHaveLength(1));
    const [finished] = exporter.getFinishedSpans();
    expect(finished?.name).toBe(spans.cliCommand);
    expect(finished?.attributes[attributes.command]).toBe('demo');
    expect(finished?.resource.attributes['service.name']).toBe('marquee');
    expect(finished?.resource.attributes[attributes.role]).toBe('test');
  });

  it('serves Prometheus text with build info and process metrics', async () => {
    const text = await createMetricsRegistry('api', '1.2.3').metrics();
    expect(text).toContain(`${metrics.buildInfo}{version="1.2.3",role="api"} 1`);
    expect(text).toMatch(/marquee_process_cpu_seconds_total\{role="api"\}/);
  });
});
