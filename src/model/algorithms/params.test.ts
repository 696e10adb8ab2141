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
});
