import { loadConfig } from '../../config/load-config.ts';
import { createMetricsRegistry, registerIngestSinkMetrics, serveMetrics } from '../../otel/metrics.ts';
import { startTracing } from '../../otel/tracing.ts';
import { startStream } from '../../actors/stream-runtime.ts';
import { streamRoles } from '../../actors/roles.ts';
import type { RunningRole } from '../../streams/running-role.ts';
import { waitForRedis } from '../store/redis-check.ts';
import { UsageError, type Command } from './command.ts';
import { datasetOptions, datasetUsage } from './dataset-option.ts';
import { startIngestRole } from './ingest-role.ts';
import { numberOption, parseOptions } from './options.ts';
import { runUntilSignal } from './run-until-signal.ts';

const ROLES = ['ingest', 'user', 'movie'] as const;

/** `marquee stream`: ingest and the user and movie actor groups (scale out by running more copies). */
export const streamCommand: Command = {
  name: 'stream',
  summary: 'run ingest and the user and movie actors: incremental SVD factors, counters, leaderboards',
  usage: `usage: marquee stream [options]

Runs, until SIGTERM/SIGINT, ingest (MOVIELOG_TOPIC → user-events, as \`marquee ingest\`) and the
consumer groups <TOPIC_PREFIX>user-actors (user-events → p_u, b_u, history → movie-events) and
<TOPIC_PREFIX>movie-actors (movie-events → q_i, b_i, counters, leaderboards). A signal finishes the
batches in flight, commits them and leaves the groups. Run more copies (or split the roles over
processes with --only) to share the partitions.
  --only ROLE[,ROLE]       run only these of ingest, user, movie (default: all three)
  --factors K              length of p_u and q_i when no model is published (default 100); with a
                           published model (model:active), its factor count, μ and vectors are used
  --no-model               ignore the published model: seeded vectors, μ 3.5
  --rebuild                when Redis lost the actors' offsets while Kafka shows the groups consumed
                           (Redis restarted without its append-only file), rebuild every actor from
                           the earliest records Kafka retains; without it the stream refuses to start
  --max-live N             live actors kept per kind (default 100000; the rest are passivated)
  --batch-size N           events per committed batch, in whole records (default 4000)
  --session-timeout-ms N   how long the group waits for a silent member (default 10000)
  --metrics-port PORT      serve Prometheus /metrics on 127.0.0.1:PORT
  --crash-after-produce N  testing only: SIGKILL this process after producing the outputs of its
                           Nth actor batch and before committing it (the crash tests' worst moment)
  --crash-mid-commit N     testing only, Redis Cluster: SIGKILL this process in the middle of its Nth
                           batch commit, half of the slots written (the cluster's worst moment)
Ingest's metadata source (when METADATA_URL is not set):
${datasetUsage}`,
  async run(args, io) {
    const values = parseOptions(args, {
      only: { type: 'string' },
      factors: { type: 'string' },
      'max-live': { type: 'string' },
      'batch-size': { type: 'string' },
      'session-timeout-ms': { type: 'string' },
      'metrics-port': { type: 'string' },
      'crash-after-produce': { type: 'string' },
      'crash-mid-commit': { type: 'string' },
      'no-model': { type: 'boolean' },
      rebuild: { type: 'boolean' },
      ...datasetOptions,
    });
    const crashAt = numberOption(values['crash-after-produce'], 'crash-after-produce', 0, 0, 1e9);
    let produced = 0;
    const crashMidAt = numberOption(values['crash-mid-commit'], 'crash-mid-commit', 0, 0, 1e9);
    let commits = 0;
    const only = values.only === undefined ? [...ROLES] : values.only.split(',').map((r) => r.trim());
    const unknown = only.filter((r) => !(ROLES as readonly string[]).includes(r));
    if (unknown.length > 0 || only.length === 0)
      throw new UsageError(`--only takes ingest, user and/or movie, comma-separated; got '${values.only}'`);
    const config = loadConfig(io.env);
    // A refused password stops the stream here; a Redis that is down may come back: it waits.
    await waitForRedis(config, (line) => io.err(`stream: ${line}`));
    const options = {
      model: {
        factors: numberOption(values.factors, 'factors', 100, 1, 1024),
        // RATING_DAILY_CAP only: the retrain applies the same cap, and a per-process override would
        // let the two disagree (each retrain undoing the stream's cap).
        dailyCap: config.dailyCap,
      },
      registry: { maxLive: numberOption(values['max-live'], 'max-live', 100_000, 1, 1e8) },
      tasks: { batchSize: numberOption(values['batch-size'], 'batch-size', 4000, 1, 100_000) },
      sessionTimeoutMs: numberOption(
        values['session-timeout-ms'],
        'session-timeout-ms',
        10_000,
        6000,
        300_000,
      ),
      fromActiveModel: values['no-model'] !== true,
      onLostState: values.rebuild === true ? ('rebuild' as const) : ('refuse' as const),
    };
    const port = values['metrics-port'];
    const metricsPort = port === undefined ? undefined : numberOption(port, 'metrics-port', 0, 1, 65_535);
    const registry = createMetricsRegistry('stream', process.env.npm_package_version ?? 'dev');
    // Stopped last (parts stop in reverse order): flushes the spans of the final batches.
    const stopTracing = startTracing({
      role: 'stream',
      otlpEndpoint: config.otlpEndpoint,
      sampleRatio: config.traceSampleRatio,
    });
    const parts: RunningRole[] = [{ name: 'tracing', stop: stopTracing }];
    try {
      if (only.includes('ingest')) {
        const ingest = await startIngestRole(config, values, io.err);
        registerIngestSinkMetrics(registry, { ingest: ingest.ingest.stats, enricher: ingest.enricher.stats });
        parts.push(...ingest.parts);
      }
      const actorRoles = streamRoles.filter((r) => only.includes(r.name));
      if (actorRoles.length > 0) {
        const stream = await startStream(config, {
          ...options,
          roles: actorRoles,
          metrics: registry,
          log: io.err,
          afterProduce:
            crashAt === 0
              ? undefined
              : () => {
                  if (++produced === crashAt) process.kill(process.pid, 'SIGKILL');
                },
          midCommit:
            crashMidAt === 0
              ? undefined
              : () => {
                  if (++commits === crashMidAt) process.kill(process.pid, 'SIGKILL');
                },
        });
        parts.push({ name: 'actors', stop: () => stream.stop() });
      }
      if (metricsPort !== undefined)
        parts.push({ name: 'metrics', stop: serveMetrics(registry, metricsPort, config.metricsHost) });
    } catch (error) {
      // Stop what did start (a running ingest would keep the process alive as a half of itself).
      for (const part of [...parts].reverse()) await part.stop().catch(() => undefined);
      throw error;
    }
    const running = only.map((r) => (r === 'ingest' ? 'ingest' : `${r} actors`)).join(', ');
    io.err(`stream: ${running} running`);
    return runUntilSignal(parts, io.err);
  },
};
