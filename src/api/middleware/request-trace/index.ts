import { SpanKind } from '@opentelemetry/api';
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { attributes, spans } from '../../../../otel/names.ts';
import { keepError, tracer, tracingOn } from '../../../../otel/tracing.ts';

/** Span names of the routes that have their own; every other request is `marquee.api.request`. */
const ROUTE_SPANS: Readonly<Record<string, string>> = {
  '/recommend/:userId': spans.apiRecommend,
  '/v1/users/:userId/recommendations': spans.apiRecommend,
  '/v1/ratings': spans.apiRating,
};

/**
 * One root span per request (SERVER), named by its route, active while the handler runs so the
 * serving steps and the Kafka publish become its children. A client's `traceparent` is not
 * continued: a caller must not be able to force our sampling decision (or fill Jaeger). A 5xx
 * answer marks the span failed, and failed spans are kept even when unsampled (otel/tracing.ts).
 * With tracing off the middleware only calls next().
 */
export function requestTrace(): MiddlewareHandler {
  return async function traced(c, next) {
    if (!tracingOn()) return next();
    return tracer().startActiveSpan(spans.apiRequest, { kind: SpanKind.SERVER }, async (span) => {
      try {
        await next();
      } finally {
        const route = routePath(c, -1);
        const name = ROUTE_SPANS[route] ?? spans.apiRequest;
        const status = c.res.status;
        if (span.isRecording()) {
          span.updateName(name);
          span.setAttributes({ [attributes.route]: route, [attributes.status]: status });
        }
        if (status >= 500) keepError(span, name, new Error(`HTTP ${status}`), { [attributes.route]: route });
        span.end();
      }
    });
  };
}
