import { runCli } from '../../test/support/run-cli.ts';
import { describe, expect, it } from 'vitest';
import { joinNegativeValues, numberOption, parseOptions } from './options.ts';

const spec = { limit: { type: 'string' }, json: { type: 'boolean' } } as const;

describe('parseOptions', () => {
  it('reads a negative number after a value option as its value', () => {
    expect(parseOptions(['--limit', '-5'], spec)).toMatchObject({ limit: '-5' });
    expect(parseOptions(['--limit', '-0.5', '--json'], spec)).toMatchObject({ limit: '-0.5', json: true });
    expect(joinNegativeValues(['--limit', '-.5'], spec)).toEqual(['--limit=-.5']);
  });

  it('still reads a dash word after a value option as a missing value, and an unknown one as unknown', () => {
    expect(() => parseOptions(['--limit', '--json'], spec)).toThrow(/ambiguous/);
    expect(() => parseOptions(['--json', '-5'], spec)).toThrow(/Unknown option '-5'/);
  });

  it("lets the option's range check answer a negative number", () => {
    const { limit } = parseOptions(['--limit', '-5'], spec);
    expect(() => numberOption(limit, 'limit', 1, 1, 100)).toThrow(
      "--limit must be a number within 1..100, got '-5'",
    );
  });

  it('gives replay its range message for a negative number, as a usage error', async () => {
    const replay = await runCli(['replay', '--limit', '-5']);
    expect(replay.code).toBe(2);
    expect(replay.text).toMatch(/^marquee replay: --limit must be a number within 1\.\.\d+, got '-5'$/m);
    expect(replay.text).not.toContain('ambiguous');
  });
});
