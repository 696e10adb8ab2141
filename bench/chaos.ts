/**
 * `npm run chaos`: the chaos suite (test/support/chaos/chaos-run.ts). Marquee's stream, sink and API run as
 * `marquee up` on private Kafka, Redis and Postgres (free loopback ports, own data directories; the
 * shared services are never touched) under paced /recommend load and a replay; Kafka, then Redis,
 * then Postgres are SIGKILLed one at a time and started again. Passes on the same conditions as the
 * short form in `npm test` (chaosFailures, test/support/chaos/chaos-report.ts): every service killed
 * in turn, at least 99.9 % of the requests answered 200 with a non-empty list, the whole replay in the
 * movielog topic, and the final counts in Postgres and Redis equal to those of the movielog. Options: --rate N (/recommend per second, default 50), --ratings N (default
 * 20,000), --replay-rate N (lines per second, default 1,000), --down S (seconds each service stays
 * dead, default 5), --settle S (default 8).
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { chaosFailures, formatChaosReport, type ChaosOptions } from '../test/support/chaos/chaos-report.ts';
import { runChaos } from '../test/support/chaos/chaos-run.ts';

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
const failures = chaosFailures(report);
for (const failure of failures) console.log(`not shown: ${failure}`);
const pass = failures.length === 0;
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}; ${pass ? 'chaos: PASSED' : 'chaos: FAILED'}`,
);
process.exit(pass ? 0 : 1);
