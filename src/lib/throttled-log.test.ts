import { describe, expect, it } from 'vitest';
import { createThrottledLog } from './throttled-log.ts';

describe('createThrottledLog', () => {
  it('writes the first error of a kind at once and summarises repeats in the next line of that kind', () => {
    const lines: string[] = [];
    let t = 0;
    const log = createThrottledLog(
      (line) => lines.push(line),
      1000,
      () => t,
    );
    log('redis', 'ECONNREFUSED');
    log('redis', 'ECONNREFUSED');
    log('redis', 'ECONNREFUSED');
    log('kafka', 'down');
    t = 1500;
    log('redis', 'ECONNRESET');
    expect(lines).toEqual([
      'redis: ECONNREFUSED',
      'kafka: down',
      'redis: ECONNRESET (and 2 more since the last line)',
    ]);
  });
});
