/**
 * Trace context in Kafka record headers (W3C `traceparent`). A record of one event carries its
 * event's `traceparent`; a pack (event-pack.ts) carries `marquee-traceparents`: `index=traceparent`
 * for each event of the pack whose trace is sampled, comma-separated. Only sampled events carry a
 * context: an unsampled one would only tell the reader to drop its spans, which it does anyway for
 * events that carry nothing; so a pack of 1,000 events of which none is traced costs no header
 * byte, and one with a traced rating costs ≈ 60 bytes (docs/operations.md, "Traces").
 */
import type { IHeaders } from 'kafkajs';
import { traceHeaders } from '../otel/names.ts';

/** The header of a pack whose events at the given `index=traceparent` entries are traced. */
export function packTraceHeader(entries: readonly string[]): IHeaders {
  return { [traceHeaders.pack]: entries.join(',') };
}

/** The header of a record of one traced event. */
export function singleTraceHeader(traceparent: string): IHeaders {
  return { [traceHeaders.single]: traceparent };
}

const text = (value: IHeaders[string]): string | undefined => {
  const v = Array.isArray(value) ? value[0] : value;
  return v === undefined ? undefined : Buffer.isBuffer(v) ? v.toString('latin1') : String(v);
};

/** W3C traceparent: version 00, 32 hex trace id, 16 hex parent id, 2 hex flags. */
const TRACEPARENT = /^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/;

/**
 * The traced events of a record, event index → traceparent; undefined when it carries none. Entries
 * that are not well-formed are ignored: a broken header must never cost the event itself.
 */
export function tracedEventsOf(headers: IHeaders | undefined): Map<number, string> | undefined {
  if (headers === undefined) return undefined;
  const single = headers[traceHeaders.single];
  const pack = headers[traceHeaders.pack];
  if (single === undefined && pack === undefined) return undefined;
  const traced = new Map<number, string>();
  const one = text(single);
  if (one !== undefined && TRACEPARENT.test(one)) traced.set(0, one);
  for (const entry of (text(pack) ?? '').split(',')) {
    const at = entry.indexOf('=');
    const index = Number(entry.slice(0, at));
    const traceparent = entry.slice(at + 1);
    if (at > 0 && Number.isInteger(index) && index >= 0 && TRACEPARENT.test(traceparent))
      traced.set(index, traceparent);
  }
  return traced.size === 0 ? undefined : traced;
}
