/**
 * The movie-actor stage of a partition task: unpacks and decodes movie events, drops replays by
 * per-source watermark (highest source position applied, per user-events partition, stored with the
 * state),
 * runs each movie's mailbox through the pure transition, and writes states, boards and the rating
 * distribution in the batch's one atomic commit.
 */
import type { Redis } from 'ioredis';
import type { Position } from '../../streams/events.ts';
import type { Stage, StagedBatch } from '../../streams/tasks/stage.ts';
import type { Topics } from '../../streams/topics.ts';
import type { RedisKeys } from '../../src/store/redis-keys.ts';
import { flushMovie, loadMovies } from '../../src/state/movie-state.ts';
import { formatPosition, type OffsetStore } from '../../src/state/offset-store.ts';
import { WriteBatch } from '../../src/state/write-batch.ts';
import { activateFor, runTurns, sortIntoMailboxes, stagedBatch } from '../runtime/actor-stage.ts';
import type { ActorRegistry } from '../runtime/registry.ts';
import { decodeMovieMessage, isAfter, type MovieMessage } from '../messages.ts';
import type { ModelSpaceSource } from '../model-space.ts';
import { newMovieState, rebaseMovie, receiveMovieMessage, type MovieState } from './movie-actor.ts';
import { BoardAdditions } from '../popular-boards.ts';

/** What the movie stage needs. */
export interface MovieStageDeps {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly topics: Topics;
  readonly offsets: OffsetStore;
  /** The model version each batch runs in. */
  readonly space: ModelSpaceSource;
  readonly registry: ActorRegistry<MovieState>;
}

/** Day leaderboards (`watched:<day>`, `rated:<day>`) live this long after their last write. */
const DAY_BOARD_TTL_MS = 8 * 24 * 3600 * 1000;

/** Movie events dropped as replays, and ratings over a movie's daily cap, since start (for metrics). */
export interface MovieStageStats {
  replaysDropped: number;
  /** Ratings counted but not learned because their movie's daily cap was spent (committed batches). */
  capHits: number;
  /** Titles flagged as pushed on a day (src/guardrails/push-ratings.ts; committed batches). */
  pushedTitles: number;
}

/** The movie stage: one per process, shared by the movie group's partition tasks. */
export function createMovieStage(deps: MovieStageDeps): Stage & { readonly stats: MovieStageStats } {
  const { keys, topics, registry, offsets } = deps;
  const watermarks = new Map<number, Map<string, Position>>();
  const stats: MovieStageStats = { replaysDropped: 0, capHits: 0, pushedTitles: 0 };
  return {
    stats,
    async start(topic, partition) {
      watermarks.set(partition, await offsets.readWatermarks(topic, partition));
    },
    stop(_topic, partition) {
      watermarks.delete(partition);
      registry.dropPartition(partition);
    },
    async process(topic, partition, records): Promise<StagedBatch> {
      const applied = watermarks.get(partition);
      if (applied === undefined) throw new Error(`movie task ${partition} processed before it started`);
      const moved = new Map<string, Position>();
      let space = deps.space.current();
      const model = space.options;
      let otherVersion = false;
      const decode = (text: string): MovieMessage | string => {
        const m = decodeMovieMessage(text);
        return typeof m !== 'string' && m.type === 'rate' && m.p.length !== model.factors
          ? 'wrong vector length'
          : m;
      };
      const mailboxes = sortIntoMailboxes(topic, partition, records, decode, (m) => {
        const source = `${m.source.topic}:${m.source.partition}`;
        if (!isAfter(m.source, moved.get(source) ?? applied.get(source))) {
          stats.replaysDropped++;
          return undefined;
        }
        moved.set(source, m.source);
        if (m.type === 'rate' && m.v !== space.version) otherVersion = true;
        return { key: m.movieId, message: m };
      });
      // A user actor in a version this process has not loaded yet (it was published a moment ago):
      // load it before the batch, or every rating of it would be counted and not learned.
      if (otherVersion) space = await deps.space.refresh();
      const states = await activateFor(registry, mailboxes, partition, (ids) =>
        loadMovies(deps.redis, keys, ids, space.options.factors, (i) => newMovieState(i, space.options)),
      );
      /** Movies moved onto the batch's version, with their state before the move (what Redis holds). */
      const rebased = new Map<string, MovieState>();
      for (const [movieId, state] of states)
        if (state.version !== space.version) {
          rebased.set(movieId, state);
          states.set(movieId, rebaseMovie(state, space.options));
        }
      const w = new WriteBatch();
      const boards = new Map<string, Map<string, number>>();
      const histogram = [0, 0, 0, 0, 0];
      /** The batch's ratings on the popularity boards serving reads (started views are the user stage's). */
      const popular = new BoardAdditions();
      /** The popularity score of the actor whose turns run now (flushed with it). */
      let score: number | undefined;
      let capHits = 0;
      let pushedTitles = 0;
      const bump = (board: string, member: string) => {
        const b = boards.get(board) ?? new Map<string, number>();
        boards.set(board, b.set(member, (b.get(member) ?? 0) + 1));
      };
      runTurns(
        mailboxes,
        states,
        (state, m, movieId) => {
          const turn = receiveMovieMessage(state, m, space.options);
          for (const out of turn.outputs) {
            if (out.kind === 'popularity') score = out.score;
            else if (out.kind === 'popular') popular.addTakeUp({ movieId, ...out }, space.options);
            else if (out.kind === 'histogram') histogram[out.rating - 1]! += 1;
            else {
              if (out.kind === 'capped') capHits++;
              if (out.kind === 'pushed' && out.flagged) pushedTitles++;
              bump(`${out.kind}:${out.day}`, movieId);
            }
          }
          return turn.state;
        },
        (movieId, state, before) => {
          flushMovie(state, keys, w, rebased.get(movieId) ?? before);
          if (score !== undefined) w.zadd(keys.leaderboard('popularity'), score, movieId);
          score = undefined;
        },
      );
      for (const [board, members] of boards) {
        for (const [movieId, n] of members) w.zincrby(keys.leaderboard(board), n, movieId);
        w.pexpire(keys.leaderboard(board), DAY_BOARD_TTL_MS);
      }
      popular.flush(keys, w);
      histogram.forEach((n, j) => n > 0 && w.hincrby(keys.ratingHistogram(), String(j + 1), n));
      if (moved.size > 0) {
        const stored = [...moved].map(([source, p]) => [source, formatPosition(p)]);
        w.hset(offsets.watermarksKey(topic, partition), Object.fromEntries(stored));
      }
      const outputs =
        mailboxes.deadLetters.length > 0
          ? [{ topic: topics.deadLetter, messages: mailboxes.deadLetters }]
          : [];
      return stagedBatch(registry, partition, states, outputs, w, () => {
        stats.capHits += capHits;
        stats.pushedTitles += pushedTitles;
        for (const [source, position] of moved) applied.set(source, position);
      });
    },
  };
}
