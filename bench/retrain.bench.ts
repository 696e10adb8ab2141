/**
 * `npm run bench:retrain`: one retrain end to end (`runRetrain`: read → build → train → evaluate →
 * refit → publish) on --ratings synthetic ratings (the medium world: 10k users × 10k movies) in a
 * Postgres schema of its own, seconds per stage, the total against the target (≤ 10 s) and the
 * process's peak RSS (the fits run in worker threads of this process). Each run is a pair: a
 * bootstrap (no active model) on all but the latest 1 % of the ratings, then — those ratings appended
 * as the sink would — a growth retrain that the gate compares with the active model on them.
 * Options: --ratings N (1,000,000), --runs N (1 pair), --keep (keep the schema and reuse it next time,
 * skipping the load). The load runs in a child process, so the peak RSS is the retrain's alone.
 * Kafka, Redis and Postgres share the machine's 2 cores with the benchmark: the load average is printed
 * beside the figures. A benchmark prints figures; it asserts nothing.
 */
import { fork } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { loadConfigForServices } from '../config/load-config.ts';
import {
  RETRAIN_DEFAULTS,
  RETRAIN_STAGES,
  runRetrain,
  type RetrainOutcome,
} from '../src/jobs/retrain/retrain-job.ts';
import { median } from '../src/model/eval/evaluate.ts';
import { formatStatus, localServices, servicesUp } from '../src/services/services.ts';
import { redisKeys } from '../src/store/redis-keys.ts';
import { createTestScope } from '../test/isolation.ts';
import { loadRetrainWorld } from './retrain-load.ts';

const TARGET_SECONDS = 10;

const { values } = parseArgs({
  options: {
    ratings: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '1' },
    keep: { type: 'boolean', default: false },
    load: { type: 'string' },
  },
});
const ratings = Number(values.ratings);
const runs = Number(values.runs);

// The child half: load the world into the schema named by the parent's environment, then exit.
if (values.load !== undefined) {
  const env = JSON.parse(values.load) as Record<string, string | undefined>;
  await loadRetrainWorld(env, ratings, (line) => console.log(`  load: ${line}`));
  process.exit(0);
}

/** Loads the world in a child process (its memory never counts towards this process's peak RSS). */
function loadInChild(env: Readonly<Record<string, string | undefined>>): Promise<void> {
  const child = fork(
    fileURLToPath(import.meta.url),
    ['--ratings', String(ratings), '--load', JSON.stringify(env)],
    { execArgv: ['--import', 'tsx'] },
  );
  return new Promise((resolve, reject) =>
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`load exited with ${code}`)))),
  );
}

const mb = (bytes: number) => `${Math.round(bytes / 1_048_576)} MB`;
const load1 = () => loadavg()[0]?.toFixed(2) ?? '?';

console.log(
  formatStatus(await servicesUp(localServices(loadConfigForServices(process.env)), () => undefined)).join(
    '\n',
  ),
);
const scope = createTestScope('bench-retrain', process.env, values.keep ? `n${ratings}` : undefined);
const keys = redisKeys(scope.config.redis.keyPrefix);
const redis = scope.redis();
let pool: pg.Pool | undefined;

/** Deletes this scope's Redis keys (the published models) and nothing else of the shared Redis. */
async function deleteScopeKeys(): Promise<void> {
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(
      cursor,
      'MATCH',
      `${scope.config.redis.keyPrefix}*`,
      'COUNT',
      1000,
    );
    if (found.length > 0) await redis.unlink(...found);
    cursor = next;
  } while (cursor !== '0');
}

