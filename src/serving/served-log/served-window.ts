/**
 * The served window: exposure per title over the last 24 hours, kept incrementally so the live
 * signals read one board, not a union of 24 (ZUNION of 24 boards of 10,000 titles took Redis
 * ≈ 6.6 ms of CPU and the API's event loop tens of ms to parse, every read). Each served count
 * goes to the hour's board, the hour's total and the window board; once an hour, whoever reads
 * first subtracts the hour that left the window (one Lua call, compare-and-set on the last hour
 * rolled, so two API processes never subtract it twice). Its keys share one hash tag (redis-keys.ts),
 * so on Redis Cluster the roll and the total's MGET name one slot; the all-time `served` board is
 * apart and counted beside them, as on one Redis (the pipeline is not atomic on either).
 */
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../../store/redis-keys.ts';

const HOUR_MS = 3_600_000;

/** Hours in the window: the current one and the 23 before it. */
export const WINDOW_HOURS = 24;

/** Hourly boards and totals live this long: past the window, with room for a late roll. */
export const SERVED_HOUR_TTL_MS = 26 * HOUR_MS;

/** Hours since the epoch of `at`. */
export const hourOf = (at: number): number => Math.floor(at / HOUR_MS);

/**
 * Adds served counts per movie to the all-time served leaderboard, the hour's board and total, and
 * the window board, in one pipeline (needs only Redis).
 */
export async function countServed(
  redis: Redis,
  keys: RedisKeys,
  counts: ReadonlyMap<string, number>,
  now = Date.now(),
): Promise<void> {
  const pipeline = redis.pipeline();
  const hour = keys.servedHour(hourOf(now));
  const window = keys.servedWindow();
  const total = keys.servedHourTotal(hourOf(now));
  let slots = 0;
  for (const [id, n] of counts) {
    pipeline.zincrby(keys.leaderboard('served'), n, id);
    pipeline.zincrby(hour, n, id);
    pipeline.zincrby(window, n, id);
    slots += n;
  }
  pipeline.incrby(total, slots);
  for (const key of [hour, total, window]) pipeline.pexpire(key, SERVED_HOUR_TTL_MS);
  await pipeline.exec();
}

/**
 * rollServedWindow: KEYS[1] the window board, KEYS[2] the last hour rolled, KEYS[3..] the hourly
 * boards leaving the window; ARGV[1] the last hour rolled as the caller read it ('' for none),
 * ARGV[2] the hour rolled to, ARGV[3] the TTL (ms). Returns the boards subtracted, or -1 when
 * another caller rolled first (nothing done).
 */
const ROLL_SCRIPT = `
local last = redis.call('GET', KEYS[2])
if (last or '') ~= ARGV[1] then return -1 end
local n = 0
for i = 3, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    redis.call('ZUNIONSTORE', KEYS[1], 2, KEYS[1], KEYS[i], 'WEIGHTS', 1, -1)
    n = n + 1
  end
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', 0)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
return n`;

/**
 * Subtracts from the window board every hour that has left it since the last roll (none recorded:
 * the hours whose boards may still exist). Returns the boards subtracted (-1: another process did).
 */
export async function rollServedWindow(redis: Redis, keys: RedisKeys, now = Date.now()): Promise<number> {
  const to = hourOf(now) - WINDOW_HOURS;
  const last = await redis.get(keys.servedWindowRolled());
  const from = last === null ? to - (SERVED_HOUR_TTL_MS / HOUR_MS - WINDOW_HOURS) : Number(last) + 1;
  if (from > to) return 0;
  const hours = Array.from({ length: to - from + 1 }, (_, k) => keys.servedHour(from + k));
  const result = await redis.eval(
    ROLL_SCRIPT,
    2 + hours.length,
    keys.servedWindow(),
    keys.servedWindowRolled(),
    ...hours,
    last ?? '',
    String(to),
    String(SERVED_HOUR_TTL_MS),
  );
  return Number(result);
}

/** The keys of the window's hourly exposure totals (read with MGET; sum with `sumTotals`). */
export function servedWindowTotalKeys(keys: RedisKeys, now = Date.now()): string[] {
  const hour = hourOf(now);
  return Array.from({ length: WINDOW_HOURS }, (_, k) => keys.servedHourTotal(hour - k));
}

/** The window's exposure total from its hourly totals as MGET returned them. */
export function sumTotals(totals: readonly (string | null)[]): number {
  return totals.reduce((sum, t) => sum + (Number(t) || 0), 0);
}
