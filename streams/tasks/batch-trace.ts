/**
 * Spans of one partition task batch: a `marquee.stream.batch` span (head-sampled like any new
 * trace) and, for every event of the batch that carries a sampled trace context (trace-headers.ts),
 * a receive span continuing that event's trace, with a `marquee.state.commit` child spanning the
 * batch's Redis commit. The stage passes each receive span's traceparent on to the events the
 * event causes, so one rating is one trace from the API through both actors to Redis.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Link, type Span } from '@opentelemetry/api';
import { attributes, spans } from '../../otel/names.ts';
import { contextFromTraceparent, keepError, tracer, tracingOn, traceparentOf } from '../../otel/tracing.ts';
import { tracedEventsOf } from '../trace-headers.ts';
import type { StreamRecord, TracedEvents } from './stage.ts';

/** A batch's spans while it runs. */
export interface BatchTrace extends TracedEvents {
  /** The batch's Redis commit ran from `startMs` to `endMs` and succeeded: ends every span. */
  committed(startMs: number, endMs: number): void;
  /** The batch failed or was fenced: ends every span with the error. */
  failed(error: unknown): void;
}

/**
 * Starts the spans of a batch of `group` (`eventSpan` names its receive spans); undefined when
 * tracing is off, so a task without tracing reads no header and allocates nothing.
 */
export function traceBatch(
  eventSpan: string,
  group: string,
  topic: string,
  partition: number,
  records: readonly StreamRecord[],
): BatchTrace | undefined {
  if (!tracingOn()) return undefined;
  const t = tracer();
  let events = 0;
  for (const r of records) events += r.events;
  const where = {
    [attributes.group]: group,
    [attributes.topic]: topic,
    [attributes.partition]: String(partition),
  };
  const batch = t.startSpan(spans.streamBatch, {
    kind: SpanKind.CONSUMER,
    attributes: { ...where, [attributes.events]: events },
  });
  const links: Link[] = batch.isRecording() ? [{ context: batch.spanContext() }] : [];
  const received = new Map<string, Span>();
  for (const r of records) {
    const traced = tracedEventsOf(r.headers);
    if (traced === undefined) continue;
    for (const [index, traceparent] of traced) {
      const span = t.startSpan(
        eventSpan,
        {
          kind: SpanKind.CONSUMER,
          attributes: { ...where, [attributes.offset]: r.offset, [attributes.eventIndex]: index },
          links,
        },
        contextFromTraceparent(traceparent),
      );
      if (span.isRecording()) received.set(`${r.offset}:${index}`, span);
    }
  }
  batch.setAttribute(attributes.tracedEvents, received.size);
  const parents = new Map<string, string | undefined>();
  let ended = false;
  return {
    parentOf(offset, index) {
      const key = `${offset}:${index}`;
      if (!parents.has(key)) {
        const span = received.get(key);
        parents.set(key, span === undefined ? undefined : traceparentOf(span));
      }
      return parents.get(key);
    },
    committed(startMs, endMs) {
      if (ended) return;
      ended = true;
      for (const span of received.values()) {
        t.startSpan(
          spans.stateCommit,
          { startTime: startMs, attributes: where },
          trace.setSpan(ROOT_CONTEXT, span),
        ).end(endMs);
        span.setStatus({ code: SpanStatusCode.OK });
        span.end();
      }
      batch.end();
    },
    failed(error) {
      if (ended) return;
      ended = true;
      for (const span of received.values()) {
        keepError(span, eventSpan, error);
        span.end();
      }
      keepError(batch, spans.streamBatch, error, where);
      batch.end();
    },
  };
}
