/**
 * `npm run check:audit`: the fairness audit of a replayed stream, end to end. Plays the first 80 % of
 * a dataset's ratings by time as course lines into `marquee up` (with the course stand-in's synthetic
 * demographics and adult flags as METADATA_URL), serves every user a list through `/recommend`, then
 * plays the held-out 20 % (the later watches and ratings the lists' hit rates are judged by), fills
 * `users`/`movies` with the stand-in's full metadata (what enrichment converges to), and asks the
 * running worker for an audit through `marquee audit`, as an operator would; prints the report and
 * copies it with its charts to test-artifacts/audit-replay/. Options: --dataset PATH|ml-latest-small,
 * --limit N ratings, --keep (leave the scope).
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfigForServices } from '../config/load-config.ts';
import { parseCourseMovie, parseCourseUser } from '../src/data/course-metadata.ts';
import { planCoursePlay } from '../src/data/course-play.ts';
import { loadDataset } from '../src/data/load-dataset.ts';
import { waitUntil } from '../src/lib/time.ts';
import { localServices, servicesUp } from '../src/services/services.ts';
import { upsertMovies, upsertUsers } from '../src/store/postgres/reference-data.ts';
import { startCourseStack, type CourseStack } from '../test/support/course-stack.ts';
import { callRecommendForAll } from '../test/support/recommend-calls.ts';

const { values } = parseArgs({
  options: {
    dataset: { type: 'string', default: 'ml-latest-small' },
    limit: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const t0 = Date.now();
const say = (line: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${line}`);
const dataset = await loadDataset(values.dataset);
const limit = values.limit === undefined ? undefined : Number(values.limit);
const first = planCoursePlay(dataset, { ...(limit !== undefined && { limit }) });
const later = planCoursePlay(
  { ...dataset, ratings: [...first.heldOut], watches: [] },
  { playedShare: 1, seed: 2 },
);
say(
  `${dataset.name}: playing ${first.ratingsPlayed.toLocaleString('en-US')} ratings, serving every user, then ${later.ratingsPlayed.toLocaleString('en-US')} later ratings`,
);
await servicesUp(localServices(loadConfigForServices(process.env)), () => undefined);
let stack: CourseStack | undefined;
let failed = false;
try {
  stack = await startCourseStack({
    label: 'audit-replay',
    dataset,
    env: { RETRAIN_MIN_RATINGS: String(first.delivered.ratings.length), RETRAIN_CHECK_INTERVAL: '2s' },
  });
  const s = stack;
  await s.waitForApiReady(90_000);
  await s.play(first);
  await s.waitCaughtUp(first, 900_000);
  const model = await s.waitForModel(
    (row) => (row.logRatings ?? 0) >= first.delivered.ratings.length,
    900_000,
  );
  say(`model ${model.version} active, trained on ${model.ratingsUsed?.toLocaleString('en-US')} ratings`);
  const users = [...new Set(dataset.ratings.map((r) => r.userId))].sort((a, b) => Number(a) - Number(b));
  await s.waitForApi(model.version, users[0] ?? '1', 120_000);
  const answers = await callRecommendForAll(s.apiUrl, users, { timeoutMs: 600, concurrency: 4 });
  say(`served ${answers.filter((a) => a.status === 200).length} of ${users.length} users a list`);
  const pool = await s.postgres();
  const stored = await waitUntil(
    async () =>
      Number((await pool.query('SELECT count(*) AS n FROM served_lists')).rows[0]?.n) >= users.length,
    60_000,
  );
  say(`served lists in Postgres${stored.ok ? '' : ' (not all within 60 s)'}`);
  await s.play(later);
  const total = first.delivered.ratings.length + later.delivered.ratings.length;
  const sunk = await waitUntil(
    async () => Number((await pool.query('SELECT count(*) AS n FROM ratings')).rows[0]?.n) >= total,
    600_000,
    500,
  );
  say(`later ratings in Postgres${sunk.ok ? '' : ' (not all within 10 min)'}`);
  const records = s.standIn;
  await upsertUsers(
    pool,
    [...records.users.values()].flatMap((u) => parseCourseUser(u) ?? []),
    'stand-in',
  );
  await upsertMovies(
    pool,
    [...records.movies.values()].flatMap((m) => parseCourseMovie(m) ?? []),
    'stand-in',
  );
  say('users and movies hold the stand-in’s full metadata; asking the worker for an audit (marquee audit)');
  const out: string[] = [];
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, ['bin/marquee.js', 'audit', '--timeout', '300'], {
      env: { ...process.env, ...s.scope.env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk.toString()));
    child.on('exit', resolve);
  });
  const text = out.join('');
  process.stdout.write(text);
  if (code !== 0) throw new Error(`marquee audit exited with ${code}`);
  const reportPath = /report: (.*)/.exec(text)?.[1]?.trim() as string;
  const target = join('test-artifacts', 'audit-replay');
  mkdirSync(target, { recursive: true });
  cpSync(dirname(reportPath), target, { recursive: true });
  console.log(`\n${readFileSync(reportPath, 'utf8')}`);
  say(`report and charts copied to ${target}`);
} catch (error) {
  failed = true;
  console.error(`check:audit failed: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  const result = await stack?.stop({ keep: values.keep });
  if (result !== undefined)
    say(`stopped (marquee up exited with ${result.upExit}); scope ${values.keep ? 'kept' : 'cleaned'}`);
}
process.exit(failed ? 1 : 0);
