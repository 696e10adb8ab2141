import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createRedisClient } from '../store/redis-client.ts';
import { loadConfigForServices, type Config } from '../../config/load-config.ts';
import type { RunningRole } from '../../streams/running-role.ts';
import { buildReplay } from '../data/replay.ts';
import { waitUntil } from '../lib/time.ts';
import { localServices, servicesUp } from '../services/services.ts';
import { readActiveVersion } from '../store/model-store.ts';
import { migrate } from '../store/postgres/migrate.ts';
import { createPool } from '../store/postgres/pool.ts';
import { redisKeys } from '../store/redis-keys.ts';
import type { Command } from './command.ts';
import { datasetFromOptions, datasetOptions, datasetUsage } from './dataset-option.ts';
import { describeRetrain, runModelStep } from './demo-model.ts';
import {
  ownerOf,
  rateAndWatch,
  showList,
  startDemoApi,
  titleLabeller,
  unseenUserId,
} from './demo-serving.ts';
import { runStreamStep } from './demo-stream.ts';
import { pickShowcaseUsers, ratingCounts } from './demo-users.ts';
import { compact, seconds } from './demo-view.ts';
import { Interrupted, onInterrupt, type Interrupt } from './interrupt.ts';
import { numberOption, parseOptions } from './options.ts';

/**
 * Where the demo writes unless the environment says otherwise: its own topics, Redis keys, schema
 * and consumer groups, so its synthetic world never mixes into a deployment's data (`marquee up`
 * on the same services) and a second run finds only what the first one left.
 */
export const DEMO_NAMESPACE = {
  TOPIC_PREFIX: 'marquee-demo.',
  MOVIELOG_TOPIC: 'marquee-demo.movielog',
  REDIS_KEY_PREFIX: 'mqdemo:',
  DATABASE_SCHEMA: 'marquee_demo',
  KAFKA_CLIENT_ID: 'marquee-demo',
} as const;

/**
 * The environment with the demo's namespace wherever the variable is unset or blank. A TOPIC_PREFIX
 * of the user's own also names the demo's movielog (`<prefix>movielog`) unless MOVIELOG_TOPIC is
 * set: otherwise the demo would replay into, and read from the start, the shared demo log.
 */
export function demoEnv(
  env: Readonly<Record<string, string | undefined>>,
): Readonly<Record<string, string | undefined>> {
  const scoped: Record<string, string | undefined> = { ...env };
  const blank = (name: string) => (env[name] ?? '').trim() === '';
  for (const [name, value] of Object.entries(DEMO_NAMESPACE)) if (blank(name)) scoped[name] = value;
  if (!blank('TOPIC_PREFIX') && blank('MOVIELOG_TOPIC'))
    scoped['MOVIELOG_TOPIC'] = `${(env['TOPIC_PREFIX'] as string).trim()}movielog`;
  return scoped;
}

