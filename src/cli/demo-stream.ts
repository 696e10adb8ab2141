import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { Config } from '../../config/load-config.ts';
import { startStream, type RunningStream } from '../../actors/stream-runtime.ts';
import { startIngest } from '../../streams/ingest.ts';
import { createKafka } from '../../streams/kafka-client.ts';
import { createMetadataEnricher } from '../../streams/metadata-enricher.ts';
import { startPostgresSink } from '../../streams/postgres-sink.ts';
import type { RunningRole } from '../../streams/running-role.ts';
import { prepareTopics, topicNames } from '../../streams/topics.ts';
import type { Dataset } from '../data/dataset.ts';
import { datasetMetadataSource } from '../data/metadata-source.ts';
import type { ReplayMessage } from '../data/replay.ts';
import { produceReplay } from '../data/replay-producer.ts';
import type { RedisKeys } from '../store/redis-keys.ts';
import type { Interrupt } from './interrupt.ts';
import { formatFlow, snapshotFlow } from './demo-view.ts';
import { waitUntil } from '../lib/time.ts';

/** What the stream step needs; roles it starts go onto `running`, to be stopped by the caller. */
export interface StreamStepDeps {
  readonly config: Config;
  readonly dataset: Dataset;
  readonly messages: readonly ReplayMessage[];
  /** Lines per second. */
  readonly rate: number;
  /** The user whose live factors the view follows. */
  readonly watchedUser: string;
  readonly pool: pg.Pool;
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly interrupt: Interrupt;
  readonly running: RunningRole[];
  readonly out: (line: string) => void;
  readonly log: (line: string) => void;
}

/**
 * Starts ingest, the Postgres sink and the user/movie actors (following the published model, so they
 * move onto the version the worker publishes later), replays the lines into the movielog topic and
 * waits until they have flowed through, printing the flow every 2 s.
 */
export async function runStreamStep(deps: StreamStepDeps): Promise<RunningStream> {
  const { config, dataset, messages, pool, redis, keys, interrupt, running, out, log } = deps;
  const kafka = createKafka(config, 'demo');
  const topics = topicNames(config);
  await interrupt.race(prepareTopics(kafka, config));
  const enricher = createMetadataEnricher({
    pool,
    source: datasetMetadataSource(dataset),
    sourceName: dataset.name,
    log,
  });
  const prefix = config.kafka.clientId;
  // One entry for the three roles: they stop side by side (each waits out a Kafka fetch to leave its group).
  const roles: RunningRole[] = [];
  running.push({
    name: 'stream roles',
    stop: async () => {
      const stopped = await Promise.allSettled(roles.map((r) => r.stop()));
      const failed = stopped.find((r) => r.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
    },
  });
  const ingest = await startIngest({ kafka, topics, groupId: `${prefix}-ingest`, enricher, log });
  roles.push(ingest);
  const sink = await startPostgresSink({ kafka, topics, pool, groupId: `${prefix}-sink`, log });
  roles.push(sink);
  const stream = await startStream(config, { fromActiveModel: true, log });
  roles.push({ name: 'actors', stop: () => stream.stop() });
  interrupt.signal.throwIfAborted();

  const titles = new Map(dataset.movies.map((m) => [m.movieId, m.title]));
  const titleOf = (id: string) => titles.get(id) ?? id;
  const show = async () =>
    out(`    ${formatFlow(await snapshotFlow(pool, redis, keys, deps.watchedUser), titleOf)}`);
  const timer = setInterval(() => void show().catch(() => undefined), 2_000);
  const inserted = () => sink.stats().ratingsInserted + sink.stats().watchesInserted;
  let settled: boolean;
  try {
    // Throwing from the progress callback ends the replay at the next batch and disconnects its producer.
    await produceReplay(kafka, topics.movielog, messages, {
      rate: deps.rate,
      onProgress: () => interrupt.signal.throwIfAborted(),
    });
    const flowed = await waitUntil(
      async () => ingest.stats().lines >= messages.length && inserted() >= ingest.stats().events,
      60_000,
      200,
      interrupt.signal,
    );
    settled = flowed.ok;
    await interrupt.race(enricher.drain());
  } finally {
    clearInterval(timer);
  }
  await show();
  const i = ingest.stats();
  const s = sink.stats();
  out(
    `    flowed: ${i.lines} lines → ${i.events} events on ${topics.userEvents}, ${i.deadLettered} malformed to ${topics.deadLetter}; ` +
      `${s.ratingsInserted} ratings and ${s.watchesInserted} watches into Postgres${settled ? '' : ' so far (still catching up after 60 s)'}`,
  );
  return stream;
}
