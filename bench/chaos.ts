/**
 * `npm run chaos`: the chaos suite (test/support/chaos-run.ts). Marquee's stream, sink and API run as
 * `marquee up` on private Kafka, Redis and Postgres (free loopback ports, own data directories; the
 * shared services are never touched) under paced /recommend load and a replay; Kafka, then Redis,
 * then Postgres are SIGKILLed one at a time and started again. Passes when at least 99.9 % of the
 * requests were answered 200 with a non-empty list and the final counts in Postgres and Redis equal
 * those of the movielog. Options: --rate N (/recommend per second, default 50), --ratings N (default
 * 20,000), --replay-rate N (lines per second, default 1,000), --down S (seconds each service stays
 * dead, default 5), --settle S (default 8).
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { formatChaosReport, runChaos, type ChaosOptions } from '../test/support/chaos-run.ts';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '50' },
    ratings: { type: 'string', default: '20000' },
    'replay-rate': { type: 'string', default: '1000' },
    down: { type: 'string', default: '5' },
    settle: { type: 'string', default: '8' },
  },
});
const number = (name: keyof typeof values) => {
  const n = Number(values[name]);
  if (!(Number.isFinite(n) && n > 0)) {
    console.error(`chaos: --${name} takes a positive number, got '${values[name]}'`);
    process.exit(2);
  }
  return n;
};
const started = Date.now();
const options: ChaosOptions = {
  label: 'chaos',
  recommendRate: number('rate'),
  ratings: number('ratings'),
  replayRate: number('replay-rate'),
  downMs: number('down') * 1000,
  settleMs: number('settle') * 1000,
  catchUpMs: 180_000,
  log: (line) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`),
};
const report = await runChaos(options);
for (const line of formatChaosReport(report, options)) console.log(line);
const pass =
  report.good / report.requests >= 0.999 &&
  report.redisExact &&
  report.postgres.got.ratings === report.postgres.expected.ratings &&
  report.postgres.got.watches === report.postgres.expected.watches;
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}; ${pass ? 'chaos: PASSED' : 'chaos: FAILED'}`,
);
process.exit(pass ? 0 : 1);
