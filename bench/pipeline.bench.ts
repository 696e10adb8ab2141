/**
 * `npm run bench:pipeline`: the whole stream end to end — replay → movielog → ingest → user-events →
 * user actors → movie-events → movie actors → Redis — on the local services, medians of several runs.
 * The clock starts when the replay starts and stops when the movie actors have committed every
 * event; stages are timed too. Options: --lines N (default 100,000), --runs R (default 3), --split
 * (the actors run as a separate `marquee stream` process, as in production, instead of in this one;
 * progress is then read from the actor groups' committed Kafka offsets).
 * Kafka, Redis and Postgres run on the same 2 cores as the benchmark: say so next to the figures.
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load-config.ts';
import { startStream } from '../actors/stream-runtime.ts';
import { startIngest } from '../streams/ingest.ts';
import { parseMovielogLine } from '../streams/movielog-parser.ts';
import { prepareTopics, topicNames } from '../streams/topics.ts';
import { buildReplay } from '../src/data/replay.ts';
import { produceReplay } from '../src/data/replay-producer.ts';
import { generateSyntheticWorld } from '../src/data/synthetic-world.ts';
import { median } from '../src/model/evaluate.ts';
import { localServices, servicesUp } from '../src/services/services.ts';
import { waitUntil } from '../src/services/tcp-probe.ts';
import { createTestScope } from '../test/isolation.ts';

const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '3' },
    split: { type: 'boolean', default: false },
  },
});
const lines = Number(values.lines);
const runs = Number(values.runs);
const world = generateSyntheticWorld({ users: 5_000, movies: 5_000, ratings: Math.ceil(lines / 3), seed: 9 });
const messages = buildReplay(world, { limit: lines, seed: 1 });
const events = messages.filter((m) => parseMovielogLine(m.value).ok).length;
console.log(
  `workload: ${messages.length} movielog lines from a synthetic world (${world.users.length} users, ${world.movies.length} movies), 100 factors`,
);
await servicesUp(localServices(loadConfig(process.env)), () => undefined);

const rates: number[] = [];
for (let run = 0; run < runs; run++) {
  const scope = createTestScope(`bench-pipeline-${run}`);
  try {
    await prepareTopics(scope.kafka, scope.config);
    const processed = new Map<string, number>();
    const stream = values.split
      ? spawnStream(scope.env)
      : await startStream(scope.config, {
          log: () => undefined,
          onCommit: (group, records) =>
            processed.set(
              group,
              records.reduce((n, r) => n + r.events, processed.get(group) ?? 0),
            ),
        });
    const ingest = await startIngest({
      kafka: scope.kafka,
      topics: topicNames(scope.config),
      groupId: scope.groupId('ingest'),
    });
    await new Promise((resolve) => setTimeout(resolve, values.split ? 6_000 : 3_000)); // let every group settle
    const admin = scope.kafka.admin();
    await admin.connect();
    const topics = topicNames(scope.config);
    /** In-process: events committed; split: whether the group's committed offsets reached the log end. */
    const caughtUp = async (suffix: string, topic: string) => {
      if (!values.split)
        return [...processed].filter(([g]) => g.endsWith(suffix)).reduce((n, [, c]) => n + c, 0) >= events;
      const [ends, committed] = await Promise.all([
        admin.fetchTopicOffsets(topic),
        admin.fetchOffsets({ groupId: `${scope.config.kafka.topicPrefix}${suffix}`, topics: [topic] }),
      ]);
      const done = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
      // The log end may sit one past the last record (a transaction marker): within 1 is caught up.
      return ends.every((e) => Number(e.high) === 0 || (done.get(e.partition) ?? -1) >= Number(e.high) - 1);
    };
    const start = Date.now();
    await produceReplay(scope.kafka, topics.movielog, messages);
    const replayed = Date.now();
    await waitUntil(async () => ingest.stats().lines >= messages.length, 300_000, 20);
    const ingested = Date.now();
    await waitUntil(() => caughtUp('user-actors', topics.userEvents), 300_000, 50);
    const users = Date.now();
    const done = await waitUntil(() => caughtUp('movie-actors', topics.movieEvents), 300_000, 50);
    const movies = Date.now();
    await admin.disconnect();
    await ingest.stop();
    await stream.stop();
    if (!done.ok) throw new Error('the movie actors did not catch up within 5 minutes');
    const seconds = (movies - start) / 1000;
    rates.push(messages.length / seconds);
    const at = (t: number) => ((t - start) / 1000).toFixed(2);
    console.log(
      `run ${run + 1}: ${Math.round(messages.length / seconds).toLocaleString('en')} lines/s end to end ` +
        `(replay done ${at(replayed)} s, ingest ${at(ingested)} s, user actors ${at(users)} s, movie actors ${at(movies)} s; load ${loadavg()[0]?.toFixed(1)})`,
    );
  } finally {
    await scope.cleanup();
  }
}
console.log(
  `end to end: median ${Math.round(median(rates)).toLocaleString('en')} lines/s over ${runs} runs (target ≥ 20,000 events/s); ` +
    `Kafka, Redis and Postgres share the machine’s 2 cores with the benchmark (${values.split ? 'ingest and actors in two processes' : 'one Node process'})`,
);
process.exit(0);

/** `marquee stream` as a child process with the scope's environment; stop() sends SIGTERM and waits. */
function spawnStream(env: Readonly<Record<string, string | undefined>>): { stop(): Promise<void> } {
  const child = spawn(process.execPath, ['bin/marquee.js', 'stream'], {
    env: { ...process.env, ...env },
    stdio: 'ignore',
  });
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
