import { Resvg } from '@resvg/resvg-js';
import type { Redis } from 'ioredis';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '../../config/load-config.ts';
import { ARM_NAME, type ExperimentArm } from '../experiments/experiment.ts';
import { experimentReport } from '../experiments/experiment-report.ts';
import { batchChartSvg } from '../experiments/report-chart.ts';
import { formatReport } from '../experiments/report-text.ts';
import { readArtifactBytes } from '../store/model-store.ts';
import { clearRunningExperiment, setRunningExperiment } from '../store/experiment-pointer.ts';
import {
  EXPERIMENT_ID,
  insertExperiment,
  listExperiments,
  markStopped,
  runningExperimentRow,
  type ExperimentRow,
} from '../store/postgres/experiments.ts';
import { migrate } from '../store/postgres/migrate.ts';
import { readVersion } from '../store/postgres/model-versions.ts';
import { createPool } from '../store/postgres/pool.ts';
import { connectRedis } from '../store/redis-check.ts';
import { redisKeys } from '../store/redis-keys.ts';
import { UsageError, type Command } from './command.ts';
import { numberOption, parseOptions } from './options.ts';

/** Parses `NAME=VERSION[:WEIGHT]`. */
export function parseArm(text: string): ExperimentArm {
  const m = /^([^=]+)=([0-9]+)(?::([0-9.]+))?$/.exec(text);
  if (m === null) throw new UsageError(`--arm takes NAME=VERSION[:WEIGHT], got '${text}'`);
  const [, name, version, weight] = m as unknown as [string, string, string, string | undefined];
  if (!ARM_NAME.test(name))
    throw new UsageError(`arm name '${name}': lower-case letters, digits, _ + - (≤ 24)`);
  const w = weight === undefined ? 1 : Number(weight);
  if (!(w > 0) || !Number.isFinite(w)) throw new UsageError(`arm ${name}: weight must be a positive number`);
  return { name, version, weight: w };
}

/** One row of `marquee experiment list`. */
export function formatExperiment(e: ExperimentRow): string {
  const arms = e.arms
    .map((a) => `${a.name}=v${a.version}${e.assignment === 'hash' ? `:${a.weight}` : ''}`)
    .join(' ');
  const state = e.stoppedAt === null ? 'running' : 'stopped';
  const verdict = (e.decision as { verdict?: string; winner?: string } | null) ?? null;
  return [
    e.id.padStart(4),
    state.padEnd(8),
    e.name.padEnd(20),
    e.assignment.padEnd(7),
    e.primaryMetric.padEnd(13),
    e.startedAt.toISOString().slice(0, 19).replace('T', ' '),
    String(e.looks).padStart(5),
    (e.minP === null ? '-' : e.minP.toPrecision(3)).padStart(8),
    verdict === null ? '-' : `${verdict.verdict ?? '?'}${verdict.winner ? ` (${verdict.winner})` : ''}`,
    ` ${arms}`,
  ].join('  ');
}

/** An experiment id as typed (a whole number that fits Postgres's bigint), else the answer an unknown id gets. */
export function experimentId(text: string): string {
  if (!EXPERIMENT_ID.test(text)) throw new UsageError(`no experiment ${text} (marquee experiment list)`);
  return text;
}

/** `experiment start`'s options, checked: arms, assignment, metric and the test's settings. */
function startOptions(rest: readonly string[]) {
  const values = parseOptions(rest, {
    arm: { type: 'string', multiple: true },
    assignment: { type: 'string' },
    salt: { type: 'string' },
    name: { type: 'string' },
    metric: { type: 'string' },
    alpha: { type: 'string' },
    tuning: { type: 'string' },
  });
  const arms = (values.arm ?? []).map(parseArm);
  if (arms.length < 2 || arms.length > 8) throw new UsageError('an experiment has 2 to 8 arms (--arm …)');
  if (new Set(arms.map((a) => a.name)).size !== arms.length) throw new UsageError('arm names must differ');
  const assignment = values.assignment ?? 'parity';
  if (assignment !== 'parity' && assignment !== 'hash')
    throw new UsageError(`--assignment is parity or hash, got '${assignment}'`);
  if (assignment === 'parity' && arms.length !== 2)
    throw new UsageError('parity assignment splits users into exactly 2 arms (use --assignment hash)');
  if (assignment === 'parity' && arms.some((a) => a.weight !== 1))
    throw new UsageError('parity assignment splits 50/50: weights need --assignment hash');
  const metric = values.metric ?? 'rmse';
  if (metric !== 'rmse' && metric !== 'watch-through')
    throw new UsageError(`--metric is rmse or watch-through, got '${metric}'`);
  const alpha = numberOption(values.alpha, 'alpha', 0.05, 0.0001, 0.5);
  const tuning = numberOption(values.tuning, 'tuning', 1000, 10, 1e9);
  return { arms, values, assignment, metric, alpha, tuning } as const;
}

