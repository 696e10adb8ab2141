import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load-config.ts';
import { startPrivateRedis, type PrivateRedis } from '../../test/support/private-redis.ts';
import { freePort } from '../../test/support/private-services.ts';
import { clusterEnv, TEST_CLUSTER_NODES } from '../../test/support/redis-cluster.ts';
import { checkRedis, checkRedisForRole, waitForRedis } from './redis-check.ts';

let started: PrivateRedis | undefined;

afterEach(async () => {
  await started?.remove();
  started = undefined;
});

const noStoredSecrets = { serviceSecrets: () => ({}) };

describe('checking a Redis before relying on it', () => {
  it('lets a role wait for a Redis that is down, and go on once it answers', async () => {
    const port = await freePort();
    const config = loadConfig(
      { REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_PASSWORD: 'later' },
      noStoredSecrets,
    );
    const lines: string[] = [];
    let starting: Promise<PrivateRedis> | undefined;
    const waited = waitForRedis(
      config,
      (line) => {
        lines.push(line);
        // The first line says it waits: only then does Redis start, with the password the role has.
        starting ??= startPrivateRedis(port, 'later');
      },
      200,
    );
    await expect(checkRedisForRole(config)).resolves.toMatchObject({ kind: 'unreachable' });
    await waited;
    started = await starting;
    expect(lines[0]).toBe(
      `redis at 127.0.0.1:${port} is not reachable: connect ECONNREFUSED; waiting until it answers`,
    );
    expect(lines.at(-1)).toBe(`redis at 127.0.0.1:${port} answers now`);
  });

  it('stops a role at once on a refused password: no retry fixes it', async () => {
    started = await startPrivateRedis();
    const config = loadConfig({ REDIS_URL: started.url, REDIS_PASSWORD: 'wrongpw' }, noStoredSecrets);
    const lines: string[] = [];
    await expect(waitForRedis(config, (line) => lines.push(line), 200)).rejects.toThrow(
      'redis refused the password (REDIS_PASSWORD)',
    );
    expect(lines).toEqual([]);
    const right = loadConfig({ REDIS_URL: started.url, REDIS_PASSWORD: started.password }, noStoredSecrets);
    await expect(checkRedis(right)).resolves.toBeUndefined();
  });

  it('tells a refused password from a cluster that is down, on Redis Cluster too', async () => {
    const cluster = loadConfig({ ...clusterEnv(TEST_CLUSTER_NODES), REDIS_PASSWORD: 'wrongpw' });
    await expect(checkRedis(cluster)).rejects.toMatchObject({
      kind: 'password',
      message: 'redis refused the password (REDIS_PASSWORD)',
    });
    const closed = `127.0.0.1:${await freePort()}`;
    const down = loadConfig({ ...clusterEnv([closed]), REDIS_PASSWORD: 'any' });
    await expect(checkRedis(down)).rejects.toMatchObject({
      kind: 'unreachable',
      message: `redis cluster at ${closed} is not reachable: no seed node answers`,
    });
    await expect(checkRedis(loadConfig(clusterEnv(TEST_CLUSTER_NODES)))).resolves.toBeUndefined();
  });
});
