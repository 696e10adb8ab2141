import { describe, expect, it } from 'vitest';
import { formatChaosReport, runChaos, type ChaosOptions } from './support/chaos-run.ts';

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
    expect(report.faults.map((f) => f.service)).toEqual(['kafka', 'redis', 'postgres']);
    expect(report.good / report.requests, printout).toBeGreaterThanOrEqual(0.999);
    expect(report.replay.inTopic, printout).toBeGreaterThanOrEqual(report.replay.lines);
    expect(report.postgres.got, printout).toEqual(report.postgres.expected);
    expect(report.redisExact, printout).toBe(true);
  }, 300_000);
});
