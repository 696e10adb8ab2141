import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { userEventSchema, withEventId } from './events.ts';
import { decodeMovieId, parseMovielogLine } from './movielog-parser.ts';

const ms = (iso: string): number => Date.parse(`${iso}Z`);

const EXAMPLES = [
  '2021-12-30T20:52:08,763687,GET /data/m/men+in+black+1997/12.mpg',
  '2022-01-04T02:46:26,850894,GET /rate/showgirls+1995=4',
  '2023-03-24T14:14:43.074025,773556,recommendation request 17645-team13.isri.cmu.edu:8082, status 200, result: the+shining+1980, interstellar+2014, princess+mononoke+1997, 55 ms',
  '2022-02-09T01:45:32.945123,284507,recommendation request 17645-team17.isri.cmu.edu:8082, status 0, result: java.util.concurrent.TimeoutException: Request timeout to 17645-team17.isri.cmu.edu/128.2.205.118:8082 after 800 ms, 815 ms',
  '2025-10-17T01:33:45.122692921,227244,recommendation request 17645-team08.isri.cmu.edu:8082, status 200, result: big+hero+6+2014, 25 ms',
];

describe('parseMovielogLine on the MLIP examples', () => {
  it('parses a watch line', () => {
    expect(parseMovielogLine(EXAMPLES[0] ?? '')).toEqual({
      ok: true,
      event: {
        type: 'watch',
        userId: '763687',
        movieId: 'men+in+black+1997',
        minute: 12,
        at: ms('2021-12-30T20:52:08'),
      },
    });
  });

  it('parses a rating line', () => {
    expect(parseMovielogLine(EXAMPLES[1] ?? '')).toEqual({
      ok: true,
      event: {
        type: 'rate',
        userId: '850894',
        movieId: 'showgirls+1995',
        rating: 4,
        at: ms('2022-01-04T02:46:26'),
        source: 'movielog',
      },
    });
  });

  it('parses a successful recommendation request with a 6-digit fraction', () => {
    expect(parseMovielogLine(EXAMPLES[2] ?? '')).toEqual({
      ok: true,
      event: {
        type: 'served',
        userId: '773556',
        items: ['the+shining+1980', 'interstellar+2014', 'princess+mononoke+1997'],
        status: 200,
        latencyMs: 55,
        observedBy: 'client',
        server: '17645-team13.isri.cmu.edu:8082',
        at: ms('2023-03-24T14:14:43.074'),
      },
    });
  });

  it('parses a timed-out request whose error message contains commas', () => {
    expect(parseMovielogLine(EXAMPLES[3] ?? '')).toEqual({
      ok: true,
      event: {
        type: 'served',
        userId: '284507',
        items: [],
        status: 0,
        latencyMs: 815,
        observedBy: 'client',
        server: '17645-team17.isri.cmu.edu:8082',
        error:
          'java.util.concurrent.TimeoutException: Request timeout to 17645-team17.isri.cmu.edu/128.2.205.118:8082 after 800 ms',
        at: ms('2022-02-09T01:45:32.945'),
      },
    });
  });

  it('parses a 9-digit fraction and a one-item list', () => {
    const r = parseMovielogLine(EXAMPLES[4] ?? '');
    expect(r.ok && r.event).toMatchObject({
      items: ['big+hero+6+2014'],
      latencyMs: 25,
      at: ms('2025-10-17T01:33:45.122'),
    });
  });

  it('gives events that pass the user-event schema once they have an id', () => {
    for (const line of EXAMPLES) {
      const r = parseMovielogLine(line);
      if (!r.ok) throw new Error(`${line}: ${r.reason}`);
      expect(userEventSchema.safeParse(withEventId(r.event, 'a'.repeat(32))).success).toBe(true);
    }
  });
});

