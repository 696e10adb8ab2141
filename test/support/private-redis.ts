/**
 * A Redis of one's own that asks for a password, on a free loopback port with its own data
 * directory: for tests of what Marquee does when Redis refuses it (the shared Redis is never touched).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newPassword } from '../../config/service-secrets.ts';
import { createRedisService } from '../../src/services/redis-service.ts';
import { servicePaths } from '../../src/services/service-paths.ts';
import { freePort } from './private-services.ts';

/** A private Redis: `url` names no password, `password` is the one it asks for. */
export interface PrivateRedis {
  readonly url: string;
  readonly password: string;
  /** Stops it and deletes its files. */
  remove(): Promise<void>;
}

/** Starts a private Redis (on `port`, default a free one; `password`, default a fresh one) and waits until it answers. */
export async function startPrivateRedis(port?: number, password = newPassword()): Promise<PrivateRedis> {
  const home = mkdtempSync(join(tmpdir(), 'marquee-redis-'));
  const url = `redis://127.0.0.1:${port ?? (await freePort())}`;
  const service = createRedisService(
    `redis://:${password}@${url.slice('redis://'.length)}`,
    servicePaths(home),
  );
  const remove = async () => {
    await service.down().catch(() => undefined);
    rmSync(home, { recursive: true, force: true });
  };
  try {
    await service.up(() => undefined);
  } catch (error) {
    await remove();
    throw error;
  }
  return { url, password, remove };
}

/** A loopback Redis URL nothing listens on (a Redis that is down). */
export async function closedRedisUrl(): Promise<string> {
  return `redis://127.0.0.1:${await freePort()}`;
}