/** `marquee demo`: the first thing a new user runs; the whole product on one machine, in one process. */
export const demoCommand: Command = {
  name: 'demo',
  summary:
    'the product in about a minute: services, a synthetic world through the stream, a model from the worker, lists from the API, a new user’s ratings changing theirs',
  usage: `usage: marquee demo [options]

Starts Kafka, Redis and Postgres (installing what is missing, reusing what runs) and migrates the
schema; replays a synthetic world as course log lines (2 % malformed) through ingest, the Postgres
sink and the user/movie actors; runs the retrain worker until it publishes a model; starts the API
and prints the lists of a minor, an adult and a brand-new user; lets the new user rate five movies
and prints their changed list with the time it took. Everything runs in this process and stops at
the end (Ctrl-C stops it early). Its data lives apart from a deployment's: topics ${DEMO_NAMESPACE.TOPIC_PREFIX}*,
Redis keys ${DEMO_NAMESPACE.REDIS_KEY_PREFIX}*, schema ${DEMO_NAMESPACE.DATABASE_SCHEMA} (unless TOPIC_PREFIX, MOVIELOG_TOPIC, REDIS_KEY_PREFIX,
DATABASE_SCHEMA or KAFKA_CLIENT_ID are set; a TOPIC_PREFIX of your own also names the movielog,
<prefix>movielog); running it again adds a second replay to the first.
${datasetUsage}
  --lines N              lines to replay (default 30000)
  --rate N               lines per second (default 5000)
  --change-timeout S     how long to wait for the new user's list to change (default 30)
Role logs go to $MARQUEE_HOME/logs/demo.log. Stop the services afterwards with: marquee services down`,
  async run(args, io) {
    const values = parseOptions(args, {
      ...datasetOptions,
      lines: { type: 'string' },
      rate: { type: 'string' },
      'change-timeout': { type: 'string' },
    });
    const lines = numberOption(values.lines, 'lines', 30_000, 1, 10_000_000);
    const rate = numberOption(values.rate, 'rate', 5_000, 1, 10_000_000);
    const changeTimeout = numberOption(values['change-timeout'], 'change-timeout', 30, 1, 3_600);
    const env = demoEnv(io.env);
    const config = loadConfigForServices(env);
    const started = Date.now();
    const { out } = io;
    mkdirSync(join(config.home, 'logs'), { recursive: true });
    const logPath = join(config.home, 'logs', 'demo.log');
    const logFile = createWriteStream(logPath, { flags: 'a' });
    const log = (line: string) => void logFile.write(`${new Date().toISOString()} ${line}\n`);
    const interrupt = onInterrupt((line) => out(line));
    // Everything started goes here and is stopped in reverse order, whatever happens.
    const running: RunningRole[] = [];
    let code: number;
    let failure: unknown;
    try {
      code = await runSteps({
        config,
        env: io.env,
        values,
        lines,
        rate,
        changeTimeout,
        interrupt,
        running,
        out,
        log,
      });
    } catch (error) {
      code = error instanceof Interrupted || interrupt.signal.aborted ? 130 : 1;
      if (code === 130) out('interrupted: stopping what the demo started');
      else failure = error;
    }
    for (const role of running.reverse()) {
      const at = Date.now();
      await role.stop().then(
        () => log(`demo: ${role.name} stopped in ${Date.now() - at} ms`),
        (error: unknown) => {
          log(`demo: stopping ${role.name}: ${error instanceof Error ? error.message : String(error)}`);
          if (code === 0) code = 1;
        },
      );
    }
    interrupt.dispose();
    await new Promise((resolve) => logFile.end(resolve));
    out(
      `${code === 0 ? 'done' : code === 130 ? 'stopped' : 'ended with errors'} in ${seconds(Date.now() - started)}: ` +
        `the API, the worker and the stream are stopped. Logs: ${logPath}; stop the services with: marquee services down`,
    );
    if (failure !== undefined) throw failure;
    return code;
  },
};

/** What the steps share. */
interface StepContext {
  readonly config: Config;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly values: { dataset?: string; size?: string; seed?: string };
  readonly lines: number;
  readonly rate: number;
  readonly changeTimeout: number;
  readonly interrupt: Interrupt;
  readonly running: RunningRole[];
  readonly out: (line: string) => void;
  readonly log: (line: string) => void;
}

