import { loadConfig } from '../../config/load-config.ts';
import { enqueueRetrain, retrainEvents, retrainQueue, type RetrainJobResult } from '../jobs/retrain-queue.ts';
import { RETRAIN_DEFAULTS } from '../jobs/retrain/retrain-job.ts';
import { algorithms } from '../model/algorithms/algorithms.ts';
import { applyParams } from '../model/algorithms/params.ts';
import { checkRedis } from '../store/redis-check.ts';
import { UsageError, type Command } from './command.ts';
import { numberOption, parseOptions } from './options.ts';
import { retrainProgressBar } from './retrain-progress.ts';

/** `key=value` pairs of repeated `--param` options. */
function paramsOf(values: readonly string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const pair of values) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--param takes key=value, got '${pair}'`);
    params[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return params;
}

/**
 * Checks `--param` overrides against the algorithm the worker will fit, as `marquee train` does: a key
 * it lacks or a value of the wrong type is a usage error here, not a job that fails three times.
 */
export function checkRetrainParams(algorithm: string, params: Readonly<Record<string, string>>): void {
  const defaults = Object.hasOwn(algorithms, algorithm) ? algorithms[algorithm]?.defaults : undefined;
  if (defaults === undefined) throw new UsageError(`unknown algorithm '${algorithm}'`);
  let unknown: string[];
  try {
    ({ unknown } = applyParams(defaults, params));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (unknown.length > 0)
    throw new UsageError(
      `${algorithm} has no parameter '${unknown.join("', '")}' (it has ${Object.keys(defaults).join(', ')})`,
    );
}

/** `marquee retrain`: ask the worker for a retrain now, and optionally follow it to the end. */
export const retrainCommand: Command = {
  name: 'retrain',
  summary: 'ask `marquee worker` to retrain the model now; --wait shows its progress to the end',
  usage: `usage: marquee retrain [--wait] [--timeout SECONDS] [--algorithm svd|svd++] [--param KEY=VALUE ...]

Queues a retrain job for \`marquee worker\` (which must be running). With --wait, shows a progress
bar with the stage and ETA, then the outcome (published version, or why the gate rejected it), and
exits 1 if the job failed or 3 on timeout.
  --wait               follow the job until it ends
  --timeout SECONDS    with --wait, give up after this long (default 3600)
  --algorithm NAME     svd (default) or svd++ (Koren's, the seed's A/B challenger) for this run
  --param KEY=VALUE    override a training parameter for this run (e.g. epochs=30), repeatable`,
  async run(args, io) {
    const values = parseOptions(args, {
      wait: { type: 'boolean' },
      timeout: { type: 'string' },
      param: { type: 'string', multiple: true },
      algorithm: { type: 'string' },
    });
    const params = paramsOf(values.param ?? []);
    const algorithm = values.algorithm;
    if (algorithm !== undefined && algorithm !== 'svd' && algorithm !== 'svd++')
      throw new UsageError(
        `--algorithm is svd or svd++ (the biased-MF models Marquee serves), got '${algorithm}'`,
      );
    checkRetrainParams(algorithm ?? RETRAIN_DEFAULTS.algorithm, params);
    const timeoutSeconds = numberOption(values.timeout, 'timeout', 3_600, 1, 86_400);
    const config = loadConfig(io.env);
    // BullMQ waits for ever on a Redis it cannot use: fail now, in one line, instead.
    await checkRedis(config);
    const queue = retrainQueue(config);
    const events = values.wait === true ? retrainEvents(config) : undefined;
    try {
      await events?.waitUntilReady();
      const job = await enqueueRetrain(queue, {
        trigger: 'manual',
        ...(Object.keys(params).length > 0 && { params }),
        ...(algorithm !== undefined && { algorithm }),
      });
      io.err(`retrain job ${job.id} queued`);
      if (events === undefined) return 0;
      const workers = await queue.getWorkersCount();
      if (workers === 0) io.err('no `marquee worker` is running yet: the job waits until one starts');
      const bar = retrainProgressBar(events, String(job.id));
      try {
        const result = (await job.waitUntilFinished(events, timeoutSeconds * 1000)) as RetrainJobResult;
        bar.stop(true);
        const total = Object.values(result.timings).reduce((s, t) => s + (t ?? 0), 0);
        io.out(
          result.status === 'active'
            ? `published model ${result.version}: ${result.ratingsUsed} ratings, ${total.toFixed(1)} s — ${result.reason}`
            : `model ${result.version} rejected by the gate — ${result.reason}`,
        );
        return 0;
      } catch (error) {
        bar.stop(false);
        const message = error instanceof Error ? error.message : String(error);
        io.err(`retrain job ${job.id}: ${message}`);
        return /timed out/i.test(message) ? 3 : 1;
      }
    } finally {
      await events?.close();
      await queue.close();
    }
  },
};
