/**
 * The state writes of one batch, collected for the `commitBatch` Lua script (src/store/lua): every
 * actor flush and board increment of a batch lands in Redis in one atomic call with the offset.
 * Keys are deduplicated into KEYS; each write is `command, key index, argument count, arguments`.
 */
type Arg = string | Buffer | number;

/** A batch of Redis writes for `commitBatch`. */
export class WriteBatch {
  /** KEYS[2..] of the script (KEYS[1] is the offset key). */
  readonly keys: string[] = [];
  /** ARGV[3..] of the script. */
  readonly args: Arg[] = [];
  readonly #index = new Map<string, number>();
  #writes = 0;

  /** Writes so far. */
  get size(): number {
    return this.#writes;
  }

  #write(command: string, key: string, ...args: Arg[]): void {
    let index = this.#index.get(key);
    if (index === undefined) {
      this.keys.push(key);
      index = this.keys.length + 1;
      this.#index.set(key, index);
    }
    this.args.push(command, index, args.length, ...args);
    this.#writes++;
  }

  /** SET key value (binary values as Buffers). */
  set(key: string, value: Buffer | string): void {
    this.#write('SET', key, value);
  }

  /** HSET key field value … */
  hset(key: string, fields: Readonly<Record<string, string | number>>): void {
    this.#write('HSET', key, ...Object.entries(fields).flat());
  }

  /** HINCRBY key field by. */
  hincrby(key: string, field: string, by: number): void {
    this.#write('HINCRBY', key, field, by);
  }

  /** HINCRBYFLOAT key field by. */
  hincrbyfloat(key: string, field: string, by: number): void {
    this.#write('HINCRBYFLOAT', key, field, by);
  }

  /** ZADD key score member [score member …]: one write for many members (applied in order). */
  zadd(key: string, ...scoreMembers: (number | string)[]): void {
    this.#write('ZADD', key, ...scoreMembers);
  }

  /** ZINCRBY key by member. */
  zincrby(key: string, by: number, member: string): void {
    this.#write('ZINCRBY', key, by, member);
  }

  /** Keeps the `keep` highest-scored members of a sorted set. */
  zkeepTop(key: string, keep: number): void {
    this.#write('ZREMRANGEBYRANK', key, 0, -(keep + 1));
  }

  /** RPUSH key value … */
  rpush(key: string, ...values: string[]): void {
    this.#write('RPUSH', key, ...values);
  }

  /** Keeps the last `keep` elements of a list. */
  ltrimLast(key: string, keep: number): void {
    this.#write('LTRIM', key, -keep, -1);
  }

  /** SADD key member … */
  sadd(key: string, ...members: string[]): void {
    this.#write('SADD', key, ...members);
  }

  /** DEL key. */
  del(key: string): void {
    this.#write('DEL', key);
  }

  /** PEXPIRE key ms. */
  pexpire(key: string, ms: number): void {
    this.#write('PEXPIRE', key, ms);
  }

  /** PERSIST key: removes a key's time to live. */
  persist(key: string): void {
    this.#write('PERSIST', key);
  }
}
