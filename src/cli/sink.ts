import { loadConfig } from '../../config/load-config.ts';
import { startTracing } from '../../otel/tracing.ts';
import { createKafka } from '../../streams/kafka-client.ts';
import { startPostgresSink } from '../../streams/postgres-sink.ts';
import { startServedSink } from '../../streams/served-sink.ts';
import { prepareTopics, topicNames } from '../../streams/topics.ts';
import { migrate } from '../store/postgres/migrate.ts';
import { createPool } from '../store/postgres/pool.ts';
import type { Command } from './command.ts';
import { metricsServer } from './metrics-server.ts';
import { numberOption, parseOptions } from './options.ts';
import { runUntilSignal } from './run-until-signal.ts';

/** `marquee sink`: user events → the durable Postgres log, exactly once per event id. */
export const sinkCommand: Command = {
  name: 'sink',
  summary: 'write every rating, watch and served list to Postgres, once',
  usage: `usage: marquee sink [--group ID] [--batch-bytes N] [--metrics-port PORT]

Consumes the user-events topic until SIGTERM/SIGINT and appends ratings and watches to Postgres,
and the served topic's lists to served_lists (each idempotent by event id). Migrates the schema first.
  --group ID             consumer group (default <KAFKA_CLIENT_ID>-sink; the served lists' is ID-served)
  --batch-bytes N        most bytes fetched per partition and batch (default 1048576)
  --metrics-port PORT    serve Prometheus /metrics on 127.0.0.1:PORT`,
  async run(args, io) {
    const values = parseOptions(args, {
      group: { type: 'string' },
      'batch-bytes': { type: 'string' },
      'metrics-port': { type: 'string' },
    });
    const batchBytes = numberOption(values['batch-bytes'], 'batch-bytes', 1_048_576, 1_024, 104_857_600);
    const config = loadConfig(io.env);
    const stopTracing = startTracing({
      role: 'sink',
      otlpEndpoint: config.otlpEndpoint,
      sampleRatio: config.traceSampleRatio,
    });
    await migrate(config.postgres.url, config.postgres.schema);
    const kafka = createKafka(config, 'sink');
    const topics = topicNames(config);
    await prepareTopics(kafka, config);
    const pool = createPool(config.postgres, 4);
    const groupId = values.group ?? `${config.kafka.clientId}-sink`;
    const sink = await startPostgresSink({ kafka, topics, pool, groupId, batchBytes, log: io.err });
    const servedSink = await startServedSink({
      kafka,
      topics,
      pool,
      groupId: `${groupId}-served`,
      log: io.err,
    });
    io.err(`sink: ${topics.userEvents} → postgres ${config.postgres.schema}.ratings/watches`);
    io.err(`sink: ${topics.served} → postgres ${config.postgres.schema}.served_lists`);
    const stopMetrics = metricsServer(
      'sink',
      values['metrics-port'],
      {
        sink: () => ({ ...sink.stats(), listsInserted: servedSink.stats().listsInserted }),
      },
      config.metricsHost,
    );
    const code = await runUntilSignal(
      [
        { name: 'tracing', stop: stopTracing },
        { name: 'postgres', stop: () => pool.end() },
        sink,
        servedSink,
        { name: 'metrics', stop: stopMetrics },
      ],
      io.err,
    );
    io.out(JSON.stringify({ ...sink.stats(), ...servedSink.stats() }));
    return code;
  },
};