const USAGE = `usage: marquee experiment start --arm NAME=VERSION[:WEIGHT] --arm NAME=VERSION[:WEIGHT] [options]
       marquee experiment stop [ID]
       marquee experiment list
       marquee experiment report ID [--out DIR] [--json]

start   runs an A/B experiment: each arm serves a published model version (marquee model list);
        the first arm is the control. Users keep their arm across restarts (a pure function of the id).
          --arm NAME=VERSION[:WEIGHT]  an arm (2 to 8; weights only with --assignment hash)
          --assignment parity|hash     parity: even ids → first arm, odd → second (the seed's split);
                                       hash: GrowthBook's salted hash against the weights (default parity)
          --salt TEXT                  the hash's salt (default exp-<id>: a new split per experiment)
          --name TEXT                  a name for people (default: the arms)
          --metric rmse|watch-through  the primary metric the decision is made on (default rmse)
          --alpha A                    significance level (default 0.05)
          --tuning N                   the sequential test's N*: users expected at decision time (default 1000)
stop    stops the running experiment (or ID); every user is served the active model again
list    every experiment: state, looks, running minimum of the always-valid p, verdict, arms
report  per arm: users, ratings, batch RMSEs, watch-through; effect, CI and p of each test, the SRM
        check and the decision; writes the batch-RMSE chart as PNG (default
        $MARQUEE_HOME/experiments/<DATABASE_SCHEMA>/experiment-ID/); every report is a look (docs/experiments.md)`;

/** `marquee experiment start|stop|list|report`. */
export const experimentCommand: Command = {
  name: 'experiment',
  summary:
    'A/B experiments between model versions: start, stop, list, report (online RMSE, watch-through, sequential test)',
  usage: USAGE,
  async run(args, io) {
    const [verb, ...rest] = args;
    if (verb === undefined || !['start', 'stop', 'list', 'report'].includes(verb))
      throw new UsageError(verb === undefined ? 'say start, stop, list or report' : `unknown verb '${verb}'`);
    // Every argument is checked before anything connects: a bad one is a usage error, never a database's.
    const start = verb === 'start' ? startOptions(rest) : undefined;
    const stopId = verb === 'stop' && rest[0] !== undefined ? experimentId(rest[0]) : undefined;
    if (verb === 'report' && (rest[0] === undefined || rest[0].startsWith('--')))
      throw new UsageError('report takes an experiment ID');
    const reportId = verb === 'report' ? experimentId(rest[0] as string) : undefined;
    const reportValues =
      verb === 'report'
        ? parseOptions(rest.slice(1), { out: { type: 'string' }, json: { type: 'boolean' } })
        : undefined;
    const config = loadConfig(io.env);
    const keys = redisKeys(config.redis.keyPrefix);
    await migrate(config.postgres.url, config.postgres.schema);
    const pool = createPool(config.postgres, 2);
    // Only the verbs that need Redis connect (checked first: a bad Redis fails them in one line).
    let client: Redis | undefined;
    const redis = async () => (client ??= await connectRedis(config));
    try {
      if (start !== undefined) {
        const { arms, values, assignment, metric, alpha, tuning } = start;
        for (const a of arms) {
          const row = await readVersion(pool, a.version);
          if (row === null || (row.status !== 'ready' && row.status !== 'active'))
            throw new UsageError(
              `arm ${a.name}: version ${a.version} is not a published version (marquee model list)`,
            );
          if ((await readArtifactBytes(await redis(), keys, a.version)) === null)
            throw new UsageError(
              `arm ${a.name}: version ${a.version} is no longer stored (deleted by retention)`,
            );
        }
        const row = await insertExperiment(pool, {
          name: values.name ?? arms.map((a) => a.name).join(' vs '),
          arms,
          assignment,
          ...(values.salt !== undefined && { salt: values.salt }),
          primaryMetric: metric,
          alpha,
          tuning: Math.round(tuning),
        });
        try {
          await setRunningExperiment(await redis(), keys, {
            id: row.id,
            arms: row.arms,
            assignment: row.assignment,
            salt: row.salt,
          });
        } catch (error) {
          await markStopped(pool, row.id);
          throw error;
        }
        io.out(`experiment ${row.id} running: ${formatExperiment(row).trim()}`);
        return 0;
      }
      if (verb === 'stop') {
        const id = stopId ?? (await runningExperimentRow(pool))?.id;
        if (id === undefined) throw new UsageError('no experiment is running');
        const running = await redis(); // before Postgres says stopped, so the two cannot disagree
        const row = await markStopped(pool, id);
        if (row === null) throw new UsageError(`experiment ${id} is not running`);
        await clearRunningExperiment(running, keys, id);
        io.out(`experiment ${id} stopped`);
        return 0;
      }
      if (verb === 'list') {
        const rows = await listExperiments(pool);
        io.out(
          '  id  state     name                  assign   metric         started              looks    min p  verdict  arms',
        );
        for (const e of rows) io.out(formatExperiment(e));
        if (rows.length === 0) io.out('(no experiment yet: marquee experiment start)');
        return 0;
      }
      const id = reportId as string;
      const values = reportValues ?? {};
      const report = await experimentReport({ pool, redis: await redis(), keys }, id, { look: true });
      if (report === null) throw new UsageError(`no experiment ${id} (marquee experiment list)`);
      const dir =
        values.out ?? join(config.home, 'experiments', config.postgres.schema, `experiment-${report.id}`);
      await mkdir(dir, { recursive: true });
      const png = new Resvg(batchChartSvg(report), {
        font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
      })
        .render()
        .asPng();
      const chart = join(dir, 'rmse-batches.png');
      await writeFile(chart, png);
      await writeFile(join(dir, 'report.json'), JSON.stringify(report, null, 2));
      if (values.json === true) io.out(JSON.stringify(report, null, 2));
      else for (const line of formatReport(report)) io.out(line);
      io.err(`chart: ${chart}`);
      return 0;
    } finally {
      await pool.end();
      client?.disconnect();
    }
  },
};
