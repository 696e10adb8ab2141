import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * docs/threat-model.md names, for every threat, the tests that show its control works (a file in
 * backticks, a colon, the test's name in double quotes). The document stays true only if those tests
 * exist: a renamed or deleted test fails here.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const doc = readFileSync(`${root}docs/threat-model.md`, 'utf8');
const references = [...doc.matchAll(/`([\w./-]+\.test\.ts)`: "([^"]+)"/g)].map(([, file, name]) => ({
  file: file as string,
  name: name as string,
}));
const rows = doc.split('\n').filter((line) => /^\| [A-Z]\d+ \|/.test(line));
const scripts = (
  JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { scripts: Record<string, string> }
).scripts;

describe('docs/threat-model.md', () => {
  it('names tests that exist, by file and test name', () => {
    expect(references.length).toBeGreaterThan(30);
    const missing = references.filter(({ file, name }) => {
      if (!existsSync(`${root}${file}`)) return true;
      const text = readFileSync(`${root}${file}`, 'utf8');
      // The name as the test's string literal, in any of the three quotes.
      return !["'", '"', '`'].some((q) => text.includes(`${q}${name}${q}`));
    });
    expect(missing).toEqual([]);
  });

  it('gives every threat STRIDE classes, a DREAD total that adds up, a control and at least one test', () => {
    expect(rows.length).toBeGreaterThanOrEqual(25);
    for (const row of rows) {
      const cells = row.split(' | ');
      const dread = /(\d+)\/(\d+)\/(\d+)\/(\d+)\/(\d+) = (\d+)/.exec(cells[3] ?? '');
      expect(dread, row).not.toBeNull();
      const [d, r, e, a, di, total] = (dread as RegExpExecArray).slice(1).map(Number) as number[];
      expect(d! + r! + e! + a! + di!, row).toBe(total);
      expect(cells[2], row).toMatch(/^[STRIDE](, [STRIDE])*$/);
      expect((cells[4] ?? '').length, row).toBeGreaterThan(10);
      expect(cells[5], row).toMatch(/\.test\.ts`: "/);
    }
  });

  it('covers every component and points at simulations that exist', () => {
    for (const heading of [
      'API',
      'Ingest',
      'Actors',
      'Redis',
      'Postgres',
      'Kafka',
      'Worker',
      'Local services',
    ])
      expect(doc).toMatch(new RegExp(`^## ${heading}`, 'm'));
    for (const script of doc.matchAll(/npm run (sim:\w+)/g))
      expect(scripts).toHaveProperty(script[1] as string);
  });
});
