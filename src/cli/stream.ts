import { loadConfig } from '../../config/load-config.ts';
import { createMetricsRegistry, serveMetrics } from '../../otel/metrics.ts';
import { startStream } from '../../actors/stream-runtime.ts';
import { streamRoles } from '../../actors/stream-roles.ts';
import { UsageError, type Command } from './command.ts';
import { numberOption, parseOptions } from './options.ts';
import { runUntilSignal } from './run-until-signal.ts';

/** `marquee stream`: the user and movie actor groups (scale out by running more copies). */
export const streamCommand: Command = {
  name: 'stream',
  summary: 'run the user and movie actors: incremental SVD factors, counters and leaderboards in Redis',
  usage: `usage: marquee stream [options]

Joins the consumer groups <TOPIC_PREFIX>user-actors (user-events → p_u, b_u, history → movie-events)
and <TOPIC_PREFIX>movie-actors (movie-events → q_i, b_i, counters, leaderboards) until SIGTERM/SIGINT,
which finishes the batches in flight, commits them and leaves the groups. Run more copies to share
the partitions.
  --only user|movie        run one actor kind only
  --factors K              length of p_u and q_i when no model is published (default 100); with a
                           published model (model:active), its factor count, μ and vectors are used
  --no-model               ignore the published model: seeded vectors, μ 3.5
  --daily-cap N            training updates per movie per UTC day (default 1000)
  --max-live N             live actors kept per kind (default 100000; the rest are passivated)
  --batch-size N           records per committed batch (default 4000)
  --session-timeout-ms N   how long the group waits for a silent member (default 10000)
  --metrics-port PORT      serve Prometheus /metrics on 127.0.0.1:PORT
  --crash-after-produce N  testing only: SIGKILL this process after producing the outputs of its
                           Nth batch and before committing it (the crash tests' worst moment)`,
  async run(args, io) {
    const values = parseOptions(args, {
      only: { type: 'string' },
      factors: { type: 'string' },
      'daily-cap': { type: 'string' },
      'max-live': { type: 'string' },
      'batch-size': { type: 'string' },
      'session-timeout-ms': { type: 'string' },
      'metrics-port': { type: 'string' },
      'crash-after-produce': { type: 'string' },
      'no-model': { type: 'boolean' },
    });
    const crashAt = numberOption(values['crash-after-produce'], 'crash-after-produce', 0, 0, 1e9);
    let produced = 0;
    const only = values.only;
    if (only !== undefined && only !== 'user' && only !== 'movie') {
      throw new UsageError(`--only must be user or movie, got '${only}'`);
    }
    const config = loadConfig(io.env);
    const registry = createMetricsRegistry('stream', process.env.npm_package_version ?? 'dev');
    const stream = await startStream(config, {
      roles: only === undefined ? streamRoles : streamRoles.filter((r) => r.name === only),
      model: {
        factors: numberOption(values.factors, 'factors', 100, 1, 1024),
        dailyCap: numberOption(values['daily-cap'], 'daily-cap', 1000, 0, 1e9),
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
      metrics: registry,
      fromActiveModel: values['no-model'] !== true,
      log: io.err,
      afterProduce:
        crashAt === 0
          ? undefined
          : () => {
              if (++produced === crashAt) process.kill(process.pid, 'SIGKILL');
            },
    });
    const port = values['metrics-port'];
    const stopMetrics =
      port === undefined
        ? async () => undefined
        : serveMetrics(registry, numberOption(port, 'metrics-port', 0, 1, 65_535));
    io.err(`stream: ${stream.roles.map((r) => `${r.name} actors (${r.group.groupId})`).join(', ')} running`);
    return runUntilSignal(
      [
        { name: 'metrics', stop: stopMetrics },
        { name: 'stream', stop: () => stream.stop() },
      ],
      io.err,
    );
  },
};
