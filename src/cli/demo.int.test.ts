import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestScope } from '../../test/isolation.ts';
import { waitUntil } from '../lib/time.ts';

const scope = createTestScope('marquee-demo');
// The demo's ingest and sink groups are <KAFKA_CLIENT_ID>-ingest/-sink: keep them under the scope's prefix.
const clientId = `${scope.config.kafka.topicPrefix}marquee`;

beforeAll(() => {
  for (const group of ['marquee-ingest', 'marquee-sink', 'user-actors', 'movie-actors']) scope.groupId(group);
});
afterAll(() => scope.cleanup());

/** `marquee demo` on the tiny world in this scope; the bootstrap check fires from 100 ratings. */
function startDemo() {
  const demo = spawn(
    process.execPath,
    ['bin/marquee.js', 'demo', '--size', 'tiny', '--lines', '3000', '--rate', '20000'],
    {
      cwd: new URL('../..', import.meta.url),
      env: { ...process.env, ...scope.env, KAFKA_CLIENT_ID: clientId, RETRAIN_MIN_RATINGS: '100' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output = { stdout: '', stderr: '' };
  demo.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  demo.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; seconds: number }>((resolve) => {
    const started = Date.now();
    demo.once('exit', (code) => resolve({ code, seconds: (Date.now() - started) / 1000 }));
  });
  return { demo, output, exited };
}

/** The list lines of one user: the header (how many movies, where from) and the titles under it. */
function listOf(stdout: string, label: 'minor' | 'adult' | 'new') {
  const match = new RegExp(
    `^ {4}${label} +user (\\d+) \\(([^)]*)\\): (\\d+) movies, ([a-z-]+) list.*\\n {11}(.+)$`,
    'm',
  ).exec(stdout);
  if (match === null) throw new Error(`no ${label} list in:\n${stdout}`);
  const [, userId, about, count, source, titles] = match as unknown as string[];
  return { userId: Number(userId), about, count: Number(count), source, titles };
}

/** What every run must print: a published model, three non-empty lists, and the new user's list changing. */
function expectTheProduct(stdout: string) {
  expect(stdout).toMatch(/^ {4}published model \d+: trained on \d+ ratings in [\d.]+ s/m);
  expect(stdout).toMatch(/^ {4}gate: .*holdout RMSE/m);
  const minor = listOf(stdout, 'minor');
  const adult = listOf(stdout, 'adult');
  const fresh = listOf(stdout, 'new');
  expect(minor.about).toMatch(/^(1[0-7]|[1-9]) years old/);
  expect(adult.about).not.toMatch(/^(1[0-7]|[1-9]) years old/);
  for (const list of [minor, adult, fresh]) {
    expect(list.count).toBeGreaterThan(0);
    expect(list.titles).not.toBe('(empty)');
  }
  expect(minor.source).toBe('personal');
  expect(fresh.about).toMatch(/^never seen/);
  expect(fresh.userId).toBeGreaterThan(100); // after every user of the tiny world
  expect(stdout).toMatch(/^ {4}rated: (.+ [1-5]★ · ){4}.+ [1-5]★$/m);
  expect(stdout).toMatch(/^ {4}changed [\d.]+ s after the first rating: now a personal list .*\n {11}\S.*$/m);
  expect(stdout).toMatch(/^done in [\d.]+ s: the API, the worker and the stream are stopped/m);
  return fresh.userId;
}

describe('marquee demo', () => {
  it('publishes a model through the worker, serves a minor, an adult and a new user, and follows the new user’s ratings; twice', async () => {
    const first = startDemo();
    try {
      const { code, seconds } = await first.exited;
      expect(code, first.output.stdout + first.output.stderr).toBe(0);
      expect(seconds).toBeLessThan(90);
    } finally {
      first.demo.kill('SIGKILL');
    }
    expect(first.output.stdout).toMatch(/no model yet: it queued a bootstrap retrain by itself/);
    const firstUser = expectTheProduct(first.output.stdout);

    // A second run finds the first one's data and model: it publishes again and picks another new user.
    const second = startDemo();
    try {
      const { code } = await second.exited;
      expect(code, second.output.stdout + second.output.stderr).toBe(0);
    } finally {
      second.demo.kill('SIGKILL');
    }
    expect(expectTheProduct(second.output.stdout)).toBe(firstUser + 1);
  }, 200_000);

  it('stops everything and exits 130 on Ctrl-C while the model trains', async () => {
    const run = startDemo();
    try {
      const seen = await waitUntil(async () => /^4\/6 model/m.test(run.output.stdout), 60_000, 50);
      expect(seen.ok, run.output.stdout).toBe(true);
      const signalled = Date.now();
      run.demo.kill('SIGINT');
      const { code } = await run.exited;
      expect(code, run.output.stdout + run.output.stderr).toBe(130);
      // Kafka consumers leave their groups after their current fetch (up to 5 s): well within this.
      expect(Date.now() - signalled).toBeLessThan(30_000);
      expect(run.output.stdout).toContain('interrupted: stopping what the demo started');
      expect(run.output.stdout).toMatch(
        /^stopped in [\d.]+ s: the API, the worker and the stream are stopped/m,
      );
    } finally {
      run.demo.kill('SIGKILL');
    }
  }, 120_000);
});
