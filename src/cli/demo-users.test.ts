import { describe, expect, it } from 'vitest';
import type { UserRecord } from '../data/dataset.ts';
import type { ReplayMessage } from '../data/replay.ts';
import { idsAfter, pickShowcaseUsers, ratingCounts } from './demo-users.ts';

const user = (userId: string, age: number | null): UserRecord => ({
  userId,
  age,
  gender: null,
  occupation: null,
});
const rate = (userId: string, movieId = 'heat+1995'): ReplayMessage => ({
  key: userId,
  value: `2024-01-01T00:00:00,${userId},GET /rate/${movieId}=4`,
});

describe('the users the demo shows', () => {
  it('counts well-formed rating lines only, not watches or corrupted lines', () => {
    const counts = ratingCounts([
      rate('1'),
      rate('1', 'alien+1979'),
      { key: '1', value: '2024-01-01T00:00:00,1,GET /data/m/heat+1995/3.mpg' },
      { ...rate('2'), corruption: 'rating out of range' },
      rate('3'),
    ]);
    expect([...counts]).toEqual([
      ['1', 2],
      ['3', 1],
    ]);
  });

  it('picks the minor and the adult with the most ratings, the lower id on a tie, skipping unknown ages', () => {
    const users = [
      user('1', 15),
      user('2', 12),
      user('3', 40),
      user('4', 18),
      user('5', null),
      user('6', 30),
    ];
    const counts = new Map([
      ['1', 3],
      ['2', 3],
      ['3', 2],
      ['4', 7],
      ['5', 50],
      ['6', 7],
    ]);
    expect(pickShowcaseUsers(users, counts)).toEqual({
      minor: { userId: '1', age: 15, ratings: 3 },
      adult: { userId: '4', age: 18, ratings: 7 },
    });
  });

  it('has no minor or adult to show when nobody of that age rated anything', () => {
    expect(pickShowcaseUsers([user('1', 15), user('2', 40)], new Map([['2', 1]]))).toEqual({
      minor: undefined,
      adult: { userId: '2', age: 40, ratings: 1 },
    });
  });

  it('looks for a new user after the highest numeric id of the world', () => {
    const ids = idsAfter([user('7', 20), user('12', 20), user('abc', 20)]);
    expect([ids.next().value, ids.next().value]).toEqual(['13', '14']);
  });
});
