import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configVariables } from '../config/config-schema.ts';
import { commands } from '../src/cli/commands.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README.md', () => {
  it('documents every configuration variable with its default, and no others', () => {
    const rows = [...readme.matchAll(/^\| `([A-Z_]+)` \| ([^|]+) \|/gm)].map((m) => [m[1], m[2]?.trim()]);
    const expected = Object.entries(configVariables).map(([name, spec]) => [
      name,
      spec.default === undefined ? '(unset)' : `\`${spec.default}\``,
    ]);
    expect(rows).toEqual(expected);
  });

  it('lists exactly the CLI commands that exist in its roles table', () => {
    const roles = readme.slice(readme.indexOf('## Roles'), readme.indexOf('## Configuration'));
    const listed = [...roles.matchAll(/^\| `marquee ([a-z-]+)/gm)].map((m) => m[1]).sort();
    expect(listed).toEqual(commands.map((c) => c.name).sort());
  });

  it('gives the two commands a new user runs', () => {
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toContain('npm ci && npm test');
  });
});
