import cluster from 'node:cluster';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/load-config.ts';
import { serveClusterMetrics } from '../../otel/cluster-metrics.ts';
import { defaultGuardrailSettings } from '../serving/guardrail-settings.ts';
import { startApi } from '../api/start-api.ts';
import { UsageError, type Command } from './command.ts';

const usage = [
  'usage: marquee api [--port N] [--workers N] [--cors-origin URL]... [--noise-scale S]',
  '                   [--strict-certification] [--rate-limit N]',
  '',
  'Serves GET /recommend/<userid> (the course contract), GET /v1/users/<id>/recommendations, POST /v1/ratings,',
  '/healthz, /readyz, /metrics and /openapi.json on API_HOST:API_PORT. The model is the one published in',
  'Redis (reloaded when a new version is announced); without one, answers come from a popular list.',
  '  --workers N              N processes sharing the port (node:cluster; default 1)',
  '  --cors-origin URL        allow this origin on /v1 (repeatable; default: CORS off)',
  '  --noise-scale S          σ of the score noise on the JSON API, stars (default 0.05)',
  '  --strict-certification   withhold uncertified titles from minors',
  '  --rate-limit N           requests per second per IP on /v1 (default 100)',
].join('\n');

function positiveNumber(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!(Number.isFinite(n) && n >= 0))
    throw new UsageError(`${name} expects a non-negative number, got '${text}'`);
  return n;
}

/** `marquee api`: the serving API role; runs until SIGINT or SIGTERM. */
export const apiCommand: Command = {
  name: 'api',
  summary: 'serve recommendations (course /recommend, JSON API, ratings) from the published model',
  usage,
  async run(args, io) {
    let values;
    try {
      ({ values } = parseArgs({
        args: [...args],
        options: {
          port: { type: 'string' },
          workers: { type: 'string' },
          'cors-origin': { type: 'string', multiple: true },
          'noise-scale': { type: 'string' },
          'strict-certification': { type: 'boolean' },
          'rate-limit': { type: 'string' },
        },
      }));
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    const config = loadConfig(io.env);
    const workers = Math.floor(positiveNumber(values.workers, '--workers', 1));
    if (workers > 1 && cluster.isPrimary) {
      serveClusterMetrics();
      for (let k = 0; k < workers; k++) cluster.fork();
      io.out(`marquee api: ${workers} workers on ${config.api.host}:${values.port ?? config.api.port}`);
      await new Promise<void>((resolve) => {
        for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
      });
      // Signal the workers directly so each runs its own drain (worker.kill only disconnects first).
      const workersLeft = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
      const exited = workersLeft.map((w) => new Promise((resolve) => w.once('exit', resolve)));
      for (const w of workersLeft) if (w.process.pid !== undefined) process.kill(w.process.pid, 'SIGTERM');
      await Promise.all(exited);
      return 0;
    }
    const d = defaultGuardrailSettings;
    const api = await startApi(config, {
      ...(values.port !== undefined && { port: positiveNumber(values.port, '--port', config.api.port) }),
      settings: {
        ...d,
        agePolicy: { ...d.agePolicy, strictUncertified: values['strict-certification'] ?? false },
        noise: { ...d.noise, scale: positiveNumber(values['noise-scale'], '--noise-scale', d.noise.scale) },
      },
      ratePoints: positiveNumber(values['rate-limit'], '--rate-limit', 100),
      ...(values['cors-origin'] && { corsOrigins: values['cors-origin'] }),
      log: io.err,
      clustered: cluster.isWorker,
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
