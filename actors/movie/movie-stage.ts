/**
 * The movie-actor stage of a partition task: unpacks and decodes movie events, drops replays by
 * per-source watermark (highest source position applied, per user-events partition, stored with the
 * state),
 * runs each movie's mailbox through the pure transition, and writes states, boards and the rating
 * distribution in the batch's one atomic commit.
 */
import type { Redis } from 'ioredis';
import { deadLetterRecord, type Position } from '../../streams/events.ts';
import type { Stage, StagedBatch } from '../../streams/tasks/stage.ts';
import type { Topics } from '../../streams/topics.ts';
import type { RedisKeys } from '../../src/store/redis-keys.ts';
import { flushMovie, loadMovies } from '../../src/state/movie-state.ts';
import { formatPosition, type OffsetStore } from '../../src/state/offset-store.ts';
import { WriteBatch } from '../../src/state/write-batch.ts';
import { activateFor, runTurns, sortIntoMailboxes, stagedBatch } from '../runtime/actor-stage.ts';
import type { ActorRegistry } from '../runtime/registry.ts';
import {
  decodeMovieMessage,
  isAfter,
  type MovieMessage,
  type MovieRatingMessage,
  type SourceRef,
} from '../messages.ts';
import type { ModelSpace, ModelSpaceSource } from '../model-space.ts';
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

/** Why a rating of the batch's version is dead-lettered: its p_u cannot meet that version's q_i. */
function wrongLength(m: MovieRatingMessage, space: ModelSpace): string {
  const version = space.version === '' ? 'the seeded vectors' : `model version ${space.version}`;
  return `wrong vector length: p has ${m.p.length} factors, ${version} has ${space.options.factors}`;
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
      const batchVersion = space.version;
      /** Lines of ratings in another version than the batch's: checked once the batch's version is known. */
      const otherLines = new Map<MovieMessage, string>();
      const otherVersion: {
        readonly m: MovieRatingMessage;
        readonly line: string;
        readonly at: SourceRef;
      }[] = [];
      const decode = (text: string): MovieMessage | string => {
        const m = decodeMovieMessage(text);
        if (typeof m === 'string' || m.type !== 'rate') return m;
        if (m.v !== batchVersion) otherLines.set(m, text);
        else if (m.p.length !== space.options.factors) return wrongLength(m, space);
        return m;
      };
      const mailboxes = sortIntoMailboxes(topic, partition, records, decode, (m, at) => {
        const source = `${m.source.topic}:${m.source.partition}`;
        if (!isAfter(m.source, moved.get(source) ?? applied.get(source))) {
          stats.replaysDropped++;
          return undefined;
        }
        moved.set(source, m.source);
        const line = otherLines.get(m);
        if (line !== undefined && m.type === 'rate') otherVersion.push({ m, line, at });
        return { key: m.movieId, message: m };
      });
      // A user actor in a version this process has not loaded yet (it was published a moment ago):
      // load it before the batch, or every rating of it would be counted and not learned. Only then
      // are those ratings' vectors checked: one of the version the batch now runs in must have its
      // factor count (a rating of any other version is counted without its vector being read), so
      // a factor-count change dead-letters no rating — and loses none of its popularity.
      const corrupt = new Set<MovieMessage>();
      if (otherVersion.length > 0) {
        space = await deps.space.refresh();
        for (const { m, line, at } of otherVersion) {
          if (m.v !== space.version || m.p.length === space.options.factors) continue;
          corrupt.add(m);
          mailboxes.deadLetters.push(deadLetterRecord(line, wrongLength(m, space), at));
        }
      }
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
          if (corrupt.has(m)) return state;
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
          // Only dead-lettered ratings reached it: Redis holds it as it is (or, new, not at all).
          if (state === before && !rebased.has(movieId)) return;
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
