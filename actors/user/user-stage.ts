/**
 * The user-actor stage of a partition task: unpacks and decodes user events, activates their users, fetches the
 * current factors of the rated movies (one pipeline per batch: the staleness the user/movie split
 * accepts, see docs/actors.md), runs each user's mailbox through the pure transition and turns the
 * outputs into movie-events records and one batch of Redis writes.
 */
import type { Redis } from 'ioredis';
import type { Message } from 'kafkajs';
import { packByPartition, readPack, type Keyed, type PartitionOf } from '../../streams/event-pack.ts';
import { fastUserEvent, userEventSchema, type UserEvent } from '../../streams/events.ts';
import type { Stage, StagedBatch, StreamRecord } from '../../streams/tasks/partition-task.ts';
import type { Topics } from '../../streams/topics.ts';
import type { RedisKeys } from '../../src/store/redis-keys.ts';
import { Mailbox } from '../runtime/mailbox.ts';
import { encodeMovieMessage, type SourceRef } from '../messages.ts';
import type { StreamModelOptions } from '../model-options.ts';
import { newMovieState } from '../movie/movie-actor.ts';
import type { ActorRegistry } from '../runtime/registry.ts';
import { receiveUserEvent, type MovieView, type UserOutput, type UserState } from './user-actor.ts';
import { flushUser, loadUsers, vectorFromBytes } from '../../src/state/user-state.ts';
import { WriteBatch } from '../../src/state/write-batch.ts';

/** What the user stage needs. */
export interface UserStageDeps {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly topics: Topics;
  readonly model: StreamModelOptions;
  readonly registry: ActorRegistry<UserState>;
  /** Where a movie id's events go on movie-events. */
  readonly moviePartition: PartitionOf;
}

/** Score-member pairs per ZADD in the commit script. */
const HISTORY_PAIRS_PER_WRITE = 500;

interface Delivery {
  readonly event: UserEvent;
  readonly source: SourceRef;
}

/** Decodes one user event (one line of a user-events pack), or says why it cannot be used. */
export function decodeUserEvent(line: string): UserEvent | string {
  if (line === '') return 'empty event';
  try {
    const json: unknown = JSON.parse(line);
    const fast = fastUserEvent(json);
    if (fast !== undefined) return fast;
    const parsed = userEventSchema.safeParse(json);
    return parsed.success ? parsed.data : `invalid user event: ${parsed.error.issues[0]?.message ?? '?'}`;
  } catch {
    return 'not JSON';
  }
}

async function movieViews(deps: UserStageDeps, ids: readonly string[]): Promise<Map<string, MovieView>> {
  const pipeline = deps.redis.pipeline();
  for (const i of ids) {
    pipeline.hget(deps.keys.movieState(i), 'bias');
    pipeline.getBuffer(deps.keys.movieFactors(i));
  }
  const replies = (await pipeline.exec()) ?? [];
  const views = new Map<string, MovieView>();
  ids.forEach((i, j) => {
    const [e1, bias] = replies[2 * j] ?? [];
    const [e2, bytes] = replies[2 * j + 1] ?? [];
    if (e1 ?? e2) throw e1 ?? e2;
    const stored = vectorFromBytes(bytes as Buffer | null, deps.model.factors);
    // Not written yet: the movie actor will start from exactly this (trained or seeded) state.
    const fresh = stored === null || bias == null ? newMovieState(i, deps.model) : undefined;
    views.set(i, {
      bias: bias == null ? (fresh?.bias ?? 0) : Number(bias),
      vector: stored ?? (fresh?.vector as Float32Array),
    });
  });
  return views;
}

