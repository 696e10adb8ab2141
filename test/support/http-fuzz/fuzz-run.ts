/** A fuzz run: every request sent, `concurrency` at a time, and the outcomes tallied and reported. */
import type { FuzzRequest } from './fuzz-requests.ts';
import { sendRaw, type FuzzOutcome } from './raw-http.ts';

/** Counts of a fuzz run. */
export interface FuzzSummary {
  readonly requests: number;
  /** operation → status (or error) → count. */
  readonly byOperation: Map<string, Map<string, number>>;
  readonly serverErrors: number;
  /** Requests that got no HTTP answer at all. */
  readonly noAnswer: number;
  /** Up to 20 requests that got a 5xx or no answer, for the report. */
  readonly examples: { readonly request: FuzzRequest; readonly outcome: FuzzOutcome }[];
}

/** Sends every request, `concurrency` at a time, and tallies the outcomes; `onProgress` per 1,000. */
export async function runFuzz(
  requests: readonly FuzzRequest[],
  target: { readonly host: string; readonly port: number },
  concurrency = 8,
  onProgress?: (done: number) => void,
): Promise<FuzzSummary> {
  const byOperation = new Map<string, Map<string, number>>();
  const examples: { request: FuzzRequest; outcome: FuzzOutcome }[] = [];
  let serverErrors = 0;
  let noAnswer = 0;
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < requests.length) {
      const request = requests[next++] as FuzzRequest;
      const outcome = await sendRaw(request, target.host, target.port);
      const label = 'status' in outcome ? String(outcome.status) : 'no answer';
      const counts = byOperation.get(request.operation) ?? new Map<string, number>();
      byOperation.set(request.operation, counts.set(label, (counts.get(label) ?? 0) + 1));
      const bad = !('status' in outcome) || outcome.status >= 500;
      if ('status' in outcome && outcome.status >= 500) serverErrors++;
      if (!('status' in outcome)) noAnswer++;
      if (bad && examples.length < 20) examples.push({ request, outcome });
      if (++done % 1_000 === 0) onProgress?.(done);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { requests: requests.length, byOperation, serverErrors, noAnswer, examples };
}

/** The summary as a table: one row per operation, one column per status class. */
export function formatSummary(s: FuzzSummary): string {
  const rows = [...s.byOperation].sort(([a], [b]) => a.localeCompare(b));
  const lines = ['operation                              requests  statuses'];
  for (const [operation, counts] of rows) {
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    const statuses = [...counts]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([label, n]) => `${label}×${n}`)
      .join(' ');
    lines.push(`${operation.padEnd(38)} ${String(total).padStart(8)}  ${statuses}`);
  }
  return lines.join('\n');
}

/** The requests that got a 5xx or no answer, one line each. */
export function describeFailures(s: FuzzSummary): string {
  return s.examples
    .map((e) => `${JSON.stringify(e.outcome)} ← ${e.request.method} ${e.request.target.slice(0, 200)}`)
    .join('\n');
}
