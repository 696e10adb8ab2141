import { runCli } from '../../test/support/run-cli.ts';
import { describe, expect, it } from 'vitest';
import { UsageError } from './command.ts';
import { checkRetrainParams } from './retrain.ts';

describe('marquee retrain --param', () => {
  it("accepts the algorithm's own parameters with values of their type", () => {
    expect(() => checkRetrainParams('svd', { epochs: '30', lr: '0.01', shuffle: 'true' })).not.toThrow();
    expect(() => checkRetrainParams('svd++', { factors: '10' })).not.toThrow();
  });

  it('rejects a key the algorithm lacks, naming the ones it has', () => {
    expect(() => checkRetrainParams('svd', { nosuch: '1' })).toThrow(
      new UsageError(
        "svd has no parameter 'nosuch' (it has factors, epochs, lr, reg, initMean, initStd, seed, shuffle, simd)",
      ),
    );
    expect(() => checkRetrainParams('svd++', { simd: 'true' })).toThrow(/^svd\+\+ has no parameter 'simd'/);
    expect(() => checkRetrainParams('svd', { toString: '1' })).toThrow(/no parameter 'toString'/);
  });

  it('rejects a value of the wrong type', () => {
    expect(() => checkRetrainParams('svd', { epochs: 'abc' })).toThrow(
      new UsageError("parameter epochs needs a number, got 'abc'"),
    );
    expect(() => checkRetrainParams('svd', { shuffle: 'yes' })).toThrow(/true or false/);
  });

  it('refuses before queueing anything: a usage error, exit 2, for the default algorithm and --algorithm', async () => {
    expect(await runCli(['retrain', '--param', 'nosuch=1', '--wait'])).toMatchObject({
      code: 2,
      text: expect.stringMatching(/^marquee retrain: svd has no parameter 'nosuch' /),
    });
    expect(await runCli(['retrain', '--param', 'epochs=abc'])).toMatchObject({
      code: 2,
      text: expect.stringMatching(/^marquee retrain: parameter epochs needs a number, got 'abc'$/m),
    });
    expect(await runCli(['retrain', '--algorithm', 'svd++', '--param', 'simd=false'])).toMatchObject({
      code: 2,
      text: expect.stringMatching(/^marquee retrain: svd\+\+ has no parameter 'simd' /),
    });
  });
});