/** The user stage: one per process, shared by the user group's partition tasks. */
export function createUserStage(deps: UserStageDeps): Stage {
  const { keys, topics, model, registry } = deps;
  return {
    async start() {},
    stop(_topic, partition) {
      registry.dropPartition(partition);
    },
    async process(topic, partition, records: readonly StreamRecord[]): Promise<StagedBatch> {
      const deadLetters: Message[] = [];
      const mailboxes = new Map<string, Mailbox<Delivery>>();
      const rated = new Set<string>();
      for (const r of records) {
        const at = { topic, partition, offset: r.offset };
        readPack(
          r.value,
          at,
          decodeUserEvent,
          (event, index) => {
            if (event.type === 'rate') rated.add(event.movieId);
            let box = mailboxes.get(event.userId);
            if (box === undefined) mailboxes.set(event.userId, (box = new Mailbox()));
            box.post({ event, source: { ...at, index } });
          },
          deadLetters,
        );
      }
      const [states, views] = await Promise.all([
        registry.activateAll(mailboxes.keys(), partition, (ids) => loadUsers(deps.redis, keys, ids, model)),
        movieViews(deps, [...rated]),
      ]);
      const movieMessages: { source: SourceRef; message: Keyed }[] = [];
      const w = new WriteBatch();
      /** The batch's history additions per user, as ZADD's score-member pairs (one write per user). */
      let history: (number | string)[] = [];
      const evals = new Map<string, { n: number; sum: number; sumSquares: number }>();
      const apply = (userId: string, out: UserOutput): void => {
        if (out.kind === 'movie') {
          movieMessages.push({
            source: out.message.source,
            message: { key: out.message.movieId, value: encodeMovieMessage(out.message) },
          });
        } else if (out.kind === 'history') {
          history.push(out.at, out.movieId);
        } else {
          const e = evals.get(out.arm) ?? { n: 0, sum: 0, sumSquares: 0 };
          evals.set(out.arm, {
            n: e.n + 1,
            sum: e.sum + out.residual,
            sumSquares: e.sumSquares + out.residual ** 2,
          });
        }
      };
      for (const [userId, box] of mailboxes) {
        const before = states.get(userId) as UserState;
        let state = before;
        box.drainSync(({ event, source }) => {
          const view = event.type === 'rate' ? views.get(event.movieId) : undefined;
          const turn = receiveUserEvent(state, event, view, source, model);
          state = turn.state;
          for (const out of turn.outputs) apply(userId, out);
        });
        states.set(userId, state);
        flushUser(state, keys, w, before);
        // Chunked: the commit script unpacks a write's arguments onto Lua's stack (≈ 8,000 slots).
        for (let k = 0; k < history.length; k += HISTORY_PAIRS_PER_WRITE * 2)
          w.zadd(keys.userHistory(userId), ...history.slice(k, k + HISTORY_PAIRS_PER_WRITE * 2));
        history = [];
        // The history holds at most one entry per rating or watch: no trim needed below the bound.
        if (state.ratings + state.watches > model.historyMax)
          w.zkeepTop(keys.userHistory(userId), model.historyMax);
      }
      for (const [arm, e] of evals) {
        w.hincrby(keys.onlineEval(arm), 'n', e.n);
        w.hincrbyfloat(keys.onlineEval(arm), 'sum', e.sum);
        w.hincrbyfloat(keys.onlineEval(arm), 'sumSquares', e.sumSquares);
      }
      // Per source partition, movie events must leave in source order: the movie side's replay
      // filter drops anything at or before the highest position it applied.
      movieMessages.sort((a, b) => a.source.offset - b.source.offset || a.source.index - b.source.index);
      const outputs = [];
      if (movieMessages.length > 0) {
        const packs = packByPartition(
          movieMessages.map((m) => m.message),
          deps.moviePartition,
        );
        outputs.push({ topic: topics.movieEvents, messages: packs });
      }
      if (deadLetters.length > 0) outputs.push({ topic: topics.deadLetter, messages: deadLetters });
      return {
        outputs,
        writes: w,
        committed() {
          for (const [userId, state] of states) registry.set(userId, state, partition);
        },
        aborted() {
          registry.drop(states.keys());
        },
      };
    },
  };
}
