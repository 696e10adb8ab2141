/**
 * Loads the Lua scripts beside this file and runs them by SHA (EVALSHA), falling back to EVAL when the
 * server does not have the script (after a restart or SCRIPT FLUSH). Scripts are named for their
 * contract and open with a KEYS/ARGV/returns header.
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** A Lua script bound to a client. */
export interface LuaScript {
  readonly name: string;
  /** Runs the script; arguments may be binary (Buffers). */
  run(keys: readonly string[], args: readonly (string | Buffer | number)[]): Promise<unknown>;
}

/** The text of `src/state/lua/<name>.lua`. */
export function luaSource(name: string): string {
  return readFileSync(new URL(`./${name}.lua`, import.meta.url), 'utf8');
}

/** Binds the script `<name>.lua` to `redis`. */
export function loadScript(redis: Redis, name: string): LuaScript {
  const source = luaSource(name);
  const sha = createHash('sha1').update(source).digest('hex');
  return {
    name,
    async run(keys, args) {
      try {
        return await redis.evalsha(sha, keys.length, ...keys, ...args);
      } catch (error) {
        if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
        return redis.eval(source, keys.length, ...keys, ...args);
      }
    },
  };
}
