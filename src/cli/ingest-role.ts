/**
 * Ingest as a process runs it: migrations, topics, the metadata enricher (the course's services when
 * METADATA_URL is set, else a dataset) with its backfill, and the ingest consumer. Shared by
 * `marquee ingest` and `marquee stream` (which runs ingest beside the actors unless told otherwise).
 */
import type { Config } from '../../config/load-config.ts';
import { Partitioners } from 'kafkajs';
import { startIngest, type RunningIngest } from '../../streams/ingest.ts';
import { startProfilePublisher } from '../../streams/profile-events.ts';
import { createKafka } from '../../streams/kafka-client.ts';
import { createMetadataEnricher, type MetadataEnricher } from '../../streams/metadata-enricher.ts';
import type { RunningRole } from '../../streams/running-role.ts';
import { prepareTopics, topicNames } from '../../streams/topics.ts';
import { createCourseServices } from '../data/course-services.ts';
import { datasetMetadataSource } from '../data/metadata-source.ts';
import { migrate } from '../store/postgres/migrate.ts';
import { createPool } from '../store/postgres/pool.ts';
import { datasetFromOptions } from './dataset-option.ts';

/** A running ingest and what stops with it. */
export interface IngestRole {
  readonly ingest: RunningIngest;
  readonly enricher: MetadataEnricher;
  /** Where metadata comes from: 'course' or the dataset's name. */
  readonly sourceName: string;
  /** In start order (runUntilSignal stops them in reverse: ingest, then the pool). */
  readonly parts: readonly RunningRole[];
}

/** Starts ingest for `config`; `options` carry the CLI's dataset options and consumer group. */
export async function startIngestRole(
  config: Config,
  options: { dataset?: string; size?: string; seed?: string; group?: string },
  log: (line: string) => void,
): Promise<IngestRole> {
  await migrate(config.postgres.url, config.postgres.schema);
  const kafka = createKafka(config, 'ingest');
  await prepareTopics(kafka, config);
  const pool = createPool(config.postgres, 4);
  const course = config.metadataUrl !== undefined;
  const dataset = course ? undefined : await datasetFromOptions(options);
  const source =
    dataset === undefined
      ? createCourseServices({ baseUrl: config.metadataUrl as string })
      : datasetMetadataSource(dataset);
  const sourceName = dataset?.name ?? 'course';
  const topics = topicNames(config);
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const profiles = startProfilePublisher(kafka, producer, topics.userEvents, log);
  const enricher = createMetadataEnricher({
    pool,
    source,
    sourceName,
    log,
    onUser: (u) => profiles.publish(u),
  });
  // Ids a previous run saw but could not enrich (crash, outage) are offered again now.
  void enricher.backfill().catch((error: unknown) => log(`metadata backfill: ${String(error)}`));
  const ingest = await startIngest({
    kafka,
    topics,
    groupId: options.group ?? `${config.kafka.clientId}-ingest`,
    enricher,
    log,
  });
  const publisher = {
    name: 'profile events',
    stop: async () => {
      await profiles.stop();
      await producer.disconnect();
    },
  };
  return {
    ingest,
    enricher,
    sourceName,
    parts: [{ name: 'postgres', stop: () => pool.end() }, publisher, ingest],
  };
}
