import { loadConfig } from '../../config/load-config.ts';
import { activateModelVersion } from '../store/model-store.ts';
import {
  listVersions,
  markActive,
  readVersion,
  type ModelVersionRow,
} from '../store/postgres/model-versions.ts';
import { createPool } from '../store/postgres/pool.ts';
import { migrate } from '../store/postgres/migrate.ts';
import { connectRedis } from '../store/redis-check.ts';
import { redisKeys } from '../store/redis-keys.ts';
import { UsageError, type Command } from './command.ts';
import { numberOption, parseOptions } from './options.ts';

const fixed = (x: unknown, digits = 4) =>
  typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : '-';

/** One row of `marquee model list`. */
export function formatVersion(v: ModelVersionRow): string {
  const metrics = v.metrics as {
    candidate?: { rmse?: number; precision?: number };
    active?: { rmse?: number } | null;
  };
  const total = Object.values(v.timings ?? {}).reduce((s, t) => s + t, 0);
  const gate = (v.gate as { reason?: string } | null)?.reason ?? v.error ?? '';
  return [
    v.version.padStart(7),
    v.status.padEnd(8),
    (v.trigger ?? '-').padEnd(9),
    String(v.ratingsUsed ?? '-').padStart(9),
    fixed(metrics.candidate?.rmse).padStart(7),
    fixed(metrics.active?.rmse).padStart(7),
    fixed(metrics.candidate?.precision, 3).padStart(6),
    `${total.toFixed(1)} s`.padStart(8),
    v.createdAt.toISOString().slice(0, 19).replace('T', ' '),
    gate,
  ].join('  ');
}

/** `marquee model list|rollback`: the model versions and their gate decisions; make an older one active. */
export const modelCommand: Command = {
  name: 'model',
  summary: 'list model versions with their holdout metrics and gate decisions, or roll back to one',
  usage: `usage: marquee model list [--limit N]
       marquee model rollback VERSION

list      every retrain attempt, newest first: status, trigger, ratings used, holdout RMSE of the
          candidate and of the model active then, precision@20, time taken, and the gate's reason
rollback  make a stored version active again; the stream and the API move onto it within seconds`,
  async run(args, io) {
    const [verb, ...rest] = args;
    const config = loadConfig(io.env);
    if (verb === 'list') {
      const values = parseOptions(rest, { limit: { type: 'string' } });
      const pool = createPool(config.postgres, 1);
      try {
        await migrate(config.postgres.url, config.postgres.schema);
        const rows = await listVersions(pool, numberOption(values.limit, 'limit', 20, 1, 10_000));
        io.out(
          'version  status    trigger     ratings  holdout active   P@20      time  created              gate',
        );
        for (const v of rows) io.out(formatVersion(v));
        if (rows.length === 0)
          io.out('(no retrain yet: start `marquee worker`, or run `marquee retrain --wait`)');
        return 0;
      } finally {
        await pool.end();
      }
    }
    if (verb === 'rollback') {
      const version = rest[0];
      if (version === undefined || rest.length !== 1) throw new UsageError('rollback takes one VERSION');
      const redis = await connectRedis(config);
      const pool = createPool(config.postgres, 1);
      try {
        const row = await readVersion(pool, version);
        if (row === null) throw new UsageError(`no model version ${version} (see \`marquee model list\`)`);
        if (row.status !== 'ready' && row.status !== 'active')
          throw new UsageError(
            `version ${version} is ${row.status}: only published versions still stored can be activated`,
          );
        await activateModelVersion(redis, redisKeys(config.redis.keyPrefix), version);
        await markActive(pool, version);
        io.out(`model ${version} is active`);
        return 0;
      } finally {
        await pool.end();
        redis.disconnect();
      }
    }
    throw new UsageError(verb === undefined ? 'say list or rollback' : `unknown verb '${verb}'`);
  },
};
