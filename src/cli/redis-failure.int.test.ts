import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedRedisUrl, startPrivateRedis, type PrivateRedis } from '../../test/support/private-redis.ts';
import { createTestScope } from '../../test/isolation.ts';
import { freePort } from '../../test/support/private-services.ts';

const scope = createTestScope('redis-failure');
let redis: PrivateRedis;
let closed: string;

/** Runs `marquee ARGS` with `env` on top of the scope's; kills it if it is still running after 20 s. */
function marquee(
  args: readonly string[],
  env: Record<string, string>,
): Promise<{ code: number | null; err: string; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/marquee.js', ...args], {
      cwd: new URL('../..', import.meta.url),
      env: { ...process.env, ...scope.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const hung = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', (code) => {
      clearTimeout(hung);
      resolve({ code, out, err });
    });
  });
}

beforeAll(async () => {
  [redis, closed] = await Promise.all([startPrivateRedis(), closedRedisUrl()]);
});

afterAll(async () => {
  await redis?.remove();
});

const oneShot = [
  'retrain',
  'retrain --wait',
  'audit --detach',
  'model rollback 1',
  'experiment stop 1',
  'experiment report 1',
];

describe.concurrent('a one-shot command against a Redis it cannot use', () => {
  it.each(oneShot)('marquee %s fails in one line when Redis refuses the password', async (line) => {
    const args = line.split(' ');
    const run = await marquee(args, { REDIS_URL: redis.url, REDIS_PASSWORD: 'wrongpw' });
    expect(run.err).toBe(`marquee ${args[0]}: redis refused the password (REDIS_PASSWORD)\n`);
    expect(run.code).toBe(1);
  });

  it.each(oneShot)('marquee %s fails in one line when nothing listens', async (line) => {
    const args = line.split(' ');
    const run = await marquee(args, { REDIS_URL: closed, REDIS_PASSWORD: 'any' });
    const where = closed.slice('redis://'.length);
    expect(run.err).toBe(`marquee ${args[0]}: redis at ${where} is not reachable: connect ECONNREFUSED\n`);
    expect(run.code).toBe(1);
  });

  it('names the variable to set when Redis asks for a password and none is given', async () => {
    const run = await marquee(['retrain'], { REDIS_URL: redis.url, MARQUEE_HOME: '/nonexistent' });
    const where = redis.url.slice('redis://'.length);
    expect(run.err).toBe(`marquee retrain: redis at ${where} asks for a password: set REDIS_PASSWORD\n`);
    expect(run.code).toBe(1);
  });
});

describe.concurrent('a long-running role against a Redis that refuses the password', () => {
  it.each(['stream', 'worker', 'api'])('marquee %s stops in one line', async (role) => {
    const port = String(await freePort());
    const run = await marquee([role], { REDIS_URL: redis.url, REDIS_PASSWORD: 'wrongpw', API_PORT: port });
    expect(run.err).toBe(`marquee ${role}: redis refused the password (REDIS_PASSWORD)\n`);
    expect(run.code).toBe(1);
  });
});
