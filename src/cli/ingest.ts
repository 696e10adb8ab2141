import { loadConfig } from '../../config/load-config.ts';
import { createMetadataEnricher } from '../../streams/metadata-enricher.ts';
import { startIngest } from '../../streams/ingest.ts';
import { createKafka } from '../../streams/kafka-client.ts';
import { prepareTopics, topicNames } from '../../streams/topics.ts';
import { createCourseServices } from '../data/course-services.ts';
import { datasetMetadataSource, type MetadataSource } from '../data/metadata-source.ts';
import { migrate } from '../store/postgres/migrate.ts';
import { createPool } from '../store/postgres/pool.ts';
import type { Command } from './command.ts';
import { datasetFromOptions, datasetOptions, datasetUsage } from './dataset-option.ts';
import { metricsServer } from './metrics-server.ts';
import { parseOptions } from './options.ts';
import { runUntilSignal } from './run-until-signal.ts';

/** `marquee ingest`: movielog lines → typed user events and dead letters; metadata into Postgres. */
export const ingestCommand: Command = {
  name: 'ingest',
  summary: 'read the movielog topic, publish typed user events, dead-letter bad lines, enrich metadata',
  usage: `usage: marquee ingest [options]

Consumes MOVIELOG_TOPIC in consumer group <KAFKA_CLIENT_ID>-ingest until SIGTERM/SIGINT. User and movie
metadata come from METADATA_URL (the course's services) when set, else from --dataset.
${datasetUsage}
  --group ID             consumer group (default <KAFKA_CLIENT_ID>-ingest)
  --metrics-port PORT    serve Prometheus /metrics on 127.0.0.1:PORT`,
  async run(args, io) {
    const values = parseOptions(args, {
      ...datasetOptions,
      group: { type: 'string' },
      'metrics-port': { type: 'string' },
    });
    const config = loadConfig(io.env);
    await migrate(config.postgres.url, config.postgres.schema);
    const kafka = createKafka(config, 'ingest');
    const topics = topicNames(config);
    await prepareTopics(kafka, config);
    const pool = createPool(config.postgres, 4);
    let source: MetadataSource;
    let sourceName: string;
    if (config.metadataUrl !== undefined) {
      source = createCourseServices({ baseUrl: config.metadataUrl });
      sourceName = 'course';
    } else {
      const dataset = await datasetFromOptions(values);
      source = datasetMetadataSource(dataset);
      sourceName = dataset.name;
    }
    const enricher = createMetadataEnricher({ pool, source, sourceName, log: io.err });
    // Ids a previous run saw but could not enrich (crash, outage) are offered again now.
    void enricher.backfill().catch((error: unknown) => io.err(`metadata backfill: ${String(error)}`));
    const ingest = await startIngest({
      kafka,
      topics,
      groupId: values.group ?? `${config.kafka.clientId}-ingest`,
      enricher,
      log: io.err,
    });
    io.err(
      `ingest: ${topics.movielog} → ${topics.userEvents} (dead letters: ${topics.deadLetter}); metadata from ${sourceName}`,
    );
    const stopMetrics = metricsServer('ingest', values['metrics-port'], {
      ingest: ingest.stats,
      enricher: enricher.stats,
    });
    const code = await runUntilSignal(
      [{ name: 'postgres', stop: () => pool.end() }, ingest, { name: 'metrics', stop: stopMetrics }],
      io.err,
    );
    io.out(JSON.stringify({ ingest: ingest.stats(), metadata: enricher.stats() }));
    return code;
  },
};
