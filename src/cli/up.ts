import { fileURLToPath } from 'node:url';
import { loadConfig, loadConfigForServices, type Config } from '../../config/load-config.ts';
import { assertCanListen } from '../api/listen-check.ts';
import { sleep } from '../lib/time.ts';
import { JAEGER_OTLP_URL } from '../services/jaeger-service.ts';
import { writeScrapeTargets, type ScrapeTarget } from '../services/prometheus-config.ts';
import { scrapeTargetsDir } from '../services/prometheus-service.ts';
import { servicePaths } from '../services/service-paths.ts';
import {
  formatStatus,
  localServices,
  optionalServices,
  servicesUp,
  type OptionalService,
} from '../services/services.ts';
import { startSupervisor } from '../services/supervisor.ts';
import { migrate } from '../store/postgres/migrate.ts';
import { UsageError, type Command, type CommandIo } from './command.ts';
import { checkDatasetOption } from './dataset-option.ts';
import { numberOption, parseOptions } from './options.ts';
import { runUntilSignal } from './run-until-signal.ts';

/** The roles `marquee up` runs, in start order (each is `marquee <role>` in a child process). */
export const upRoles = ['stream', 'sink', 'worker', 'api'] as const;

/** One of the roles `marquee up` runs. */
export type UpRole = (typeof upRoles)[number];

/** The selected roles split into those to run and those this build has no command for yet. */
export function planRoles(
  selected: readonly UpRole[],
  registered: readonly string[],
): { run: UpRole[]; skipped: UpRole[] } {
  return {
    run: selected.filter((r) => registered.includes(r)),
    skipped: selected.filter((r) => !registered.includes(r)),
  };
}

/**
 * A role's arguments to `marquee`: the API takes its worker count, the stream its metadata dataset;
 * with `metricsPort`, stream, sink and worker serve /metrics on it, the next and the one after.
 */
export function roleArgs(role: UpRole, apiWorkers: number, dataset?: string, metricsPort?: number): string[] {
  if (role === 'api') return ['api', '--workers', String(apiWorkers)];
  const metrics =
    metricsPort === undefined ? [] : ['--metrics-port', String(metricsPort + METRICS_OFFSET[role])];
  if (role === 'stream' && dataset !== undefined) return ['stream', '--dataset', dataset, ...metrics];
  return [role, ...metrics];
}

/** Where each role's /metrics goes relative to --metrics-port (the API serves its own on API_PORT). */
const METRICS_OFFSET: Record<Exclude<UpRole, 'api'>, number> = { stream: 0, sink: 1, worker: 2 };

/** The Prometheus scrape targets of the roles `marquee up` runs. */
export function upScrapeTargets(
  roles: readonly UpRole[],
  apiAddress: string,
  metricsPort: number,
): ScrapeTarget[] {
  return roles.map((role) => ({
    role,
    address: role === 'api' ? apiAddress : `127.0.0.1:${metricsPort + METRICS_OFFSET[role]}`,
  }));
}

const bin = fileURLToPath(new URL('../../bin/marquee.js', import.meta.url));

