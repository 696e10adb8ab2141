import { describe, expect, it } from 'vitest';
import { chaosFailures, formatChaosReport, type ChaosOptions } from './support/chaos/chaos-report.ts';
import { runChaos } from './support/chaos/chaos-run.ts';

/**
 * The short form of `npm run chaos`: private Kafka, Redis and Postgres, each SIGKILLed once under
 * paced /recommend load and a replay, started again; Marquee must keep answering and end exact.
 */
describe('chaos: Kafka, Redis and Postgres SIGKILLed in turn', () => {
  it('keeps /recommend answering ≥ 99.9 % with a list, and ends with exact counts in Postgres and Redis', async () => {
    const options: ChaosOptions = {
      label: 'chaos-short',
      recommendRate: 25,
      ratings: 3_000,
      replayRate: 250,
      downMs: 3_000,
      settleMs: 4_000,
      catchUpMs: 90_000,
      log: process.env['CHAOS_VERBOSE'] === undefined ? () => undefined : (line) => console.log(line),
    };
    const report = await runChaos(options);
    const printout = formatChaosReport(report, options).join('\n');
    console.log(printout);
    // The same verdict as `npm run chaos`: every service killed in turn, ≥ 99.9 % good answers, the
    // whole replay in the topic, exact counts in Postgres and Redis.
    expect(chaosFailures(report), printout).toEqual([]);
  }, 300_000);
});