try {
  pool = await scope.postgres();
  await pool.query('CREATE TABLE IF NOT EXISTS bench_held_back (LIKE ratings)');
  await pool.query('CREATE TABLE IF NOT EXISTS bench_loaded (ratings bigint NOT NULL)');
  // A run interrupted between the pair's two retrains left the latest ratings aside: put them back.
  await pool.query('INSERT INTO ratings SELECT * FROM bench_held_back ON CONFLICT DO NOTHING');
  await pool.query('TRUNCATE bench_held_back');
  const loaded = await pool.query('SELECT 1 FROM bench_loaded WHERE ratings = $1', [ratings]);
  if (loaded.rowCount === 1) {
    console.log(
      `schema ${scope.config.postgres.schema}: the ratings of an earlier --keep run, not loaded again`,
    );
  } else {
    await pool.query('TRUNCATE ratings, movies, bench_loaded');
    console.log(
      `loading ${ratings.toLocaleString('en')} ratings into schema ${scope.config.postgres.schema} …`,
    );
    const started = performance.now();
    await loadInChild(scope.env);
    await pool.query('INSERT INTO bench_loaded VALUES ($1)', [ratings]);
    console.log(
      `  loaded in ${((performance.now() - started) / 1000).toFixed(1)} s (not part of the retrain's time)`,
    );
  }
  // Settle the table as autovacuum would in steady state, so no vacuum starts during a timed run.
  await pool.query('VACUUM ANALYZE ratings');

  const settings = { ...RETRAIN_DEFAULTS, tolerance: scope.config.retrain.tolerance };
  const heldBack = Math.max(100, Math.round(ratings * 0.01));
  const results: { kind: 'bootstrap' | 'growth'; outcome: RetrainOutcome; total: number; peakRss: number }[] =
    [];

  const timed = async (kind: 'bootstrap' | 'growth', run: number) => {
    await pool!.query('VACUUM ANALYZE ratings');
    const before = load1();
    let peakRss = process.memoryUsage.rss();
    const sample = () => (peakRss = Math.max(peakRss, process.memoryUsage.rss()));
    const sampler = setInterval(sample, 20);
    const started = performance.now();
    const cpu = process.cpuUsage();
    const outcome = await runRetrain(
      { pool: pool!, redis, keys, settings },
      { trigger: kind, jobId: `bench-${run}-${kind}` },
      sample,
    );
    const total = (performance.now() - started) / 1000;
    const { user, system } = process.cpuUsage(cpu);
    clearInterval(sampler);
    sample();
    results.push({ kind, outcome, total, peakRss });
    const stages = RETRAIN_STAGES.map((s) => `${s} ${(outcome.timings[s] ?? 0).toFixed(2)}`).join(', ');
    console.log(
      `run ${run + 1} ${kind}: ${total.toFixed(2)} s (${stages}); CPU ${((user + system) / 1e6).toFixed(1)} s; ` +
        `peak RSS ${mb(peakRss)}; ` +
        `load average ${before} → ${load1()}; ${outcome.ratingsUsed.toLocaleString('en')} ratings; ` +
        `${outcome.status}: ${outcome.gate.reason}`,
    );
  };

  for (let run = 0; run < runs; run++) {
    // A bootstrap: no model anywhere, and the latest 1 % of the ratings not yet logged.
    await pool.query('TRUNCATE model_versions');
    await deleteScopeKeys();
    await pool.query(
      `WITH moved AS (DELETE FROM ratings WHERE event_id IN
         (SELECT event_id FROM ratings ORDER BY rated_at DESC, event_id DESC LIMIT $1) RETURNING *)
       INSERT INTO bench_held_back SELECT * FROM moved`,
      [heldBack],
    );
    await timed('bootstrap', run);
    // The held-back ratings arrive, as the sink appends them; the growth retrain compares on them.
    await pool.query('INSERT INTO ratings SELECT * FROM bench_held_back');
    await pool.query('TRUNCATE bench_held_back');
    await timed('growth', run);
  }

  const cores = `${cpus().length} cores shared with Kafka, Redis and Postgres`;
  console.log(`\nmedians over ${runs} run(s), ${ratings.toLocaleString('en')} ratings, ${cores}:`);
  for (const kind of ['bootstrap', 'growth'] as const) {
    const rows = results.filter((r) => r.kind === kind);
    const stages = RETRAIN_STAGES.map(
      (s) => `${s} ${median(rows.map((r) => r.outcome.timings[s] ?? 0)).toFixed(2)}`,
    );
    const total = median(rows.map((r) => r.total));
    console.log(
      `  ${kind.padEnd(9)} ${total.toFixed(2)} s end to end (${stages.join(', ')}); ` +
        `${total <= TARGET_SECONDS ? 'within' : 'over'} the target ≤ ${TARGET_SECONDS} s; ` +
        `peak RSS ${mb(median(rows.map((r) => r.peakRss)))}`,
    );
  }
  console.log(
    `  process peak RSS ${mb(process.resourceUsage().maxRSS * 1024)} (main thread and fit threads); ` +
      `load average now ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );
} finally {
  if (values.keep) {
    await pool?.end();
    redis.disconnect();
    console.log(
      `kept schema ${scope.config.postgres.schema} and Redis prefix ${scope.config.redis.keyPrefix}`,
    );
  } else await scope.cleanup();
}
process.exit(0);
