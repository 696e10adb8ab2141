import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  deadLetterBytes,
  deadLetterSchema,
  eventIdFor,
  eventIdForKey,
  fastUserEvent,
  toDeadLetter,
  userEventSchema,
  withEventId,
} from './events.ts';

describe('event ids', () => {
  it('are 32 hex digits, the same for the same position and different for another', () => {
    const id = eventIdFor('movielog15', 3, '1234');
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(eventIdFor('movielog15', 3, 1234)).toBe(id);
    expect(eventIdFor('movielog15', 3, 1234n)).toBe(id);
    expect(eventIdFor('movielog15', 3, '1235')).not.toBe(id);
    expect(eventIdFor('movielog15', 31, '234')).not.toBe(id);
  });

  it('tells apart two lines at one offset once the topic is recreated, when given the bytes', () => {
    const line = Buffer.from('2024-01-01T00:00:00,1,GET /rate/heat+1995=4');
    expect(eventIdFor('movielog', 0, 7, line)).toBe(eventIdFor('movielog', 0, '7', line.toString()));
    expect(eventIdFor('movielog', 0, 7, line)).not.toBe(eventIdFor('movielog', 0, 7, Buffer.from('other')));
    expect(eventIdFor('movielog', 0, 7, line)).not.toBe(eventIdFor('movielog', 0, 7));
  });

  it('keeps idempotency keys apart from stream positions', () => {
    expect(eventIdForKey('k1')).toBe(eventIdForKey('k1'));
    expect(eventIdForKey('k1')).not.toBe(eventIdForKey('k2'));
    expect(eventIdForKey('movielog15\u00003\u00001234')).not.toBe(eventIdFor('movielog15', 3, '1234'));
  });
});

describe('userEventSchema', () => {
  it('accepts a rate event and rejects a rating off the scale or a missing id', () => {
    const rate = withEventId(
      { type: 'rate', userId: '1', movieId: 'a+1999', rating: 5, at: 0 },
      eventIdForKey('x'),
    );
    expect(userEventSchema.parse(rate)).toEqual(rate);
    expect(userEventSchema.safeParse({ ...rate, rating: 6 }).success).toBe(false);
    expect(userEventSchema.safeParse({ ...rate, rating: 4.5 }).success).toBe(false);
    expect(userEventSchema.safeParse({ ...rate, eventId: undefined }).success).toBe(false);
  });

  it('accepts served events from either witness', () => {
    const served = {
      type: 'served',
      userId: '1',
      items: ['a+1999'],
      status: 200,
      latencyMs: 12.5,
      observedBy: 'server',
      arm: 'B',
      modelVersion: 'v3',
      at: 1,
      eventId: eventIdForKey('s'),
    };
    expect(userEventSchema.safeParse(served).success).toBe(true);
    expect(userEventSchema.safeParse({ ...served, observedBy: 'proxy' }).success).toBe(false);
  });
});

describe('toDeadLetter', () => {
  const source = { topic: 'movielog15', partition: 0, offset: 42n };

  it('keeps valid UTF-8 as text', () => {
    const d = toDeadLetter(Buffer.from('bad,line'), 'missing fields', source, 5);
    expect(d).toEqual({
      line: 'bad,line',
      encoding: 'utf8',
      reason: 'missing fields',
      topic: 'movielog15',
      partition: 0,
      offset: '42',
      at: 5,
    });
    expect(deadLetterSchema.safeParse(d).success).toBe(true);
  });

  it('carries invalid UTF-8 as base64 and gives back the exact bytes', () => {
    const bytes = Buffer.from([0x61, 0xff, 0x00, 0xc3]);
    const d = toDeadLetter(bytes, 'invalid UTF-8', source, 5);
    expect(d.encoding).toBe('base64');
    expect(deadLetterBytes(JSON.parse(JSON.stringify(d)))).toEqual(bytes);
  });
});

describe('fastUserEvent', () => {
  const anyValue = fc.oneof(
    fc.constant(undefined),
    fc.constant(null),
    fc.boolean(),
    fc.integer({ min: -3, max: 7 }),
    fc.double(),
    fc.constantFrom(0, -0, 1, 5, 6, 2 ** 53, Number.MAX_SAFE_INTEGER, 1.5, Number.NaN, Infinity),
    fc.string({ maxLength: 70 }),
    fc.constantFrom('', 'a'.repeat(64), 'a'.repeat(65), 'm'.repeat(300), 'm'.repeat(301)),
    fc.constantFrom('0123456789abcdef0123456789abcdef', '0123456789ABCDEF0123456789ABCDEF', 'abc'),
  );
  /** Mostly a valid value, sometimes anything: most candidates are one field away from valid. */
  const field = <T>(valid: fc.Arbitrary<T>) =>
    fc.oneof({ arbitrary: valid, weight: 8 }, { arbitrary: anyValue, weight: 1 });
  const candidate = fc.record(
    {
      type: field(fc.constantFrom('rate', 'watch', 'served', 'RATE')),
      userId: field(fc.constantFrom('u1', '42', '4\u00002', '..')),
      movieId: field(fc.constantFrom('heat+1995', 'x', 'a\u0000b', '../../etc/passwd', 'a,b', 'a b')),
      rating: field(fc.integer({ min: 0, max: 6 })),
      minute: field(fc.nat(200)),
      at: field(fc.nat()),
      eventId: field(fc.constant('0123456789abcdef0123456789abcdef')),
      source: field(fc.constantFrom('movielog', 'api')),
      extra: anyValue,
    },
    { requiredKeys: [] },
  );

  it('accepts only what the schema accepts, returning the same event', () => {
    let accepted = 0;
    fc.assert(
      fc.property(candidate, (x) => {
        const fast = fastUserEvent(x);
        if (fast === undefined) return;
        accepted++;
        const parsed = userEventSchema.safeParse(x);
        expect(parsed.success).toBe(true);
        expect(fast).toEqual(parsed.data);
      }),
      { numRuns: 20_000 },
    );
    expect(accepted).toBeGreaterThan(100);
  });

  it('takes the ratings and watches the stream carries', () => {
    const rate = {
      type: 'rate',
      userId: '7',
      movieId: 'heat+1995',
      rating: 4,
      at: 1,
      eventId: 'ab'.repeat(16),
    };
    expect(fastUserEvent({ ...rate, source: 'movielog', junk: 1 })).toEqual({ ...rate, source: 'movielog' });
    const watch = {
      type: 'watch',
      userId: '7',
      movieId: 'heat+1995',
      minute: 3,
      at: 1,
      eventId: 'ab'.repeat(16),
    };
    expect(fastUserEvent(watch)).toEqual(watch);
    expect(fastUserEvent({ ...watch, minute: -1 })).toBeUndefined();
  });

  it('refuses ids outside the id grammar, as the schema does', () => {
    const rate = {
      type: 'rate',
      userId: '7',
      movieId: 'heat+1995',
      rating: 4,
      at: 1,
      eventId: 'ab'.repeat(16),
    };
    for (const bad of [{ movieId: 'a\u0000b' }, { movieId: '../../etc/passwd' }, { userId: '7\n' }]) {
      expect(fastUserEvent({ ...rate, ...bad })).toBeUndefined();
      expect(userEventSchema.safeParse({ ...rate, ...bad }).success).toBe(false);
    }
  });
});
