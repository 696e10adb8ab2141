import { trace, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { attributes, serviceName } from './names.ts';

/** How a role exports traces: to an OTLP endpoint (Jaeger), to a given exporter (tests), or nowhere. */
export interface TracingOptions {
  readonly role: string;
  readonly otlpEndpoint?: string | undefined;
  readonly exporter?: SpanExporter;
}

/**
 * Starts the OpenTelemetry SDK for one role; returns its shutdown (flushes pending spans). With
 * neither an endpoint nor an exporter, tracing stays off and spans are no-ops.
 */
export function startTracing(options: TracingOptions): () => Promise<void> {
  const exporter =
    options.exporter ??
    (options.otlpEndpoint === undefined
      ? undefined
      : new OTLPTraceExporter({ url: `${options.otlpEndpoint.replace(/\/$/, '')}/v1/traces` }));
  if (exporter === undefined) return async () => undefined;
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName, [attributes.role]: options.role }),
    // Tests read spans as soon as they end; a batch processor would hold them back.
    spanProcessors: [options.exporter === undefined ? undefined : new SimpleSpanProcessor(exporter)].filter(
      (p) => p !== undefined,
    ),
    traceExporter: options.exporter === undefined ? exporter : undefined,
    instrumentations: [],
  });
  sdk.start();
  return () => sdk.shutdown();
}

/** Marquee's tracer; spans are no-ops until startTracing has run. */
export function tracer(): Tracer {
  return trace.getTracer(serviceName);
}
