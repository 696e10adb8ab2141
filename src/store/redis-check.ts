/**
 * Checking a Redis before relying on it. ioredis retries for ever by default (BullMQ's connections
 * never give up a command, by design) and prints each failure without an error listener as an
 * "Unhandled error event" with a stack, so a one-shot command against a Redis that is down or
 * refuses the password used to hang or spill stacks. A one-shot command checks first and fails in
 * seconds with one line; a long-running role keeps reconnecting to a Redis that is down (it may come
 * back) but stops on a refused password, which no retry can fix.
 */
import type { Redis, RedisOptions } from 'ioredis';
import type { Config } from '../../config/load-config.ts';
import { redactUrls } from '../../config/redact.ts';
import { createRedisClient } from './redis-client.ts';

/** Whether waiting may help: `unreachable` (down, not listening, no answer) may pass, `password` never does. */
export type RedisProblemKind = 'unreachable' | 'password';

/** Redis cannot be used; the message is one line for the user and never holds the password. */
export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
  constructor(
    readonly kind: RedisProblemKind,
    message: string,
  ) {
    super(message);
  }
}

/** Where `config`'s Redis is, for messages: `redis at host:port` (or the cluster's seed nodes). */
export function redisWhere(config: Pick<Config, 'redis'>): string {
  const nodes = config.redis.clusterNodes;
  if (nodes !== undefined) return `redis cluster at ${nodes.join(',')}`;
  const url = new URL(config.redis.url);
  return `redis at ${url.hostname}:${url.port || '6379'}`;
}

const passwordRefused = /WRONGPASS|invalid password|invalid username-password/i;
const passwordMissing = /NOAUTH|Authentication required/i;

/**
 * What `error`, from a client of `config`'s Redis, says about that Redis in one line, or undefined
 * when it says nothing about reaching it (a command's own error).
 */
export function redisProblem(
  config: Pick<Config, 'redis'>,
  error: unknown,
): RedisUnavailableError | undefined {
  if (!(error instanceof Error)) return undefined;
  if (passwordRefused.test(error.message))
    return new RedisUnavailableError('password', 'redis refused the password (REDIS_PASSWORD)');
  if (passwordMissing.test(error.message))
    return new RedisUnavailableError(
      'password',
      `${redisWhere(config)} asks for a password: set REDIS_PASSWORD`,
    );
  const { code, syscall } = error as NodeJS.ErrnoException;
  if (code !== undefined && /^E[A-Z]+$/.test(code))
    return new RedisUnavailableError(
      'unreachable',
      `${redisWhere(config)} is not reachable: ${syscall ?? 'connect'} ${code}`,
    );
  if (/None of startup nodes is available/.test(error.message))
    return new RedisUnavailableError(
      'unreachable',
      `${redisWhere(config)} is not reachable: no seed node answers`,
    );
  // A cluster client that reached no node keeps the last node's error.
  const lastNodeError = (error as { lastNodeError?: unknown }).lastNodeError;
  return lastNodeError === undefined ? undefined : redisProblem(config, lastNodeError);
}

/**
 * PINGs `config`'s Redis on a connection of its own that never retries; throws a
 * RedisUnavailableError within about `timeoutMs` when Redis cannot be used.
 */
export async function checkRedis(config: Pick<Config, 'redis'>, timeoutMs = 5_000): Promise<void> {
  const probe = createRedisClient(config, {
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // The error that says why (a cluster's last "Failed to refresh slots cache" says less than the
  // node's ECONNREFUSED before it).
  let last: unknown;
  const remember = (error: unknown) => {
    if (last === undefined || redisProblem(config, error) !== undefined) last = error;
  };
  probe.on('error', remember);
  probe.on('node error', remember);
  let timer: NodeJS.Timeout | undefined;
  const silent = new Error(`no answer within ${timeoutMs / 1000} s`);
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(silent), timeoutMs);
  });
  try {
    await Promise.race([probe.ping(), timeout]);
  } catch (error) {
    // A refused password says more than the closed connection or the unreachable cluster it led to.
    const problems = [redisProblem(config, last), redisProblem(config, error)];
    const problem = problems.find((p) => p?.kind === 'password') ?? problems.find((p) => p !== undefined);
    if (problem !== undefined) throw problem;
    const why = [error, last]
      .filter((e) => e !== undefined)
      .map((e) => (e instanceof Error ? e.message : String(e)))
      .join('; ');
    throw new RedisUnavailableError(
      'unreachable',
      `${redisWhere(config)} cannot be used: ${redactUrls(why)}`,
    );
  } finally {
    clearTimeout(timer);
    probe.disconnect();
  }
}

/**
 * A client for a one-shot command, after {@link checkRedis}. A later failure reaches the command
 * whose call it fails (at most `maxRetriesPerRequest` retries), so the client's error events are
 * not printed again as "Unhandled error event" stacks.
 */
export async function connectRedis(
  config: Pick<Config, 'redis'>,
  options: RedisOptions = {},
): Promise<Redis> {
  await checkRedis(config);
  const redis = createRedisClient(config, { maxRetriesPerRequest: 2, ...options });
  redis.on('error', () => undefined);
  return redis;
}

/**
 * For a role that cannot start without Redis (the stream reads its actors' offsets first): checks
 * every `everyMs` until Redis answers, telling `log` once it does not yet; throws on a refused password.
 */
export async function waitForRedis(
  config: Pick<Config, 'redis'>,
  log: (line: string) => void,
  everyMs = 2_000,
): Promise<void> {
  let told = '';
  for (;;) {
    const down = await checkRedisForRole(config);
    if (down === undefined) {
      if (told !== '') log(`${redisWhere(config)} answers now`);
      return;
    }
    if (down.message !== told) log(`${down.message}; waiting until it answers`);
    told = down.message;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/**
 * For a role that outlives Redis restarts (stream, worker, api): throws on a refused password, and
 * returns the problem when Redis is only unreachable for now, for the role to log and reconnect.
 */
export async function checkRedisForRole(
  config: Pick<Config, 'redis'>,
  timeoutMs = 5_000,
): Promise<RedisUnavailableError | undefined> {
  try {
    await checkRedis(config, timeoutMs);
    return undefined;
  } catch (error) {
    if (error instanceof RedisUnavailableError && error.kind === 'unreachable') return error;
    throw error;
  }
}
