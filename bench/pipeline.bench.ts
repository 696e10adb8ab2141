/**
 * `npm run bench:pipeline`: the whole stream end to end — replay → movielog → ingest → user-events →
 * user actors → movie-events → movie actors → Redis — on the local services, medians of several runs.
 * The replay (the course's producer) runs in this process; Marquee runs as `marquee stream` child
 * processes, as deployed. The clock starts when the replay starts and stops when the movie actors
 * have committed every event; stages are timed too.
 * Options: --lines N (default 100,000), --runs R (default 3), --layouts L (default
 * "ingest+user+movie|ingest,user,movie": one process per role, then all roles in one process): each
 * layout is a set of processes separated by '+', each a `--only` role list; layouts are separated by '|'),
 * --stream-args="…" (more options for every `marquee stream`, e.g. --stream-args="--batch-size 8000").
 * Kafka, Redis and Postgres run on the same 2 cores as the benchmark: say so next to the figures.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfigForServices } from '../config/load-config.ts';
import { linesIngested, recordsBehind } from '../test/support/stream-checks.ts';
import { spawnStream, stopStream, type StreamProcess } from '../test/support/stream-process.ts';
import { parseMovielogLine } from '../streams/movielog-parser.ts';
import { prepareTopics, topicNames } from '../streams/topics.ts';
import { buildReplay } from '../src/data/replay.ts';
import { produceReplay } from '../src/data/replay-producer.ts';
import { generateSyntheticWorld } from '../src/data/synthetic-world.ts';
import { median } from '../src/model/eval/evaluate.ts';
import { localServices, servicesUp } from '../src/services/services.ts';
import { waitUntil } from '../src/lib/time.ts';
import { redisKeys } from '../src/store/redis-keys.ts';
import { createTestScope } from '../test/isolation.ts';

const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '3' },
    layouts: { type: 'string', default: 'ingest+user+movie|ingest,user,movie' },
    'stream-args': { type: 'string', default: '' },
  },
});
const lines = Number(values.lines);
const runs = Number(values.runs);
const layouts = values.layouts.split('|').map((l) => l.split('+'));
const streamArgs = values['stream-args'].split(' ').filter((a) => a !== '');
const world = generateSyntheticWorld({ users: 5_000, movies: 5_000, ratings: Math.ceil(lines / 3), seed: 9 });
const messages = buildReplay(world, { limit: lines, seed: 1 });
const valid = messages.filter((m) => parseMovielogLine(m.value).ok).length;
console.log(
  `workload: ${messages.length} movielog lines (${valid} valid) from a synthetic world (${world.users.length} users, ${world.movies.length} movies), 100 factors`,
);
await servicesUp(localServices(loadConfigForServices(process.env)), () => undefined);

for (const layout of layouts) {
  const name = layout.map((roles) => `[${roles}]`).join(' + ');
  const rates: number[] = [];
  for (let run = 0; run < runs; run++) {
    const scope = createTestScope(`bench-pipeline-${run}`);
    const clientId = `${scope.config.kafka.topicPrefix}marquee`;
    const children: StreamProcess[] = [];
    try {
      await prepareTopics(scope.kafka, scope.config);
      for (const group of ['user-actors', 'movie-actors', 'marquee-ingest']) scope.groupId(group);
      const env = { ...scope.env, KAFKA_CLIENT_ID: clientId };
      children.push(
        ...layout.map((roles) =>
          spawnStream(['--only', roles, '--dataset', 'synthetic', '--size', 'tiny', ...streamArgs], env),
        ),
      );
      await Promise.all(children.map((c) => c.ready));
      await new Promise((resolve) => setTimeout(resolve, 5_000)); // let every group settle
      const admin = scope.kafka.admin();
      await admin.connect();
      const redis = scope.redis();
      const keys = redisKeys(scope.config.redis.keyPrefix);
      const topics = topicNames(scope.config);
      const ingestDone = async () =>
        (await linesIngested(admin, `${clientId}-ingest`, topics.movielog)) >= lines;
      const caughtUp = async (group: string, topic: string, markers: boolean) =>
        (await recordsBehind(admin, redis, keys, group, topic, markers)) === 0;
      const p = scope.config.kafka.topicPrefix;
      const start = Date.now();
      await produceReplay(scope.kafka, topics.movielog, messages);
      const replayed = Date.now();
      const limit = 300_000;
      await waitUntil(ingestDone, limit, 20);
      const ingested = Date.now();
      await waitUntil(() => caughtUp(`${p}user-actors`, topics.userEvents, true), limit, 20);
      const users = Date.now();
      const done = await waitUntil(() => caughtUp(`${p}movie-actors`, topics.movieEvents, false), limit, 20);
      const movies = Date.now();
      await admin.disconnect();
      if (!done.ok) throw new Error('the movie actors did not catch up within 5 minutes');
      const seconds = (movies - start) / 1000;
      rates.push(messages.length / seconds);
      const at = (t: number) => ((t - start) / 1000).toFixed(2);
      console.log(
        `${name} run ${run + 1}: ${Math.round(messages.length / seconds).toLocaleString('en')} lines/s end to end ` +
          `(replay done ${at(replayed)} s, ingest ${at(ingested)} s, user actors ${at(users)} s, movie actors ${at(movies)} s; load ${loadavg()[0]?.toFixed(1)})`,
      );
    } finally {
      await Promise.all(children.map(stopStream));
      await scope.cleanup();
    }
  }
  console.log(
    `${name}: median ${Math.round(median(rates)).toLocaleString('en')} lines/s end to end over ${runs} runs (target ≥ 20,000 events/s); ` +
      `the replay, Kafka, Redis and Postgres share the machine’s 2 cores with marquee stream`,
  );
}
process.exit(0);
