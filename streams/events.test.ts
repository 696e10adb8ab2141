import { describe, expect, it } from 'vitest';
import {
  deadLetterBytes,
  deadLetterSchema,
  eventIdFor,
  eventIdForKey,
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
