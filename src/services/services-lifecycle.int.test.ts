import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load-config.ts';
import { kafkaVersion } from './kafka-runtime.ts';
import { servicePaths } from './service-paths.ts';
import { localServices, servicesDown, servicesStatus, servicesUp } from './services.ts';

/**
 * A second, private set of services on other ports and in a temporary home, so this file can stop
 * what it starts without touching the services the other integration tests share.
 */
const home = mkdtempSync(join(tmpdir(), 'marquee-lifecycle-'));
const env = {
  MARQUEE_HOME: home,
  KAFKA_BROKERS: '127.0.0.1:19092',
  REDIS_URL: 'redis://127.0.0.1:16379',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:15432/marquee_lifecycle',
};
const config = loadConfig(env);
const paths = servicePaths(home);
const sharedLibs = join(servicePaths(loadConfig(process.env).home).kafka, kafkaVersion(), 'libs');
// Reuse the jars the global setup fetched instead of downloading them again.
mkdirSync(join(paths.kafka, kafkaVersion()), { recursive: true });
symlinkSync(sharedLibs, join(paths.kafka, kafkaVersion(), 'libs'));

/** Processes still alive (zombies excluded: this sandbox's init may not reap them) running with our ports. */
function livePidsMentioning(needles: readonly string[]): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return false;
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        return needles.some((needle) => cmdline.includes(needle));
      } catch {
        return false;
      }
    })
    .map(Number);
}

afterAll(async () => {
  await servicesDown(localServices(config));
  rmSync(home, { recursive: true, force: true });
  rmSync(join(paths.postgres, '15432'), { recursive: true, force: true });
});

describe('marquee services', () => {
  it('starts all three, reuses them on a second up, and leaves nothing running after down', async () => {
    const services = localServices(config);
    expect((await servicesStatus(services)).map((s) => s.state)).toEqual(['stopped', 'stopped', 'stopped']);

    const first = Date.now();
    const up = await servicesUp(services, () => undefined);
    const firstMs = Date.now() - first;
    expect(up.map((s) => s.state)).toEqual(['running', 'running', 'running']);
    expect(up.every((s) => s.pid !== undefined)).toBe(true);

    const second = Date.now();
    const again = await servicesUp(services, () => undefined);
    expect(Date.now() - second).toBeLessThan(firstMs);
    expect(again.map((s) => s.pid)).toEqual(up.map((s) => s.pid));

    // Another home sees the same ports answering: it reuses them, and its down leaves them alone.
    const stranger = localServices(loadConfig({ ...env, MARQUEE_HOME: join(home, 'other') }));
    expect((await servicesStatus(stranger)).map((s) => s.state)).toEqual(['reused', 'reused', 'reused']);
    await servicesDown(stranger);
    expect((await servicesStatus(services)).map((s) => s.state)).toEqual(['running', 'running', 'running']);

    await servicesDown(services);
    expect((await servicesStatus(services)).map((s) => s.state)).toEqual(['stopped', 'stopped', 'stopped']);
    expect(livePidsMentioning(['19092', '16379', '15432'])).toEqual([]);
    expect(existsSync(join(paths.run, 'kafka.pid'))).toBe(false);
  }, 240_000);
});
