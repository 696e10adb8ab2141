import type { Random } from '../lib/random.ts';

/** The ways `corruptLine` breaks a line, each one the course's stream is known to contain. */
export const corruptions = [
  'missing user id',
  'rating out of range',
  'truncated request',
  'invalid time',
  'garbage',
  'invalid UTF-8',
] as const;

/** One kind of corruption. */
export type Corruption = (typeof corruptions)[number];

/**
 * Breaks a valid course line in one of the ways listed in `corruptions`, chosen by `random`. Every
 * result is rejected by the movielog parser (a test holds it to that).
 */
export function corruptLine(
  line: string,
  random: Random,
): { value: string | Buffer; corruption: Corruption } {
  const corruption = corruptions[Math.floor(random.next() * corruptions.length)] ?? 'garbage';
  const first = line.indexOf(',');
  const second = line.indexOf(',', first + 1);
  switch (corruption) {
    case 'missing user id':
      return { value: line.slice(0, first) + line.slice(second), corruption };
    case 'rating out of range':
      return {
        value: `${line.slice(0, second)},GET /rate/some+movie+1999=${6 + Math.floor(random.next() * 4)}`,
        corruption,
      };
    case 'truncated request':
      return { value: line.slice(0, second + 1 + Math.floor(random.next() * 4)), corruption };
    case 'invalid time':
      return { value: `2022-13-45T99:99:99${line.slice(first)}`, corruption };
    case 'invalid UTF-8':
      return {
        value: Buffer.concat([Buffer.from(line.slice(0, second + 1)), Buffer.from([0xc3, 0x28, 0xff])]),
        corruption,
      };
    default:
      return { value: `#${Math.floor(random.next() * 1e9).toString(36)} not a log line`, corruption };
  }
}
