import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readServiceSecrets } from '../../config/service-secrets.ts';
import { createTestScope } from '../../test/isolation.ts';
import { upsertMovies, upsertUsers } from '../store/postgres/reference-data.ts';
import { appendServedLists } from '../store/postgres/served-log.ts';

const scope = createTestScope('audit-cli');
let home: string;
let env: Record<string, string | undefined>;
let worker: ChildProcess | undefined;

/** Runs `marquee ARGS` to its end; resolves with its exit code and output. */
function marquee(args: readonly string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/marquee.js', ...args], {
      cwd: new URL('../..', import.meta.url),
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.once('exit', (code) => resolve({ code, out, err }));
  });
}

beforeAll(async () => {
  home = await mkdtemp(`${tmpdir()}/marquee-audit-cli-`);
  // The worker trains only when asked; its reports go under this test's MARQUEE_HOME.
  // The services' passwords live in the real MARQUEE_HOME: give them by name, as its config would.
  const secrets = readServiceSecrets(scope.config.home);
  env = { ...scope.env, ...secrets, MARQUEE_HOME: home, RETRAIN_MIN_RATINGS: '1000000' };
  const pool = await scope.postgres();
  await upsertUsers(pool, [{ userId: '7', age: 9, gender: 'F', occupation: null }], 'test');
  await upsertMovies(
    pool,
    ['G', 'R'].map((certification, k) => ({
      movieId: `m${k}`,
      title: `M${k}`,
      genres: [`g${k}`],
      year: 2000,
      certification: certification as 'G' | 'R',
      adult: false,
    })),
    'test',
  );
  await appendServedLists(pool, [
    {
      type: 'served',
      userId: '7',
      items: ['m0', 'm1'],
      status: 200,
      latencyMs: 1,
      observedBy: 'server',
      at: Date.now() - 60_000,
      eventId: 'a'.repeat(32),
    },
  ]);
  worker = spawn(process.execPath, ['bin/marquee.js', 'worker'], {
    cwd: new URL('../..', import.meta.url),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'ignore'],
  });
});
afterAll(async () => {
  if (worker !== undefined && worker.exitCode === null) {
    const gone = new Promise((resolve) => worker?.once('exit', resolve));
    worker.kill('SIGTERM');
    await gone;
  }
  await scope.cleanup();
  await rm(home, { recursive: true, force: true });
});

describe('marquee audit against a running marquee worker', () => {
  it('queues an audit, waits for the worker and prints the headline and the report it wrote', async () => {
    const run = await marquee(['audit', '--since', '1d', '--timeout', '60']);
    expect(run.code, run.err).toBe(0);
    // An R title to a 9-year-old; the list holds two genres, its scaled target (10 · 2 / 20 = 1) met.
    expect(run.out).toMatch(/^audit \d+: 1 violation in 1 recommendation; 0 disparities beyond threshold/m);
    const report = /report: (.*)/.exec(run.out)?.[1]?.trim() as string;
    // Under the deployment's schema: another deployment's audit with the same id never overwrites it.
    expect(report.startsWith(`${home}/audits/${scope.config.postgres.schema}/audit-`)).toBe(true);
    expect(await readFile(report, 'utf8')).toContain('**1 violation in 1 recommendation**');
    expect(existsSync(report.replace('report.md', 'age.png'))).toBe(true);
  });

  it('refuses a --since it cannot read, as a usage error', async () => {
    const run = await marquee(['audit', '--since', 'yesterday']);
    expect(run.code).toBe(2);
    expect(run.err).toContain('--since takes a duration');
  });
});
