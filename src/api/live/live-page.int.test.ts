/**
 * The `/live` page in a real headless Chromium (Debian's package, installed by the global setup when
 * missing; checked again here): it loads,
 * its numbers change while served lists and stream boards change, and a screenshot is written to
 * `test-artifacts/live-page.png` (not committed).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestScope } from '../../../test/isolation.ts';
import { syntheticServingModel } from '../../../test/support/synthetic-model.ts';
import { generateSyntheticWorld } from '../../data/synthetic-world.ts';
import { waitUntil } from '../../lib/time.ts';
import { CHROMIUM_ARGS, ensureChromium } from '../../services/chromium.ts';
import { utcDay } from '../../serving/live-signals.ts';
import { publishModel } from '../../store/model-store.ts';
import { redisKeys } from '../../store/redis-keys.ts';
import { startApi, type RunningApi } from '../start-api.ts';

const scope = createTestScope('live-page');
const keys = redisKeys(scope.config.redis.keyPrefix);
const redis = scope.redis();
const artifacts = join(process.cwd(), 'test-artifacts');
const world = generateSyntheticWorld({ users: 200, movies: 400, ratings: 3000, seed: 5 });
let api: RunningApi;
let browser: Browser;
let base: string;

beforeAll(async () => {
  const executablePath = ensureChromium((line) => console.log(`[chromium] ${line}`));
  await scope.createTopic('served', 1);
  await scope.createTopic('user-events', 1);
  const { artifact, movies } = syntheticServingModel(world, 8);
  await publishModel(redis, keys, artifact, { movies, version: '4' });
  api = await startApi(scope.config, { port: 0, log: () => undefined });
  base = `http://127.0.0.1:${api.port}`;
  const ready = await waitUntil(async () => (await fetch(`${base}/readyz`)).status === 200, 30_000, 200);
  if (!ready.ok) throw new Error(`the API did not become ready: ${ready.lastError ?? 'timeout'}`);
  browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, timeout: 30_000 });
});
afterAll(async () => {
  await browser?.close();
  await api?.stop();
  await scope.cleanup();
});

const serve = async (users: readonly string[]) => {
  for (const u of users) expect((await fetch(`${base}/recommend/${u}`)).status).toBe(200);
};

describe('GET /live in Chromium', () => {
  it('loads, follows served lists and stream boards within seconds, and is screenshotted', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    try {
      await page.goto(`${base}/live`, { timeout: 15_000 });
      expect(await page.title()).toBe('Marquee — live coverage');
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
        'Live coverage and feedback loops',
      );
      // The first snapshot arrives within a couple of seconds of opening the stream.
      await page.waitForFunction('document.body.dataset.updatedAt !== undefined', undefined, {
        timeout: 5_000,
      });
      const exposures = async () => Number(await page.locator('#exposures').textContent());
      const coverage = () => page.locator('#coverage').textContent();
      const before = { exposures: await exposures(), coverage: await coverage() };

      // Events flow: 30 users get lists (the API counts their exposure into this hour's board), and
      // the stream's boards gain views and ratings today.
      const t0 = Date.now();
      await serve(world.users.slice(0, 30).map((u) => u.userId));
      const title = world.movies[0]?.title as string;
      await redis.zincrby(
        keys.leaderboard(`watched:${utcDay(Date.now())}`),
        12,
        world.movies[0]?.movieId as string,
      );
      await redis.zincrby(
        keys.leaderboard(`rated:${utcDay(Date.now())}`),
        3,
        world.movies[1]?.movieId as string,
      );
      await redis.hset(keys.ratingHistogramOf('served'), { '4': 3, '5': 1 });
      await redis.hset(keys.ratingHistogramOf('organic'), { '3': 2, '4': 2 });
      await page.waitForFunction(
        `Number(document.getElementById('exposures').textContent) >= ${before.exposures + 600}`,
        undefined,
        { timeout: 10_000 },
      );
      await expect
        .poll(() => page.locator('#top-watched tbody tr').first().textContent(), { timeout: 5_000 })
        .toContain(title);
      // Counted 1 s after serving at most, read within 1 s: the page moved within ≈ 2 s of the last list.
      const lag = Date.now() - t0;
      expect(await coverage()).not.toBe(before.coverage);
      expect(await page.locator('#rating-means').textContent()).toBe('4.25 / 3.50');
      expect(await page.locator('#top-served tbody tr').count()).toBe(10);
      expect(await page.getByRole('status').textContent()).toContain('model 4');
      mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: join(artifacts, 'live-page.png'), fullPage: true });
      console.log(
        `[live page] exposures ${before.exposures} → ${await exposures()}, coverage ${before.coverage} → ${await coverage()}, updated ${lag} ms after the first list`,
      );
    } finally {
      await page.close();
    }
  });
});
