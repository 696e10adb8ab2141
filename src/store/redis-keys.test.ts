import { describe, expect, it } from 'vitest';
import { redisKeys } from './redis-keys.ts';

describe('redisKeys', () => {
  const keys = redisKeys('mq:');

  it('puts every key of one actor under one hash tag', () => {
    const tag = (key: string) => /\{([^}]+)\}/.exec(key)?.[1];
    const user = [
      keys.userState('42'),
      keys.userFactors('42'),
      keys.userHistory('42'),
      keys.userServed('42'),
    ];
    expect(new Set(user.map(tag))).toEqual(new Set(['u:42']));
    const movie = [
      keys.movieState('toy+story+1995'),
      keys.movieFactors('toy+story+1995'),
      keys.movieDayRaters('toy+story+1995'),
    ];
    expect(new Set(movie.map(tag))).toEqual(new Set(['m:toy+story+1995']));
  });

  it('starts every key with the prefix and keeps users and movies apart', () => {
    expect(keys.userState('1')).toBe('mq:{u:1}:state');
    expect(keys.movieState('1')).toBe('mq:{m:1}:state');
    expect(keys.leaderboard('popularity')).toBe('mq:board:popularity');
    expect(redisKeys('t:abc:').activeModel()).toBe('t:abc:model:active');
  });
});
