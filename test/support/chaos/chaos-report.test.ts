import { describe, expect, it } from 'vitest';
import { chaosFailures, type ChaosReport } from './chaos-report.ts';

const passing: ChaosReport = {
  faults: [
    { service: 'kafka', killedAt: 4_000, upAt: 7_000 },
    { service: 'redis', killedAt: 11_000, upAt: 14_000 },
    { service: 'postgres', killedAt: 18_000, upAt: 21_000 },
  ],
  requests: 2_000,
  good: 1_998,
  p50Ms: 4,
  p99Ms: 40,
  maxMs: 300,
  failures: { '503': 2 },
  failuresPerFault: [0, 2, 0],
  replay: { lines: 9_000, sendRetries: 3, inTopic: 9_010 },
  postgres: { expected: { ratings: 3_000, watches: 6_000 }, got: { ratings: 3_000, watches: 6_000 } },
  redisExact: true,
  redisDiff: '',
  roleExits: [],
  catchUpSeconds: 3,
};

describe('the chaos verdict (npm run chaos and its short form in npm test)', () => {
  it('passes a run that kept answering and ended exact', () => {
    expect(chaosFailures(passing)).toEqual([]);
  });

  it('fails a run that killed fewer services, lost replay lines, answered too few or ended inexact', () => {
    expect(chaosFailures({ ...passing, faults: passing.faults.slice(0, 2) })).toEqual([
      'services killed: kafka, redis; expected kafka, redis, postgres',
    ]);
    expect(chaosFailures({ ...passing, replay: { ...passing.replay, inTopic: 8_000 } })).toEqual([
      'the movielog topic holds 8000 of the 9000 lines replayed',
    ]);
    expect(chaosFailures({ ...passing, good: 1_997 })).toHaveLength(1);
    expect(chaosFailures({ ...passing, requests: 0, good: 0 })).toHaveLength(1);
    expect(
      chaosFailures({
        ...passing,
        postgres: { ...passing.postgres, got: { ratings: 2_999, watches: 6_000 } },
      }),
    ).toHaveLength(1);
    expect(
      chaosFailures({ ...passing, redisExact: false, redisDiff: '.movies.m1: expected 3, got 4' }),
    ).toEqual(['redis counters differ from the input: .movies.m1: expected 3, got 4']);
  });
});