/** The six steps; resolves with the exit code, throws Interrupted on Ctrl-C. */
async function runSteps(ctx: StepContext): Promise<number> {
  const { config, interrupt, running, out, log } = ctx;
  out('Marquee demo: the whole recommender in this one process, on a synthetic movie world.');
  const statuses = await interrupt.race(servicesUp(localServices(config), (l) => out(`    ${l}`)));
  out(
    `1/6 services  ${statuses.map((s) => `${s.name} ${s.state}`).join(', ')} on loopback (\`marquee services status\` for details)`,
  );
  const { applied } = await interrupt.race(migrate(config.postgres.url, config.postgres.schema));
  out(
    `2/6 schema    ${config.postgres.schema}: ${applied.length === 0 ? 'up to date' : `${applied.length} migration(s) applied`}; ` +
      `the demo's data stays in its own topics (${config.kafka.topicPrefix}*), Redis keys (${config.redis.keyPrefix}*) and schema`,
  );

  const dataset = await datasetFromOptions(ctx.values);
  const messages = buildReplay(dataset, { limit: ctx.lines, malformedShare: 0.02, seed: 1 });
  const counts = ratingCounts(messages);
  const watchedUser = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '1';
  out(
    `3/6 stream    ${dataset.name} world (${compact(dataset.users.length)} users, ${compact(dataset.movies.length)} movies) as ${compact(messages.length)} course log lines at ${compact(ctx.rate)}/s`,
  );
  out(
    '              → ingest → user and movie actors (factors in Redis) + the Postgres sink (the rating log)',
  );
  const pool = createPool(config.postgres, 6);
  const redis = createRedisClient(config, { maxRetriesPerRequest: 3 });
  redis.on('error', (error: Error) => log(`demo: redis: ${error.message}`));
  running.push({
    name: 'clients',
    stop: async () => {
      await pool.end();
      redis.disconnect();
    },
  });
  const keys = redisKeys(config.redis.keyPrefix);
  const base = { config, pool, redis, keys, interrupt, running, out, log };
  const stream = await runStreamStep({ ...base, dataset, messages, rate: ctx.rate, watchedUser });

  out('4/6 model     the retrain worker (BullMQ, as `marquee worker` runs it) trains on the Postgres log');
  const result = await runModelStep({ ...base, timeoutMs: 600_000 });
  for (const line of describeRetrain(result)) out(`    ${line}`);
  const active = await readActiveVersion(redis, keys);
  if (active === null) {
    out('    no model is active, so there is nothing to serve: see the log');
    return 1;
  }
  if (result.status !== 'active') out(`    the API keeps serving model ${active}`);
  // The actors poll model:active every 2 s; move them now so the new user's ratings land in it.
  await interrupt.race(stream.space.refresh());

  const port = (ctx.env['API_PORT'] ?? '').trim() === '' ? 0 : config.api.port;
  const api = await startDemoApi({ config, dataset, interrupt, running, log, port });
  out(
    `5/6 serving   the API at ${api.base}: GET /recommend/<user> (the course's route), /v1/users/<user>/recommendations`,
  );
  const label = titleLabeller(dataset);
  const { minor, adult } = pickShowcaseUsers(dataset.users, counts);
  const newUser = await interrupt.race(unseenUserId(dataset, pool, redis, keys));
  const loaded = await waitUntil(
    async () => (await api.recommendations(newUser)).modelVersion === active,
    10_000,
    100,
    interrupt.signal,
  );
  if (!loaded.ok) out(`    (the API has not loaded model ${active} yet: the lists below may be older)`);
  const owners = [
    ...(minor === undefined ? [] : [ownerOf('minor', minor)]),
    ...(adult === undefined ? [] : [ownerOf('adult', adult)]),
  ];
  if (owners.length < 2) out('    (this dataset has no ages: no minor and adult to compare)');
  let example: { userId: string; ids: string[] } | undefined;
  for (const owner of owners) {
    const ids = await showList(api, owner, label, out);
    example ??= { userId: owner.userId, ids };
  }
  const newOwner = {
    label: 'new',
    userId: newUser,
    about: 'never seen; age unknown, so guarded as a child',
  } as const;
  const before = await showList(api, newOwner, label, out);
  if (example !== undefined)
    out(
      `    e.g. GET /recommend/${example.userId} → ${example.ids.slice(0, 3).join(',')},… (${example.ids.length} ids)`,
    );

  out(
    `6/6 learning  user ${newUser} rates five movies they were shown (POST /v1/ratings → user-events → their actor)`,
  );
  const changed = await rateAndWatch(api, newUser, before, label, {
    interrupt,
    out,
    timeoutMs: ctx.changeTimeout * 1000,
  });
  return changed ? 0 : 1;
}
