import { describe, expect, it } from 'vitest';
import { profileEventSchema } from './events.ts';
import { profileEvent } from './profile-events.ts';

describe('profileEvent', () => {
  it('makes one valid, deterministic event per user and values, keeping only what is valid', () => {
    const a = profileEvent({ userId: '7', age: 27, gender: 'F' }, 1000);
    expect(profileEventSchema.parse(a)).toEqual(a);
    expect(profileEvent({ userId: '7', age: 27, gender: 'F' }, 2000)?.eventId).toBe(a?.eventId);
    expect(profileEvent({ userId: '7', age: 28, gender: 'F' }, 1000)?.eventId).not.toBe(a?.eventId);
    expect(profileEvent({ userId: '8', age: 200, gender: 'X' }, 1000)).toBeNull();
    expect(profileEvent({ userId: '9', age: 8.5, gender: 'M' }, 1000)).toMatchObject({
      age: null,
      gender: 'M',
    });
  });
});
