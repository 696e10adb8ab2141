/**
 * The user-actor stage of a partition task: unpacks and decodes user events, activates their users,
 * moves users whose state lives in another model version onto the batch's version (replaying their
 * ratings after its watermark), fetches the current factors of the rated movies in that version (one
 * pipeline per batch: the staleness the user/movie split accepts, see docs/actors.md), runs each
 * user's mailbox through the pure transition and turns the outputs into movie-events records and one
 * batch of Redis writes.
 */
import type { Redis } from 'ioredis';
import { packByPartition, type Keyed, type PartitionOf } from '../../streams/event-pack.ts';
import { fastUserEvent, userEventSchema, type UserEvent } from '../../streams/events.ts';
import type { Stage, StagedBatch, StreamRecord } from '../../streams/tasks/stage.ts';
import type { Topics } from '../../streams/topics.ts';
import type { RedisKeys } from '../../src/store/redis-keys.ts';
import { readMovieFactors, type MovieFactors } from '../../src/state/movie-state.ts';
import {
  flushHistory,
  flushRecent,
  flushUser,
  loadUsers,
  readRecent,
  type StoredRecent,
} from '../../src/state/user-state.ts';
import { WriteBatch } from '../../src/state/write-batch.ts';
import { cohortOf } from '../../src/store/popular-lists.ts';
import { BoardAdditions } from '../popular-boards.ts';
import { activateFor, runTurns, sortIntoMailboxes, stagedBatch } from '../runtime/actor-stage.ts';
import type { ActorRegistry } from '../runtime/registry.ts';
import { encodeMovieMessage, type SourceRef } from '../messages.ts';
import type { ModelSpace, ModelSpaceSource } from '../model-space.ts';
import { newMovieState } from '../movie/movie-actor.ts';
import { newUserState, rebaseUser, receiveUserEvent, type UserOutput, type UserState } from './user-actor.ts';
import type { StreamExperimentSource } from '../experiment-arms.ts';
import { onlineEval } from './online-eval.ts';

/** What the user stage needs. */
export interface UserStageDeps {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly topics: Topics;
  /** The model version each batch runs in. */
  readonly space: ModelSpaceSource;
  readonly registry: ActorRegistry<UserState>;
  /** Where a movie id's events go on movie-events. */
  readonly moviePartition: PartitionOf;
  /** The running A/B experiment, whose arms predict every rating of their exposed users (absent: none). */
  readonly experiments?: StreamExperimentSource;
}

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

/** The user stage: one per process, shared by the user group's partition tasks. */
export function createUserStage(deps: UserStageDeps): Stage {
  const { keys, topics, registry } = deps;
  const movieFactors = (space: ModelSpace, ids: readonly string[]) =>
    readMovieFactors(deps.redis, keys, ids, space.options.factors, space.version, (i) =>
      newMovieState(i, space.options),
    );
  /**
   * Moves the users of `states` that live in another version onto `space`, replaying their recent
   * ratings after its watermark; returns each moved user's state before the move (what Redis holds).
   */
  async function rebase(space: ModelSpace, partition: number, states: Map<string, UserState>) {
    const moved = new Map<string, UserState>();
    const stale = [...states.values()].filter((s) => s.version !== space.version);
    if (stale.length === 0) return moved;
    const recent = await readRecent(
      deps.redis,
      keys,
      stale.map((s) => s.userId),
    );
    const movies = new Set<string>();
    for (const list of recent.values()) for (const r of list) movies.add(r.movieId);
    const views = await movieFactors(space, [...movies]);
    const after = space.watermarkOf(partition);
    for (const old of stale) {
      const next = rebaseUser(
        old,
        recent.get(old.userId) ?? [],
        after,
        (m) => views.get(m) as MovieFactors,
        space.options,
      );
      states.set(old.userId, next);
      moved.set(old.userId, old);
    }
    return moved;
  }
  return {
    async start() {},
    stop(_topic, partition) {
      registry.dropPartition(partition);
    },
    async process(topic, partition, records: readonly StreamRecord[], traced): Promise<StagedBatch> {
      const space = deps.space.current();
      const model = space.options;
      const evaluation = onlineEval(deps.experiments?.current() ?? null, space, keys);
      const rated = new Set<string>();
      const mailboxes = sortIntoMailboxes(topic, partition, records, decodeUserEvent, (event, source) => {
        if (event.type === 'rate') rated.add(event.movieId);
        return { key: event.userId, message: { event, source } satisfies Delivery };
      });
      const [states, views] = await Promise.all([
        activateFor(registry, mailboxes, partition, (ids) =>
          loadUsers(deps.redis, keys, ids, model.factors, (u) => newUserState(u, model)),
        ),
        movieFactors(space, [...rated]),
      ]);
      const moved = await rebase(space, partition, states);
      const movieMessages: { source: SourceRef; message: Keyed }[] = [];
      const w = new WriteBatch();
      /** The batch's history additions per user, as ZADD's score-member pairs (one write per user). */
      let history: (number | string)[] = [];
      /** The batch's ratings of the user whose turns run now, kept for a version change. */
      let recent: StoredRecent[] = [];
      /** Ratings per star (index 0 = 1 star) of titles in the rater's last served list, and of the others. */
      const servedRatings = [0, 0, 0, 0, 0];
      const organicRatings = [0, 0, 0, 0, 0];
      /** The batch's started views on the popularity boards (ratings are the movie stage's). */
      const boards = new BoardAdditions();
      const apply = (user: UserState, out: UserOutput): void => {
        if (out.kind === 'movie') {
          const m = out.message;
          if (m.type === 'rate')
            recent.push({ movieId: m.movieId, rating: m.rating, at: m.at, source: m.source });
          const source = out.message.source;
          movieMessages.push({
            source,
            message: {
              key: out.message.movieId,
              value: encodeMovieMessage(out.message),
              // A traced rating's movie event continues its trace into the movie actor.
              traceparent: traced?.parentOf(source.offset, source.index),
            },
          });
        } else if (out.kind === 'history') {
          history.push(out.at, out.movieId);
        } else if (out.kind === 'popular') {
          // The cohort as of this turn: a profile earlier in the same batch counts.
          const cohort = cohortOf(user.age, user.gender);
          boards.addTakeUp({ movieId: out.movieId, cohort, at: out.at, served: out.served }, model);
        } else if (out.kind === 'rating') {
          (out.served ? servedRatings : organicRatings)[out.rating - 1]! += 1;
        }
      };
      runTurns(
        mailboxes,
        states,
        (state, { event, source }) => {
          const view = event.type === 'rate' ? views.get(event.movieId) : undefined;
          if (event.type === 'rate' && view !== undefined) evaluation.observe(state, event, view);
          const turn = receiveUserEvent(state, event, view, source, model);
          for (const out of turn.outputs) apply(turn.state, out);
          return turn.state;
        },
        (userId, state, before) => {
          flushUser(state, keys, w, moved.get(userId) ?? before);
          flushHistory(keys, w, userId, history, state.ratings + state.watches, model.historyMax);
          flushRecent(keys, w, userId, recent);
          history = [];
          recent = [];
        },
      );
      boards.flush(keys, w);
      for (const [origin, counts] of [
        ['served', servedRatings],
        ['organic', organicRatings],
      ] as const)
        counts.forEach((n, j) => n > 0 && w.hincrby(keys.ratingHistogramOf(origin), String(j + 1), n));
      evaluation.flush(w);
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
      if (mailboxes.deadLetters.length > 0)
        outputs.push({ topic: topics.deadLetter, messages: mailboxes.deadLetters });
      return stagedBatch(registry, partition, states, outputs, w);
    },
  };
}
