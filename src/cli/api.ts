import cluster from 'node:cluster';
import { loadConfig } from '../../config/load-config.ts';
import { serveClusterMetrics } from '../../otel/cluster-metrics.ts';
import { defaultGuardrailSettings } from '../serving/guardrail-settings.ts';
import { assertCanListen } from '../api/listen-check.ts';
import { startApi } from '../api/start-api.ts';
import { checkRedisForRole } from '../store/redis-check.ts';
import { UsageError, type Command } from './command.ts';
import { numberOption, parseOptions } from './options.ts';

const usage = [
  'usage: marquee api [--port N] [--workers N] [--cors-origin ORIGIN]... [--noise-scale S]',
  '                   [--strict-certification] [--rate-limit N]',
  '',
  'Serves GET /recommend/<userid> (the course contract), GET /v1/users/<id>/recommendations, POST /v1/ratings,',
  '/healthz, /readyz, /metrics and /openapi.json on API_HOST:API_PORT. The model is the one published in',
  'Redis (reloaded when a new version is announced); without one, answers come from the popular list',
  '`marquee worker` keeps in Redis; with neither (nothing published yet, or Redis down) /recommend',
  'answers 200 with an empty line and the log says why. A Redis that refuses REDIS_PASSWORD stops it.',
  '  --port N                 listen on port N instead of API_PORT (0: any free port)',
  '  --workers N              N processes sharing the port (node:cluster; default 1, at most 64)',
  '  --cors-origin ORIGIN     allow this origin on /v1, scheme://host[:port] as a browser sends it',
  '                           (e.g. https://app.example.com; repeatable; default: CORS off)',
  '  --noise-scale S          σ of the score noise on the JSON API, stars (default 0.05)',
  '  --strict-certification   withhold uncertified titles from minors',
  '  --rate-limit N           requests per second per IP on /v1 (default 100)',
].join('\n');

/**
 * A `--cors-origin` value as the browser's Origin header spells it (the CORS check compares strings):
 * http(s)://host[:port], lower-case, no path and no default port.
 */
export function corsOrigin(text: string): string {
  let origin: string | undefined;
  try {
    const url = new URL(text);
    if (url.protocol === 'http:' || url.protocol === 'https:') origin = url.origin;
  } catch {
    // not a URL at all: answered below
  }
  if (origin === text) return text;
  throw new UsageError(
    `--cors-origin takes an origin, http(s)://host[:port] as a browser sends it, got '${text}'` +
      (origin === undefined ? '' : ` (did you mean '${origin}'?)`),
  );
}

/** `marquee api`: the serving API role; runs until SIGINT or SIGTERM. */
export const apiCommand: Command = {
  name: 'api',
  summary: 'serve recommendations (course /recommend, JSON API, ratings) from the published model',
  usage,
  async run(args, io) {
    const values = parseOptions(args, {
      port: { type: 'string' },
      workers: { type: 'string' },
      'cors-origin': { type: 'string', multiple: true },
      'noise-scale': { type: 'string' },
      'strict-certification': { type: 'boolean' },
      'rate-limit': { type: 'string' },
    });
    const corsOrigins = values['cors-origin']?.map(corsOrigin);
    const config = loadConfig(io.env);
    const port = numberOption(values.port, 'port', config.api.port, 0, 65_535);
    if (!Number.isInteger(port)) throw new UsageError(`--port must be a whole number, got '${values.port}'`);
    // Every option is checked before anything connects.
    const workers = Math.floor(numberOption(values.workers, 'workers', 1, 0, 64));
    const noiseScale = numberOption(
      values['noise-scale'],
      'noise-scale',
      defaultGuardrailSettings.noise.scale,
      0,
      5,
    );
    const ratePoints = numberOption(values['rate-limit'], 'rate-limit', 100, 0, 1_000_000);
    // A refused password stops the API here; a Redis that is down may come back (the API says so
    // as it starts, serves what it can and reconnects).
    if (cluster.isPrimary) await checkRedisForRole(config);
    if (workers > 1 && cluster.isPrimary) {
      // One clear error here rather than every worker failing on the port.
      await assertCanListen(config.api.host, port);
      serveClusterMetrics();
      for (let k = 0; k < workers; k++) cluster.fork();
      io.out(`marquee api: ${workers} workers on ${config.api.host}:${port}`);
      // A worker that exits on its own (its port taken meanwhile, a crash) ends the role: `marquee up`
      // restarts it whole rather than serving on fewer workers than asked.
      const failed = await new Promise<string | undefined>((resolve) => {
        for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve(undefined));
        cluster.once('exit', (w, code, signal) =>
          resolve(`api worker ${w.process.pid} exited with ${signal ?? `code ${code}`}; stopped the others`),
        );
      });
      // Signal the workers directly so each runs its own drain (worker.kill only disconnects first).
      const workersLeft = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
      const exited = workersLeft.map((w) => new Promise((resolve) => w.once('exit', resolve)));
      for (const w of workersLeft) if (w.process.pid !== undefined) process.kill(w.process.pid, 'SIGTERM');
      await Promise.all(exited);
      if (failed !== undefined) throw new Error(failed);
      return 0;
    }
    const d = defaultGuardrailSettings;
    const api = await startApi(config, {
      port,
      settings: {
        ...d,
        agePolicy: { ...d.agePolicy, strictUncertified: values['strict-certification'] ?? false },
        noise: { ...d.noise, scale: noiseScale },
      },
      ratePoints,
      ...(corsOrigins && { corsOrigins }),
      log: io.err,
      clustered: cluster.isWorker,
    }).catch((error: unknown) => {
      // The IPC channel would keep a worker that failed to start alive.
      if (cluster.isWorker) cluster.worker?.disconnect();
      throw error;
    });
    io.out(`marquee api listening on http://${config.api.host}:${api.port} (pid ${process.pid})`);
    await new Promise<void>((resolve) => {
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
    });
    await api.stop();
    if (cluster.isWorker) cluster.worker?.disconnect(); // the IPC channel would keep the worker alive
    return 0;
  },
};
