import { loadConfig } from '../../config/load-config.ts';
import { topicNames } from '../../streams/topics.ts';
import type { Command } from './command.ts';
import { datasetOptions, datasetUsage } from './dataset-option.ts';
import { startIngestRole } from './ingest-role.ts';
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
    const topics = topicNames(config);
    const { ingest, enricher, sourceName, parts } = await startIngestRole(config, values, io.err);
    io.err(
      `ingest: ${topics.movielog} → ${topics.userEvents} (dead letters: ${topics.deadLetter}); metadata from ${sourceName}`,
    );
    const stopMetrics = metricsServer(
      'ingest',
      values['metrics-port'],
      {
        ingest: ingest.stats,
        enricher: enricher.stats,
      },
      config.metricsHost,
    );
    const code = await runUntilSignal([...parts, { name: 'metrics', stop: stopMetrics }], io.err);
    io.out(JSON.stringify({ ingest: ingest.stats(), metadata: enricher.stats() }));
    return code;
  },
};