/** `marquee up`: services, schema and every role on one machine, supervised; the embedded default. */
export const upCommand: Command = {
  name: 'up',
  summary: 'start the services, migrate, and run stream, sink, worker and api together (Ctrl-C stops all)',
  usage: `usage: marquee up [--only ROLE[,ROLE]] [--no-services] [--api-workers N] [--dataset NAME|DIR]
                  [--metrics-port N] [--with ${optionalServices.join(',')}]

The whole system on one machine: starts Kafka, Redis and Postgres (as \`marquee services up\`: reused
when already running), applies the Postgres migrations, then runs stream, sink, worker and api, each
as a child process \`marquee <role>\` whose output lines carry its name. A role that exits is
restarted with back-off; one that exits 5 times within a minute stops everything and shows its last
lines. Ctrl-C or SIGTERM stops every role (SIGTERM, SIGKILL after 15 s); a second Ctrl-C kills at
once. The services keep running afterwards: \`marquee services down\` stops them.
  --only ROLE[,ROLE]   run only these of stream, sink, worker, api (default: all four)
  --no-services        do not start local services (they run elsewhere: KAFKA_BROKERS, REDIS_URL,
                       DATABASE_URL)
  --api-workers N      API processes sharing the port (marquee api --workers N; default 1)
  --dataset NAME|DIR   where the stream's ingest finds user and movie metadata when METADATA_URL is
                       not set: synthetic (default), ml-latest-small, or a MovieLens directory
                       (marquee stream --dataset); pick the dataset you replay
  --metrics-port N     stream, sink and worker serve Prometheus /metrics on N, N+1, N+2 (default
                       9464 with --with prometheus, else none); the API serves its own on API_PORT.
                       The roles are listed for the local Prometheus in
                       $MARQUEE_HOME/prometheus/targets while marquee up runs
  --with ${optionalServices.join(',')}
                       also start any of these (marquee services up --with): Jaeger (the roles export
                       traces to it unless OTEL_EXPORTER_OTLP_ENDPOINT is set), Prometheus (it scrapes
                       every role), a local Redis Cluster (docs/scaling.md)`,
  async run(args, io) {
    const values = parseOptions(args, {
      only: { type: 'string' },
      'no-services': { type: 'boolean' },
      'api-workers': { type: 'string' },
      dataset: { type: 'string' },
      'metrics-port': { type: 'string' },
      with: { type: 'string' },
    });
    const extra = (values.with ?? '').split(',').filter((s) => s !== '');
    // Roles serve /metrics on ports of their own only when asked (two runs on one machine would clash).
    const metricsPort =
      values['metrics-port'] === undefined && !extra.includes('prometheus')
        ? undefined
        : numberOption(values['metrics-port'], 'metrics-port', 9464, 1, 65_533);
    const unknownExtra = extra.filter((s) => !(optionalServices as readonly string[]).includes(s));
    if (unknownExtra.length > 0)
      throw new UsageError(
        `--with takes ${optionalServices.join(', ')}, comma-separated; got '${unknownExtra.join(',')}'`,
      );
    const selected = selectRoles(values.only);
    const apiWorkers = numberOption(values['api-workers'], 'api-workers', 1, 1, 64);
    if (!Number.isInteger(apiWorkers))
      throw new UsageError(`--api-workers must be a whole number, got '${values['api-workers']}'`);
    const config = values['no-services'] === true ? loadConfig(io.env) : loadConfigForServices(io.env);
    // Imported here, not at the top: commands.ts lists this command, so a static import would be a cycle.
    const { commands } = await import('./commands.ts');
    const plan = planRoles(
      selected,
      commands.map((c) => c.name),
    );
    for (const role of plan.skipped)
      io.err(`${role}: skipped, \`marquee ${role}\` is not a command of this build yet`);
    if (plan.run.length === 0) throw new Error(`nothing to run: ${selected.join(', ')} skipped`);
    // The stream reads --dataset only without METADATA_URL; a wrong one would crash-loop it.
    if (plan.run.includes('stream') && config.metadataUrl === undefined)
      await checkDatasetOption(values.dataset);
    // A taken API port would crash-loop the api role while another process answered on it.
    if (plan.run.includes('api')) await assertCanListen(config.api.host, config.api.port);

    if (values['no-services'] !== true) {
      const statuses = await servicesUp(localServices(config, extra as OptionalService[]), (line) =>
        io.err(`  ${line}`),
      );
      for (const line of formatStatus(statuses)) io.err(line);
    }
    const { applied } = await migrate(config.postgres.url, config.postgres.schema);
    io.err(
      `schema ${config.postgres.schema}: ${applied.length === 0 ? 'up to date' : `applied ${applied.join(', ')}`}`,
    );

    const env = {
      ...io.env,
      ...(extra.includes('jaeger') &&
        io.env['OTEL_EXPORTER_OTLP_ENDPOINT'] === undefined && {
          OTEL_EXPORTER_OTLP_ENDPOINT: JAEGER_OTLP_URL,
        }),
    };
    let apiListens: () => void = () => undefined;
    const apiListening = new Promise<void>((resolve) => (apiListens = resolve));
    const supervisor = startSupervisor(
      plan.run.map((role) => ({
        name: role,
        command: process.execPath,
        args: [bin, ...roleArgs(role, apiWorkers, values.dataset, metricsPort)],
        env,
      })),
      {
        out: (line) => {
          if (API_LISTENING.test(line)) apiListens();
          io.out(line);
        },
        err: io.err,
      },
    );
    // The local Prometheus (if any) scrapes this run's roles; each series carries its topic prefix.
    const removeTargets =
      metricsPort === undefined
        ? () => undefined
        : writeScrapeTargets(
            scrapeTargetsDir(servicePaths(config.home)),
            `up-${config.api.port}`,
            upScrapeTargets(plan.run, `${apiHost(config)}:${config.api.port}`, metricsPort),
            { deployment: config.kafka.topicPrefix },
          );
    const announcing = new AbortController();
    if (plan.run.includes('api')) void announceApi(config, io, apiListening, announcing.signal);
    try {
      // A second signal makes runUntilSignal exit the process at once; the supervisor's exit hook then
      // SIGKILLs every child's process group, so even that path leaves no orphan.
      return await Promise.race([
        runUntilSignal([{ name: plan.run.join(', '), stop: () => supervisor.stop() }], io.err),
        supervisor.done.then(() => 0),
      ]);
    } finally {
      removeTargets();
      announcing.abort();
      if (values['no-services'] !== true)
        io.err('the services keep running: `marquee services down` stops them');
    }
  },
};

/** The roles named by --only (default: all), in start order. */
function selectRoles(only: string | undefined): UpRole[] {
  if (only === undefined) return [...upRoles];
  const names = only.split(',').map((r) => r.trim());
  const unknown = names.filter((r) => !(upRoles as readonly string[]).includes(r));
  if (unknown.length > 0 || names.length === 0)
    throw new UsageError(`--only takes ${upRoles.join(', ')}, comma-separated; got '${only}'`);
  return upRoles.filter((r) => names.includes(r));
}

/** Where the API is reached from this machine (a wildcard listener on loopback). */
function apiHost(config: Config): string {
  return config.api.host === '0.0.0.0' ? '127.0.0.1' : config.api.host === '::' ? '::1' : config.api.host;
}

/** The api role's line once it listens (each worker of `--workers N` prints one). */
const API_LISTENING = /^\[api\]\s+marquee api listening on /;

/**
 * Once the api role says it listens, polls its /healthz until it answers, then prints the one address
 * a newcomer needs (never for another process that answers on the port: up checked it was free, and
 * waits for its own role's line). Polls for as long as `marquee up` runs.
 */
async function announceApi(
  config: Config,
  io: CommandIo,
  listening: Promise<void>,
  stop: AbortSignal,
): Promise<void> {
  const host = apiHost(config);
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${config.api.port}`;
  const stopped = new Promise<void>((resolve) => stop.addEventListener('abort', () => resolve()));
  await Promise.race([listening, stopped]);
  while (!stop.aborted) {
    const ok = await fetch(`${base}/healthz`, { signal: AbortSignal.any([stop, AbortSignal.timeout(1_000)]) })
      .then((r) => r.ok)
      .catch(() => false);
    if (ok && !stop.aborted) {
      io.out(`API ready: ${base}/recommend/<user>`);
      return;
    }
    await sleep(250);
  }
}
