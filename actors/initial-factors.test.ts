import { describe, expect, it } from 'vitest';
import { SvdModel } from '../src/model/algorithms/svd-model.ts';
import { optionsFromModel } from './initial-factors.ts';
import { STREAM_MODEL_DEFAULTS, seededVector } from './model-options.ts';
import { newMovieState } from './movie/movie-actor.ts';
import { newUserState } from './user/user-actor.ts';

const model = new SvdModel({
  algorithm: 'svd',
  params: {},
  mu: 3.2,
  factors: 2,
  scale: { min: 1, max: 5 },
  userIds: ['a', 'cold'],
  itemIds: ['x', 'y'],
  userBias: Float32Array.of(0.5, 9),
  itemBias: Float32Array.of(-0.25, 9),
  userFactors: Float32Array.of(1, 2, 9, 9),
  itemFactors: Float32Array.of(3, 4, 9, 9),
  userCounts: Float32Array.of(10, 0),
  itemCounts: Float32Array.of(7, 0),
});

describe('starting from a trained model', () => {
  const o = optionsFromModel(model, STREAM_MODEL_DEFAULTS, '1');

  it("takes the model's μ, factor count and scale", () => {
    expect(o).toMatchObject({ mu: 3.2, factors: 2, scale: { min: 1, max: 5 } });
  });

  it('starts known users and movies from their trained factors; a known user needs no fold-in', () => {
    expect(newUserState('a', o)).toMatchObject({ bias: 0.5, vector: Float32Array.of(1, 2), folded: true });
    expect(newMovieState('x', o)).toMatchObject({ bias: -0.25, vector: Float32Array.of(3, 4) });
  });

  it('starts ids the model never trained (count 0 or absent) from seeded vectors', () => {
    for (const id of ['cold', 'new']) {
      expect(newUserState(id, o)).toMatchObject({
        bias: 0,
        vector: seededVector('user', id, o),
        folded: false,
      });
    }
    expect(newMovieState('y', o)).toMatchObject({ bias: 0, vector: seededVector('movie', 'y', o) });
  });
});
