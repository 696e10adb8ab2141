import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listVersions } from '../store/postgres/model-versions.ts';
import { planCoursePlay, type CoursePlay } from '../data/course-play.ts';
import { loadDataset, ML_LATEST_SMALL_DIR } from '../data/load-dataset.ts';
import { startCourseStack, type CourseStack } from '../../test/support/course-stack.ts';
import { callRecommendForAll } from '../../test/support/recommend-calls.ts';

/**
 * Issue 11's end to end, as processes: the first 20,000 ratings of ml-latest-small in time order as
 * course lines (watch lines before each rating, 1.5 % malformed) into the movielog topic; stream, sink,
 * worker and API started by `marquee up --no-services`, metadata from a stand-in of the course's
 * services; the worker's bootstrap retrain publishes a model with no manual step; then every user with
 * ratings gets a non-empty, well-formed list. Whether those answers come within the course's 600 ms
 * is a timing, which tests do not assert (a busy machine moves it): `npm run check:course` measures
 * and prints it. Skipped when the data set is not beside the
 * repository, except under CI=true, where a missing data set fails.
 */
const present = existsSync(join(ML_LATEST_SMALL_DIR, 'ratings.csv'));
const required = process.env['CI'] === 'true';
if (!present && !required)
  console.warn(`skipping the course end-to-end test: no ml-latest-small in ${ML_LATEST_SMALL_DIR}`);

it.runIf(!present && required)('finds ml-latest-small under CI', () => {
  throw new Error(`CI=true needs ml-latest-small in ${ML_LATEST_SMALL_DIR}`);
});

describe.skipIf(!present)('the course, end to end, as processes', () => {
  let stack: CourseStack | undefined;
  afterAll(async () => {
    const stopped = await stack?.stop();
    expect(stopped?.upExit ?? 0).toBe(0);
    expect(stopped?.leftovers ?? []).toEqual([]);
  }, 120_000);

  it('serves a non-empty list to every user with ratings, from a model the worker published by itself', async () => {
    const dataset = await loadDataset('ml-latest-small');
    const play: CoursePlay = planCoursePlay(dataset, { limit: 20_000, playedShare: 1 });
    stack = await startCourseStack({
      label: 'course-e2e',
      dataset,
      env: { RETRAIN_MIN_RATINGS: '1000', RETRAIN_CHECK_INTERVAL: '2s' },
    });
    const s = stack;
    await s.waitForApiReady(90_000);
    expect(await s.play(play)).toBe(play.messages.length);
    await s.waitCaughtUp(play, 120_000);

    const model = await s.waitForModel(() => true, 60_000);
    const pool = await s.postgres();
    const versions = await listVersions(pool, 50);
    const bootstrap = versions.find((v) => v.trigger === 'bootstrap');
    expect(bootstrap?.publishedAt, JSON.stringify(versions)).not.toBeNull();
    expect(versions.some((v) => v.trigger === 'manual')).toBe(false);

    const users = [...new Set(play.delivered.ratings.map((r) => r.userId))];
    expect(users.length).toBeGreaterThan(50);
    await s.waitForApi(model.version, users[0] ?? '1', 60_000);
    // A generous deadline: this checks what is answered; the course's 600 ms is check:course's to measure.
    const answers = await callRecommendForAll(s.apiUrl, users, { timeoutMs: 10_000, concurrency: 4 });
    const failures = answers.filter((a) => !a.valid || a.ids.length === 0);
    expect(
      failures.map(
        (a) => `${a.userId}: ${a.error ?? `status ${a.status} in ${a.ms.toFixed(0)} ms, '${a.body}'`}`,
      ),
    ).toEqual([]);
    expect(answers.every((a) => a.ids.length <= 20)).toBe(true);
  }, 240_000);
});
