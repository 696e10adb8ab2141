/**
 * What a chaos run saw, and what it must show to pass: the one verdict `npm run chaos` and the short
 * form in `npm test` both apply ({@link chaosFailures}), and the lines both print.
 */
import type { RecommendAnswer } from '../recommend-calls.ts';
import type { ServiceName } from '../private-services.ts';

/** How hard and how long. */
export interface ChaosOptions {
  readonly label: string;
  /** /recommend calls per second, throughout. */
  readonly recommendRate: number;
  /** Ratings in the synthetic world replayed (its watch lines come with them). */
  readonly ratings: number;
  /** Movielog lines per second. */
  readonly replayRate: number;
  /** How long each killed service stays down. */
  readonly downMs: number;
  /** Load before the first kill, and between one service's restart and the next kill. */
  readonly settleMs: number;
  /** How long the stream and sink get to catch up at the end. */
  readonly catchUpMs: number;
  readonly log: (line: string) => void;
}

/** The services killed, in the order they are killed. */
export const CHAOS_FAULTS: readonly ServiceName[] = ['kafka', 'redis', 'postgres'];

/** One fault: when the service was killed and when it answered again (ms from the start of load). */
export interface Fault {
  readonly service: ServiceName;
  readonly killedAt: number;
  readonly upAt: number;
}

/** The API's answers under load, summed up. */
export interface AnswerSummary {
  readonly requests: number;
  /** Answers 200 with a non-empty list. */
  readonly good: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** The failed answers, by what they were (status or error). */
  readonly failures: Readonly<Record<string, number>>;
  /** Failed answers per fault window (kill to restart + 5 s). */
  readonly failuresPerFault: readonly number[];
}

/** What a chaos run saw. */
export interface ChaosReport extends AnswerSummary {
  readonly faults: readonly Fault[];
  readonly replay: { readonly lines: number; readonly sendRetries: number; readonly inTopic: number };
  readonly postgres: {
    readonly expected: { readonly ratings: number; readonly watches: number };
    readonly got: { readonly ratings: number; readonly watches: number };
  };
  /** Whether every Redis counter (per user, per movie, histogram, day boards) equals the input's. */
  readonly redisExact: boolean;
  readonly redisDiff: string;
  /** Lines in which `marquee up` reported a role ending (and being restarted). */
  readonly roleExits: readonly string[];
  /** Seconds from the last restart until Postgres and Redis held every event. */
  readonly catchUpSeconds: number;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? 0;
}

/** Sums up the answers (`at`: ms from the start of load) and counts the failed ones per fault. */
export function summarizeAnswers(
  answers: readonly { readonly at: number; readonly answer: RecommendAnswer }[],
  faults: readonly Fault[],
): AnswerSummary {
  const ms = answers.map((a) => a.answer.ms).sort((a, b) => a - b);
  const bad = answers.filter((a) => !(a.answer.valid && a.answer.ids.length > 0));
  const failures: Record<string, number> = {};
  for (const { answer } of bad) {
    const label = answer.error ?? String(answer.status);
    failures[label] = (failures[label] ?? 0) + 1;
  }
  return {
    requests: answers.length,
    good: answers.length - bad.length,
    p50Ms: quantile(ms, 0.5),
    p99Ms: quantile(ms, 0.99),
    maxMs: ms[ms.length - 1] ?? 0,
    failures,
    failuresPerFault: faults.map(
      (f) => bad.filter((a) => a.at >= f.killedAt && a.at <= f.upAt + 5_000).length,
    ),
  };
}

/**
 * What the run failed to show, one line per unmet condition (none: it passed): every service killed
 * in turn, ≥ 99.9 % of the requests answered 200 with a non-empty list, the whole replay in the topic,
 * and Postgres and Redis holding exactly what the movielog says.
 */
export function chaosFailures(r: ChaosReport): string[] {
  const out: string[] = [];
  const killed = r.faults.map((f) => f.service);
  if (killed.join() !== CHAOS_FAULTS.join())
    out.push(`services killed: ${killed.join(', ') || 'none'}; expected ${CHAOS_FAULTS.join(', ')}`);
  if (r.requests === 0 || r.good / r.requests < 0.999)
    out.push(`${r.good} of ${r.requests} requests answered 200 with a list: below 99.9 %`);
  if (r.replay.inTopic < r.replay.lines)
    out.push(`the movielog topic holds ${r.replay.inTopic} of the ${r.replay.lines} lines replayed`);
  const { got, expected } = r.postgres;
  if (got.ratings !== expected.ratings || got.watches !== expected.watches)
    out.push(
      `postgres holds ${got.ratings} ratings and ${got.watches} watches; the movielog says ${expected.ratings} and ${expected.watches}`,
    );
  if (!r.redisExact) out.push(`redis counters differ from the input: ${r.redisDiff}`);
  return out;
}

/** The report as the lines `npm run chaos` prints. */
export function formatChaosReport(r: ChaosReport, o: ChaosOptions): string[] {
  const pct = (100 * r.good) / Math.max(1, r.requests);
  return [
    `faults (SIGKILL, then started again; each down ${o.downMs / 1000} s):`,
    ...r.faults.map(
      (f, j) =>
        `  ${f.service.padEnd(9)} killed at ${(f.killedAt / 1000).toFixed(1).padStart(5)} s, answering at ${(f.upAt / 1000).toFixed(1).padStart(5)} s; failed /recommend answers in that window: ${r.failuresPerFault[j]}`,
    ),
    `/recommend at ${o.recommendRate}/s: ${r.requests} requests, ${r.good} answered 200 with a non-empty list (${pct.toFixed(2)} %); p50 ${r.p50Ms.toFixed(0)} ms, p99 ${r.p99Ms.toFixed(0)} ms, max ${r.maxMs.toFixed(0)} ms` +
      (Object.keys(r.failures).length > 0 ? `; failures: ${JSON.stringify(r.failures)}` : ''),
    `replay: ${r.replay.lines} lines at ${o.replayRate}/s, ${r.replay.sendRetries} batches resent, ${r.replay.inTopic} lines in the movielog topic`,
    `postgres: ratings ${r.postgres.got.ratings} / ${r.postgres.expected.ratings} expected, watches ${r.postgres.got.watches} / ${r.postgres.expected.watches} expected`,
    `redis: every counter (per user, per movie, histogram, day boards) ${r.redisExact ? 'equals the input' : `DIFFERS: ${r.redisDiff}`}`,
    `roles: ${r.roleExits.length === 0 ? 'stream, sink and api never exited' : `${r.roleExits.length} exits, restarted by marquee up: ${r.roleExits.join(' | ')}`}`,
    `caught up ${r.catchUpSeconds.toFixed(1)} s after the load stopped`,
  ];
}