describe('parseMovielogLine on quirks', () => {
  it('reads Buffers, CRLF ends, 1ms latency, status 500 and percent-encoded ids', () => {
    expect(parseMovielogLine(Buffer.from(`${EXAMPLES[1]}\r\n`))).toEqual(
      parseMovielogLine(EXAMPLES[1] ?? ''),
    );
    const r = parseMovielogLine(
      '2024-01-01T00:00:00,1,recommendation request h:8082, status 500, result: boom, 1ms',
    );
    expect(r.ok && r.event).toMatchObject({ status: 500, latencyMs: 1, error: 'boom', items: [] });
    const w = parseMovielogLine(
      '2019-05-01T10:00:00,5,GET /data/m/la+moiti%C3%A9+gauche+du+frigo+2000/0.mpg',
    );
    expect(w.ok && w.event).toMatchObject({ movieId: 'la+moitié+gauche+du+frigo+2000', minute: 0 });
    expect(parseMovielogLine('2019-05-01T10:00:00,5,GET /rate/monsters_+inc.+2001=5').ok).toBe(true);
  });

  it('rejects each kind of bad line with its own reason', () => {
    const cases: [string | Buffer, string][] = [
      ['', 'empty line'],
      ['\r\n', 'empty line'],
      [Buffer.from([0x32, 0x30, 0xff, 0xfe]), 'invalid UTF-8'],
      ['x'.repeat(20_000), 'line too long'],
      ['garbage', 'missing fields'],
      ['2021-13-30T20:52:08,1,GET /rate/a+1999=4', 'invalid time'],
      ['2021-02-30T20:52:08,1,GET /rate/a+1999=4', 'invalid time'],
      ['2021-12-30T20:52:08.,1,GET /rate/a+1999=4', 'invalid time'],
      ['2021-12-30T20:52:08.1234567890,1,GET /rate/a+1999=4', 'invalid time'],
      ['2021-12-30T20:52:08Z,1,GET /rate/a+1999=4', 'invalid time'],
      ['2021-12-30T20:52:08,abc,GET /rate/a+1999=4', 'invalid user id'],
      ['2021-12-30T20:52:08,-5,GET /rate/a+1999=4', 'invalid user id'],
      ['2021-12-30T20:52:08,,GET /rate/a+1999=4', 'invalid user id'],
      ['2021-12-30T20:52:08,1,POST /rate/a+1999=4', 'unknown request'],
      ['2021-12-30T20:52:08,1,GET /rate/=4', 'invalid movie id'],
      ['2021-12-30T20:52:08,1,GET /rate/a%ZZ=4', 'invalid movie id'],
      ['2021-12-30T20:52:08,1,GET /rate/a b=4', 'invalid movie id'],
      ['2021-12-30T20:52:08,1,GET /rate/a+1999=6', 'rating out of range'],
      ['2021-12-30T20:52:08,1,GET /rate/a+1999=0', 'rating out of range'],
      ['2021-12-30T20:52:08,1,GET /rate/a+1999=4.5', 'invalid rating'],
      ['2021-12-30T20:52:08,1,GET /rate/a+1999', 'invalid rating'],
      ['2021-12-30T20:52:08,1,GET /data/m/a+1999/12.5.mpg', 'invalid minute'],
      ['2021-12-30T20:52:08,1,GET /data/m/a+1999/x.mpg', 'invalid minute'],
      ['2021-12-30T20:52:08,1,GET /data/m/a+1999/12', 'invalid minute'],
      ['2021-12-30T20:52:08,1,GET /data/m//12.mpg', 'invalid movie id'],
      ['2021-12-30T20:52:08,1,recommendation request h, status x, result: a, 5 ms', 'invalid status'],
      ['2021-12-30T20:52:08,1,recommendation request h, status 200, result: a, 5 s', 'invalid response time'],
      ['2021-12-30T20:52:08,1,recommendation request h, status 200, result: a', 'invalid response time'],
      ['2021-12-30T20:52:08,1,recommendation request h, status 200, result: a, , b, 5 ms', 'invalid result'],
      ['2021-12-30T20:52:08,1,recommendation request h status 200', 'missing fields'],
    ];
    cases.push([
      `2021-12-30T20:52:08,1,recommendation request ${'h'.repeat(300)}, status 200, result: a, 5 ms`,
      'invalid server',
    ]);
    for (const [line, reason] of cases)
      expect([line, parseMovielogLine(line)]).toEqual([line, { ok: false, reason }]);
  });
});

describe('parseMovielogLine never throws', () => {
  // The parser catches everything as 'internal error'; an exception reaching that net is a bug here.
  const shape = (r: ReturnType<typeof parseMovielogLine>): boolean =>
    (r.ok === true && typeof r.event === 'object' && Object.keys(r).length === 2) ||
    (r.ok === false &&
      typeof r.reason === 'string' &&
      r.reason !== 'internal error' &&
      Object.keys(r).length === 2);

  it('returns one of the two shapes for any string or bytes', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string().map((tail) => `2021-12-30T20:52:08,1,recommendation request ${tail}`),
          fc.string({ unit: 'binary' }),
          fc.uint8Array().map((b) => Buffer.from(b)),
        ),
        (x) => shape(parseMovielogLine(x)),
      ),
      { numRuns: 5_000 },
    );
  });

  it('returns one of the two shapes for mutated valid lines, and valid events when ok', () => {
    const mutated = fc
      .tuple(fc.constantFrom(...EXAMPLES), fc.nat(), fc.nat({ max: 20 }), fc.string({ maxLength: 8 }))
      .map(([line, at, cut, insert]) => {
        const k = at % (line.length + 1);
        return line.slice(0, k) + insert + line.slice(Math.min(line.length, k + cut));
      });
    fc.assert(
      fc.property(mutated, (line) => {
        const r = parseMovielogLine(line);
        if (!shape(r)) return false;
        return !r.ok || userEventSchema.safeParse(withEventId(r.event, '0'.repeat(32))).success;
      }),
      { numRuns: 5_000 },
    );
  });
});

describe('decodeMovieId', () => {
  it('keeps plus signs and decodes percent escapes', () => {
    expect(decodeMovieId('a+b%2Cc')).toBeNull();
    expect(decodeMovieId('caf%C3%A9+2000')).toBe('café+2000');
    expect(decodeMovieId('a+b')).toBe('a+b');
  });
});

describe('movie ids outside the id grammar', () => {
  it('dead-letters a watch of a path that climbs out of its folder, plain or percent-encoded', () => {
    for (const line of [
      '2021-12-30T20:52:08,1,GET /data/m/../../etc/passwd/1.mpg',
      '2021-12-30T20:52:08,1,GET /data/m/%2e%2e%2f%2e%2e%2fetc%2fpasswd/1.mpg',
      '2021-12-30T20:52:08,1,GET /rate/..=4',
    ])
      expect(parseMovielogLine(line)).toEqual({ ok: false, reason: 'invalid movie id' });
  });

  it('dead-letters encoded control characters and over-long ids, and keeps dots inside words', () => {
    expect(decodeMovieId('a%00b')).toBeNull();
    expect(decodeMovieId('a%C2%85b')).toBeNull();
    expect(decodeMovieId('m'.repeat(301))).toBeNull();
    expect(decodeMovieId('%6D'.repeat(301))).toBeNull();
    expect(decodeMovieId('%6D'.repeat(300))).toBe('m'.repeat(300));
    expect(decodeMovieId('monsters_+inc.+2001')).toBe('monsters_+inc.+2001');
    expect(decodeMovieId('...and+justice+for+all+1979')).toBe('...and+justice+for+all+1979');
  });
});
