import { Partitioners } from 'kafkajs';
import { createThrottledLog } from '../lib/throttled-log.ts';
import { checkRedisForRole } from '../store/redis-check.ts';
import { createRedisClient } from '../store/redis-client.ts';
import { join } from 'node:path';
import { loadConfig } from '../../config/load-config.ts';
import { createMetricsRegistry, serveMetrics } from '../../otel/metrics.ts';
import { startTracing } from '../../otel/tracing.ts';
import { createKafka } from '../../streams/kafka-client.ts';
import { prepareTopics, topicNames } from '../../streams/topics.ts';
import { startAuditWorker } from '../jobs/audit-worker.ts';
import { startExperimentBatcher } from '../jobs/experiment-batches.ts';
import { rebaseAnnouncer } from '../jobs/rebase-announcer.ts';
import { startRetrainWorker } from '../jobs/retrain-worker.ts';
import { migrate } from '../store/postgres/migrate.ts';
import { createPool } from '../store/postgres/pool.ts';
import { redisKeys } from '../store/redis-keys.ts';
import type { Command } from './command.ts';
import { numberOption, parseOptions } from './options.ts';
import { runUntilSignal } from './run-until-signal.ts';

/**
 * `marquee worker`: the BullMQ jobs — retrain on a schedule, at bootstrap, on growth and on demand;
 * fairness audits daily and on demand.
 */
export const workerCommand: Command = {
  name: 'worker',
  summary:
    'run the background jobs: retrain the model from the Postgres log (every 48 h, at bootstrap, on growth, on demand) and audit served lists (daily, on demand)',
  usage: `usage: marquee worker [--metrics-port PORT] [--lock-ms MS]

Runs until SIGTERM/SIGINT. Retrains the model from the Postgres rating log every RETRAIN_INTERVAL,
as soon as the log holds RETRAIN_MIN_RATINGS and no model is active, when it grew by RETRAIN_GROWTH
since the last attempt (checked every RETRAIN_CHECK_INTERVAL), and when \`marquee retrain\` asks.
A candidate is published only if the gate lets it through (RETRAIN_TOLERANCE); see \`marquee model\`.
Audits the lists served in the last AUDIT_INTERVAL (24 h) and whenever \`marquee audit\` asks; reports
go to $MARQUEE_HOME/audits (docs/fairness.md).
  --metrics-port PORT    serve Prometheus /metrics on 127.0.0.1:PORT
  --lock-ms MS           how long a job survives its worker before another takes it over (default 30000)`,
  async run(args, io) {
    const values = parseOptions(args, { 'metrics-port': { type: 'string' }, 'lock-ms': { type: 'string' } });
    const lockMs = numberOption(values['lock-ms'], 'lock-ms', 30_000, 1_000, 3_600_000);
    const config = loadConfig(io.env);
    // A refused password stops the worker here; a Redis that is down may come back: it reconnects.
    const down = await checkRedisForRole(config);
    if (down !== undefined) io.err(`worker: ${down.message}; retrying until it answers`);
    const stopTracing = startTracing({
      role: 'worker',
      otlpEndpoint: config.otlpEndpoint,
      sampleRatio: config.traceSampleRatio,
    });
    await migrate(config.postgres.url, config.postgres.schema);
    const kafka = createKafka(config, 'worker');
    await prepareTopics(kafka, config);
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    const pool = createPool(config.postgres, 4);
    const redis = createRedisClient(config, { maxRetriesPerRequest: 3 });
    const redisLog = createThrottledLog(io.err);
    redis.on('error', (error: Error) => redisLog('worker: redis', error.message));
    const registry = createMetricsRegistry('worker', process.env['npm_package_version'] ?? 'dev');
    const worker = await startRetrainWorker({
      config,
      pool,
      redis,
      keys: redisKeys(config.redis.keyPrefix),
      announce: rebaseAnnouncer(kafka, producer, topicNames(config).userEvents),
      registry,
      log: io.err,
      lockMs,
    });
    const audits = await startAuditWorker({
      config,
      pool,
      // Per schema: deployments sharing MARQUEE_HOME number their audits alike and must not overwrite each other's.
      reportDir: join(config.home, 'audits', config.postgres.schema),
      log: io.err,
    });
    const batches = startExperimentBatcher({
      pool,
      redis,
      keys: redisKeys(config.redis.keyPrefix),
      log: io.err,
    });
    const port = values['metrics-port'];
    const stopMetrics =
      port === undefined
        ? async () => undefined
        : serveMetrics(registry, numberOption(port, 'metrics-port', 0, 1, 65_535), config.metricsHost);
    io.err(
      `worker: retrain every ${config.retrain.intervalMs / 3_600_000} h; bootstrap at ${config.retrain.minRatings} ratings; growth +${config.retrain.growth * 100} %; audit every ${config.audit.intervalMs / 3_600_000} h`,
    );
    return runUntilSignal(
      [
        { name: 'tracing', stop: stopTracing },
        {
          name: 'clients',
          stop: async () => void (await Promise.all([pool.end(), producer.disconnect()]), redis.disconnect()),
        },
        worker,
        audits,
        batches,
        { name: 'metrics', stop: stopMetrics },
      ],
      io.err,
    );
  },
};
