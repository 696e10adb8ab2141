import {
  context,
  INVALID_SPAN_CONTEXT,
  propagation,
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type SpanKind,
  type Tracer,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  SamplingDecision,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SamplingResult,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { attributes, serviceName } from './names.ts';

/** How a role exports traces: to an OTLP endpoint (Jaeger), to a given exporter (tests), or nowhere. */
export interface TracingOptions {
  readonly role: string;
  readonly otlpEndpoint?: string | undefined;
  readonly exporter?: SpanExporter;
  /** Share of new traces kept (head sampling by trace id; default 1). Errors are kept regardless. */
  readonly sampleRatio?: number;
}

/**
 * Head sampling by trace id for new traces, the parent's decision for continued ones (a trace is
 * kept whole or not at all), and always for a span that asks to be kept ({@link keepError}).
 */
export function createSampler(ratio: number): Sampler {
  const inner = new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
  return {
    shouldSample(ctx, traceId, name, kind, attrs, links): SamplingResult {
      if (attrs[attributes.keep] === true) return { decision: SamplingDecision.RECORD_AND_SAMPLED };
      return inner.shouldSample(ctx, traceId, name, kind, attrs, links);
    },
    toString: () => `MarqueeSampler{${inner.toString()}}`,
  };
}

/**
 * Whether this process exports traces. Hot paths ask before doing per-item work for tracing (reading
 * record headers, packing trace contexts), so with tracing off they pay nothing at all.
 */
let tracing = false;

/** True once startTracing has started an exporter in this process. */
export function tracingOn(): boolean {
  return tracing;
}

/**
 * Starts the OpenTelemetry SDK for one role; returns its shutdown (flushes pending spans). With
 * neither an endpoint nor an exporter, tracing stays off and spans are no-ops. Context travels in
 * W3C trace context (`traceparent`), the SDK's default propagator.
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
    sampler: createSampler(options.sampleRatio ?? 1),
    // Tests read spans as soon as they end; an OTLP exporter gets batches (one request per 512 spans
    // or 5 s). Both explicit: NodeSDK ignores `traceExporter` once `spanProcessors` is given, even
    // empty, which is how no span ever left a role before.
    spanProcessors: [
      options.exporter === undefined ? new BatchSpanProcessor(exporter) : new SimpleSpanProcessor(exporter),
    ],
    instrumentations: [],
  });
  sdk.start();
  tracing = true;
  return async () => {
    tracing = false;
    await sdk.shutdown();
  };
}

/** The span `inSpan` hands out while tracing is off: records nothing, costs nothing. */
const NO_SPAN = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/** Marquee's tracer; spans are no-ops until startTracing has run. */
export function tracer(): Tracer {
  return trace.getTracer(serviceName);
}

/**
 * Marks `span` failed with `error`. If its trace was not sampled, the error is still kept: a root
 * span of the same name, forced into the sample and linked to the unsampled context, records it
 * (head sampling alone would drop most errors, which are what one opens Jaeger for).
 */
export function keepError(span: Span, name: string, error: unknown, attrs: Attributes = {}): void {
  const message = error instanceof Error ? error.message : String(error);
  const target = span.isRecording()
    ? span
    : tracer().startSpan(
        name,
        {
          root: true,
          attributes: { ...attrs, [attributes.keep]: true },
          links: [{ context: span.spanContext() }],
        },
        ROOT_CONTEXT,
      );
  target.recordException(error instanceof Error ? error : message);
  target.setStatus({ code: SpanStatusCode.ERROR, message });
  if (target !== span) target.end();
}

/**
 * Runs `fn` inside an active span named `name`, ending it when `fn` settles; an error marks the span
 * failed (kept even when unsampled, {@link keepError}) and is rethrown.
 */
export async function inSpan<T>(
  name: string,
  attrs: Attributes,
  fn: (span: Span) => Promise<T>,
  options: { kind?: SpanKind; links?: Link[]; parent?: Context } = {},
): Promise<T> {
  if (!tracing) return fn(NO_SPAN);
  return tracer().startActiveSpan(
    name,
    {
      attributes: attrs,
      ...(options.kind !== undefined && { kind: options.kind }),
      ...(options.links && { links: options.links }),
    },
    options.parent ?? context.active(),
    async (span) => {
      try {
        return await fn(span);
      } catch (error) {
        keepError(span, name, error, attrs);
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/** The W3C `traceparent` of `span` when its trace is sampled (nothing to pass on otherwise). */
export function traceparentOf(span: Span): string | undefined {
  if (!span.isRecording()) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(ROOT_CONTEXT, span), carrier);
  return carrier['traceparent'];
}

/** The active span's `traceparent`, if it is sampled. */
export function activeTraceparent(): string | undefined {
  const span = trace.getActiveSpan();
  return span === undefined ? undefined : traceparentOf(span);
}

/** The context a `traceparent` names (W3C trace context), to continue its trace. */
export function contextFromTraceparent(traceparent: string): Context {
  return propagation.extract(ROOT_CONTEXT, { traceparent });
}
