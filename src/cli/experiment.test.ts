import { runCli } from '../../test/support/run-cli.ts';
import { describe, expect, it } from 'vitest';
import { UsageError } from './command.ts';
import { experimentId } from './experiment.ts';

describe('marquee experiment ids and options', () => {
  it('takes whole numbers that fit a bigint as ids and answers any other as no experiment', () => {
    expect(experimentId('12')).toBe('12');
    expect(experimentId('999999999999999999')).toBe('999999999999999999');
    for (const id of ['abc', '-1', '1.5', '', '99999999999999999999', '9223372036854775808'])
      expect(() => experimentId(id)).toThrow(new UsageError(`no experiment ${id} (marquee experiment list)`));
  });

  it('answers stop and report of an id that cannot exist as report does, before any database is reached', async () => {
    for (const verb of ['stop', 'report'])
      for (const id of ['abc', '99999999999999999999']) {
        const { code, text } = await runCli(['experiment', verb, id]);
        expect(code).toBe(2);
        expect(text).toMatch(
          new RegExp(`^marquee experiment: no experiment ${id} \\(marquee experiment list\\)$`, 'm'),
        );
        expect(text).not.toMatch(/bigint|invalid input syntax|out of range/);
      }
  });

  it("checks start's options before connecting: a negative --tuning gets its range message", async () => {
    const { code, text } = await runCli([
      'experiment',
      'start',
      '--arm',
      'a=1',
      '--arm',
      'b=2',
      '--tuning',
      '-5',
    ]);
    expect(code).toBe(2);
    expect(text).toMatch(
      /^marquee experiment: --tuning must be a number within 10\.\.1000000000, got '-5'$/m,
    );
  });
});
