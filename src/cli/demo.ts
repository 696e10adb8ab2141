import { Redis } from 'ioredis';
import { loadConfig } from '../../config/load-config.ts';
import { startStream } from '../../actors/stream-runtime.ts';
import { startIngest } from '../../streams/ingest.ts';
import { createKafka } from '../../streams/kafka-client.ts';
import { createMetadataEnricher } from '../../streams/metadata-enricher.ts';
import { startPostgresSink } from '../../streams/postgres-sink.ts';
import { prepareTopics, topicNames } from '../../streams/topics.ts';
import { datasetMetadataSource } from '../data/metadata-source.ts';
import { buildReplay } from '../data/replay.ts';
import { produceReplay } from '../data/replay-producer.ts';
import { describeServices } from '../services/service-info.ts';
import { waitUntil } from '../lib/time.ts';
import { formatStatus, localServices, servicesUp } from '../services/services.ts';
import { migrate } from '../store/postgres/migrate.ts';
import { createPool } from '../store/postgres/pool.ts';
import { redisKeys } from '../store/redis-keys.ts';
import type { Command } from './command.ts';
import { datasetFromOptions, datasetOptions, datasetUsage } from './dataset-option.ts';
import { formatFlow, snapshotFlow } from './demo-view.ts';
import { numberOption, parseOptions } from './options.ts';

/** `marquee demo`: the first thing a new user runs; the whole pipeline on one machine. */
export const demoCommand: Command = {
  name: 'demo',
  summary:
    'start the services and run the pipeline on a synthetic world: replay → ingest → actors → Redis/Postgres',
  usage: `usage: marquee demo [options]

Starts Kafka, Redis and Postgres (installing what is missing, reusing what runs), migrates the schema,
replays a dataset as course log lines (with 2% malformed), and runs ingest, the Postgres sink and the
user/movie actors in this process, printing what flows where once a second.
${datasetUsage}
  --lines N              lines to replay (default 30000)
  --rate N               lines per second (default 5000)
Stop the services afterwards with: marquee services down`,
  async run(args, io) {
    const values = parseOptions(args, {
      ...datasetOptions,
      lines: { type: 'string' },
      rate: { type: 'string' },
    });
    const lines = numberOption(values.lines, 'lines', 30_000, 1, 10_000_000);
    const rate = numberOption(values.rate, 'rate', 5_000, 1, 10_000_000);
    const config = loadConfig(io.env);
    const started = Date.now();
    io.out('1/5 services');
    for (const line of formatStatus(await servicesUp(localServices(config), (l) => io.out(`    ${l}`))))
      io.out(`    ${line}`);
    io.out('2/5 schema');
    const { applied } = await migrate(config.postgres.url, config.postgres.schema);
    io.out(`    ${applied.length === 0 ? 'up to date' : `applied ${applied.join(', ')}`}`);
    for (const line of await describeServices(config)) io.out(`    ${line}`);

    io.out('3/5 data');
    const dataset = await datasetFromOptions(values);
    const messages = buildReplay(dataset, { limit: lines, malformedShare: 0.02, seed: 1 });
    io.out(
      `    ${dataset.name}: ${dataset.users.length} users, ${dataset.movies.length} movies; replaying ${messages.length} lines`,
    );

    io.out('4/5 roles: ingest, postgres sink, user and movie actors');
    const kafka = createKafka(config, 'demo');
    const topics = topicNames(config);
    await prepareTopics(kafka, config);
    const pool = createPool(config.postgres, 6);
    const redis = new Redis(config.redis.url);
    const enricher = createMetadataEnricher({
      pool,
      source: datasetMetadataSource(dataset),
      sourceName: dataset.name,
      log: io.err,
    });
    const prefix = config.kafka.clientId;
    const ingest = await startIngest({ kafka, topics, groupId: `${prefix}-ingest`, enricher, log: io.err });
    const roles: { stop(): Promise<void> }[] = [ingest];
    try {
      const sink = await startPostgresSink({ kafka, topics, pool, groupId: `${prefix}-sink`, log: io.err });
      roles.unshift(sink);
      roles.unshift(await startStream(config, { log: io.err }));

      io.out(`5/5 replay at ${rate} lines/s`);
      const watchedUser = mostRatingsBy(
        messages.map((m) => (m.corruption === undefined && m.value.includes('GET /rate/') ? m.key : '')),
      );
      const show = async () =>
        io.out(
          `    ${formatFlow(await snapshotFlow(pool, redis, redisKeys(config.redis.keyPrefix), watchedUser))}`,
        );
      const timer = setInterval(() => void show().catch(() => undefined), 1_000);
      const inserted = () => sink.stats().ratingsInserted + sink.stats().watchesInserted;
      let settled: boolean;
      try {
        await produceReplay(kafka, topics.movielog, messages, { rate });
        const flowed = await waitUntil(
          async () => ingest.stats().lines >= messages.length && inserted() >= ingest.stats().events,
          60_000,
          200,
        );
        settled = flowed.ok;
        await enricher.drain();
      } finally {
        clearInterval(timer);
      }
      await show();
      const i = ingest.stats();
      io.out(
        `flowed: ${messages.length} lines → ingest read ${i.lines}, ${i.events} events to ${topics.userEvents}, ` +
          `${i.deadLettered} malformed to ${topics.deadLetter}; the sink inserted ${sink.stats().ratingsInserted} ratings ` +
          `and ${sink.stats().watchesInserted} watches${settled ? '' : ' so far (still catching up after 60 s)'}`,
      );
    } finally {
      for (const role of roles) await role.stop().catch((error: unknown) => io.err(String(error)));
      await pool.end();
      redis.disconnect();
    }
    io.out(
      `done in ${((Date.now() - started) / 1000).toFixed(1)} s; logs in ${config.home}/logs; stop the services with: marquee services down`,
    );
    return 0;
  },
};

/** The user with the most rating lines (ignoring ''), whose factors the live view follows. */
function mostRatingsBy(keys: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const key of keys) if (key !== '') counts.set(key, (counts.get(key) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '1';
}
