/**
 * The values the fuzzer puts where the API expects something well-formed: strings meant to break
 * parsers, validators, path handling and key builders, JSON of the wrong kind, other methods, and
 * how such values are written into a request line or a header.
 */
import fc from 'fast-check';

/** Every method the fuzzer may send instead of the documented one. */
export const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'] as const;

/** Strings meant to break parsers, validators, path handling and key builders. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    '',
    '..',
    '../../etc/passwd',
    '..%2F..%2Fetc%2Fpasswd',
    '%00',
    '%ZZ',
    '%',
    '\u0000',
    '\u2028',
    '\ud800',
    '-1',
    '0',
    '1e309',
    'NaN',
    'Infinity',
    '9'.repeat(40),
    '__proto__',
    'constructor',
    '{u:1}',
    '*',
    "' OR 1=1 --",
    '<script>alert(1)</script>',
    'a'.repeat(5_000),
    'x'.repeat(70_000),
  ),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'),
);

/** Any JSON value, to put where the schema wants something else. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(Number.MAX_SAFE_INTEGER + 2, -0, 1e308, 4.5, -1, 0, 6, true, null, [], {}),
  hostileString,
);

/** How a value goes into a path segment or query: percent-encoded, or (sometimes) raw. */
export const encodings: fc.Arbitrary<'encoded' | 'raw'> = fc.constantFrom(
  'encoded',
  'encoded',
  'encoded',
  'raw',
);
/** `value` written into a request line as `how` says (raw keeps only what a request line can carry). */
export function encode(value: string, how: 'encoded' | 'raw'): string {
  const whole = value.replace(/[\ud800-\udfff]/g, '\ufffd');
  if (how === 'encoded') return encodeURIComponent(whole);
  // Raw: only what can stand in a request line (no spaces, CR, LF or non-Latin-1).
  // eslint-disable-next-line no-control-regex -- control characters are what this escapes
  return whole.replace(/[\s\u0000-\u001f\u007f-\uffff]/g, (ch) => encodeURIComponent(ch));
}

/** A header value that fits on one line of Latin-1 (what HTTP/1.1 can carry). */
export function headerSafe(value: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what this removes
  return value.replace(/[\r\n\u0000]/g, ' ').replace(/[^\u0020-\u00ff]/g, '?');
}
