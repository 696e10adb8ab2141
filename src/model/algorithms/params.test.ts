import { describe, expect, it } from 'vitest';
import { applyParams } from './params.ts';

const defaults = { factors: 100, lr: 0.005, shuffle: true, kind: 'a' };

describe('applyParams', () => {
  it('parses each override as the type of its default and keeps the rest', () => {
    const { params, unknown } = applyParams(defaults, { factors: '50', shuffle: 'false', kind: 'b' });
    expect(params).toEqual({ factors: 50, lr: 0.005, shuffle: false, kind: 'b' });
    expect(unknown).toEqual([]);
  });

  it('reports keys the algorithm does not have', () => {
    expect(applyParams(defaults, { epochz: '3' }).unknown).toEqual(['epochz']);
  });

  it('reports Object.prototype names as unknown instead of overriding them', () => {
    const { params, unknown } = applyParams(defaults, { toString: '1', constructor: '2' });
    expect(unknown).toEqual(['toString', 'constructor']);
    expect(params).toEqual(defaults);
  });

  it('rejects values of the wrong type', () => {
    expect(() => applyParams(defaults, { lr: 'fast' })).toThrow(/lr needs a number/);
    expect(() => applyParams(defaults, { factors: '' })).toThrow(/number/);
    expect(() => applyParams(defaults, { shuffle: 'yes' })).toThrow(/true or false/);
  });

  it('refuses values a fit cannot use, naming the range, for every algorithm that has the parameter', () => {
    const svd = { factors: 100, epochs: 20, lr: 0.005, reg: 0.02, initStd: 0.1, seed: 1 };
    expect(() => applyParams(svd, { factors: '-5' })).toThrow(
      "parameter factors needs an integer from 1 to 1024, got '-5'",
    );
    expect(() => applyParams(svd, { factors: '2.5' })).toThrow(/factors needs an integer/);
    expect(() => applyParams(svd, { epochs: '0' })).toThrow(/epochs needs an integer from 1/);
    expect(() => applyParams(svd, { lr: '2' })).toThrow("parameter lr needs a number from 0 to 1, got '2'");
    expect(() => applyParams(svd, { reg: '-1' })).toThrow(/reg needs a number from 0/);
    expect(() => applyParams(svd, { seed: '1.5' })).toThrow(/seed needs an integer/);
    expect(applyParams(svd, { factors: '8', lr: '1', reg: '0', seed: '0' }).params).toMatchObject({
      factors: 8,
      lr: 1,
    });
    const baseline = { method: 'als', regUser: 15 };
    expect(() => applyParams(baseline, { method: 'newton' })).toThrow(
      "parameter method needs one of als, sgd, got 'newton'",
    );
    expect(applyParams(baseline, { method: 'sgd' }).params.method).toBe('sgd');
    expect(() => applyParams({ baseline }, { baseline: 'x' })).toThrow(/baseline is a group of settings/);
  });
});
