/**
 * `npm run check:course`: Marquee as the course meets it. Plays a dataset as the course does — the
 * first 80 % of its ratings by time as course lines, each after a few watch lines of its movie, with
 * ~1.5 % malformed lines — into the movielog topic of an isolated scope, with a local stand-in of the
 * course's user/movie services as METADATA_URL; runs `marquee up --no-services` as processes; waits
 * until the stream and the sink hold every line and the worker has published a model trained on all of
 * them by itself (bootstrap at RETRAIN_MIN_RATINGS = the played ratings; no manual retrain); then calls
 * `/recommend/<user>` for every user (600 ms deadline, 4 at a time) and prints the contract,
 * guardrail and ranking figures beside global and decayed popularity computed from the same played data.
 * Not a test: it prints, and fails only when it cannot run.
 * Options: --dataset PATH|ml-latest-small|synthetic (default ml-latest-small), --limit N (the first N
 * ratings by time), --keep (leave the scope's topics, keys and schema for inspection), --verbose (print
 * every line of `marquee up`).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfigForServices } from '../config/load-config.ts';
import { planCoursePlay } from '../src/data/course-play.ts';
import { loadDataset, ML_LATEST_SMALL_DIR } from '../src/data/load-dataset.ts';
import { waitUntil } from '../src/lib/time.ts';
import { localServices, servicesUp } from '../src/services/services.ts';
import { startCourseStack, type CourseStack } from '../test/support/course-stack.ts';
import { callRecommendForAll } from '../test/support/recommend-calls.ts';
import { printCourseReport } from './course-check-report.ts';

const { values } = parseArgs({
  options: {
    dataset: { type: 'string', default: 'ml-latest-small' },
    limit: { type: 'string' },
    keep: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});
const limit = values.limit === undefined ? undefined : Number(values.limit);
if (limit !== undefined && !(Number.isInteger(limit) && limit >= 100)) {
  console.error(`--limit takes a whole number of ratings ≥ 100, got '${values.limit}'`);
  process.exit(2);
}
if (values.dataset === 'ml-latest-small' && !existsSync(join(ML_LATEST_SMALL_DIR, 'ratings.csv'))) {
  const ci = process.env['CI'] === 'true';
  console.log(`check:course: ml-latest-small not found in ${ML_LATEST_SMALL_DIR}: nothing to check.`);
  if (ci) console.log('CI=true needs it: failing.');
  process.exit(ci ? 1 : 0);
}

const started = Date.now();
const at = () => `${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s`;
const say = (line: string) => console.log(`[${at()}] ${line}`);

const dataset = await loadDataset(values.dataset).catch((error: unknown) => {
  console.error(`check:course: ${error instanceof Error ? error.message : String(error)}`);
  return process.exit(2);
});
const play = planCoursePlay(dataset, limit === undefined ? {} : { limit });
const played = play.delivered.ratings.length;
say(
  `dataset ${dataset.name}: ${dataset.ratings.length.toLocaleString('en-US')} ratings, ${dataset.users.length} users, ${dataset.movies.length} movies` +
    (limit === undefined
      ? ''
      : `; the first ${play.ratingsInWindow.toLocaleString('en-US')} ratings by time`),
);
say(
  `played: ${play.ratingsPlayed.toLocaleString('en-US')} ratings (the first 80 % by time, to ${new Date(play.cutoff * 1000).toISOString().slice(0, 19)}) ` +
    `as ${play.messages.length.toLocaleString('en-US')} lines: ${play.delivered.watches.length.toLocaleString('en-US')} watch, ` +
    `${played.toLocaleString('en-US')} rating and ${play.malformed.toLocaleString('en-US')} malformed (${((100 * play.malformed) / play.messages.length).toFixed(2)} %); ` +
    `held out: ${play.heldOut.length.toLocaleString('en-US')} ratings`,
);

await servicesUp(localServices(loadConfigForServices(process.env)), () => undefined);
const upTail: string[] = [];
let stack: CourseStack | undefined;
let stopping: Promise<unknown> | undefined;
const stop = () => (stopping ??= stack?.stop({ keep: values.keep }) ?? Promise.resolve());
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    say(`${signal}: stopping everything this check started`);
    void stop().finally(() => process.exit(130));
  });

let failed = false;
try {
  stack = await startCourseStack({
    label: 'course-check',
    dataset,
    // One bootstrap retrain once every played rating is in the log: the model the lists come from
    // has seen all of them, whatever the machine's speed (the worker's defaults would retrain on growth).
    env: { RETRAIN_MIN_RATINGS: String(played), RETRAIN_CHECK_INTERVAL: '2s' },
    onUpLine: (line) => {
      upTail.push(line);
      if (upTail.length > 60) upTail.shift();
      if (
        values.verbose ||
        /^\[worker\].*retrain .*(published|rejected|failed)|crash loop|exited with/.test(line)
      )
        say(line);
    },
  });
  const s = stack;
  await s.waitForApiReady(90_000);
  say(`scope ${s.scope.id}; stand-in ${s.standIn.url}; marquee up running, API ${s.apiUrl}`);
  const playStart = Date.now();
  await s.play(play);
  say(
    `played ${play.messages.length.toLocaleString('en-US')} lines in ${((Date.now() - playStart) / 1000).toFixed(1)} s`,
  );
  await s.waitCaughtUp(play, 900_000);
  say('ingest, user and movie actors and the sink hold every played line');
  const model = await s.waitForModel((row) => (row.logRatings ?? 0) >= played, 900_000);
  say(
    `model ${model.version} (${model.trigger}) active: trained on ${model.ratingsUsed?.toLocaleString('en-US')} ratings of ${model.logRatings?.toLocaleString('en-US')} in the log`,
  );
  // A deployment the course calls has run for days: its metadata has caught up with the titles the
  // stream names. The play here is minutes old, so wait (bounded) until Postgres describes every
  // played title and the worker republished the model's catalogue with them; otherwise minors (shown
  // only described titles) and diversification (genres) would be judged on a half-enriched catalogue.
  const playedTitles = [...new Set(play.events.map((e) => e.record.movieId))];
  const metaStart = Date.now();
  const pool = await s.postgres();
  const described = async () =>
    Number(
      (
        await pool.query<{ n: string }>('SELECT count(*) AS n FROM movies WHERE movie_id = ANY($1::text[])', [
          playedTitles,
        ])
      ).rows[0]?.n ?? 0,
    );
  const caughtUp = await waitUntil(async () => {
    if ((await described()) < playedTitles.length) return false;
    const catalogue = await s.publishedCatalogue(model.version);
    return catalogue.described.size >= catalogue.items;
  }, 600_000);
  say(
    caughtUp.ok
      ? `metadata caught up in ${((Date.now() - metaStart) / 1000).toFixed(1)} s: Postgres describes all ${playedTitles.length.toLocaleString('en-US')} played titles, and model ${model.version}'s catalogue all of its titles`
      : `metadata did not catch up within 600 s (${(await described()).toLocaleString('en-US')} of ${playedTitles.length.toLocaleString('en-US')} played titles described): judging as it is`,
  );
  // The API rebuilds its catalogue on the worker's notice: wait until it serves the described titles
  // (a fixed pause was not always enough under load: new users were judged on a half-described one).
  const withMetadata = (await s.publishedCatalogue(model.version)).described.size;
  if (!(await s.waitForApiCatalogue(model.version, withMetadata, 120_000)))
    say(
      `the API did not serve model ${model.version} with its ${withMetadata} described titles within 120 s: judging as it is`,
    );
  const windowUsers = new Set([
    ...play.events.map((e) => e.record.userId),
    ...play.heldOut.map((r) => r.userId),
  ]);
  const users = [...windowUsers].sort((a, b) => Number(a) - Number(b) || (a < b ? -1 : 1));
  await s.waitForApi(model.version, users[0] ?? '1', 120_000);
  say(
    `the API serves model ${model.version}; calling /recommend for ${users.length} users, 4 at a time, 600 ms deadline`,
  );
  const answers = await callRecommendForAll(s.apiUrl, users, { timeoutMs: 600, concurrency: 4 });
  const meta = await pool.query<{ users: string; movies: string }>(
    'SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM movies) AS movies',
  );
  printCourseReport({
    dataset,
    play,
    standIn: s.standIn,
    answers,
    model,
    catalogue: await s.publishedCatalogue(model.version),
    enriched: { users: Number(meta.rows[0]?.users ?? 0), movies: Number(meta.rows[0]?.movies ?? 0) },
  });
} catch (error) {
  failed = true;
  console.error(`check:course failed: ${error instanceof Error ? error.message : String(error)}`);
  console.error(`last lines of marquee up:\n${upTail.join('\n')}`);
} finally {
  const result = (await stop()) as Awaited<ReturnType<CourseStack['stop']>> | undefined;
  if (result !== undefined)
    say(
      `stopped: marquee up exited with ${result.upExit}; ${result.leftovers.length} role processes left; ` +
        (values.keep
          ? `scope ${stack?.scope.id} kept (topics t.${stack?.scope.id}.*, schema t_${stack?.scope.id})`
          : 'scope cleaned'),
    );
}
process.exit(failed ? 1 : 0);
