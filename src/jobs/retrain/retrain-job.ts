/**
 * One retrain, end to end: read the rating log in one snapshot (with its watermark), build the
 * training set (daily cap, latest rating per pair), fit a candidate on all but the latest ratings and
 * score it against the active model on them, and — if the gate lets it through — refit on every
 * rating and publish it with the movies' metadata, atomically flipping `model:active`. Every attempt
 * is recorded in `model_versions`; a failure anywhere leaves the active model as it was.
 */
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { decodeArtifact } from '../../model/artifact.ts';
import {
  deleteModelVersion,
  publishModel,
  readActiveVersion,
  readArtifactBytes,
} from '../../store/model-store.ts';
import {
  markActive,
  markRetired,
  openAttempt,
  readVersion,
  recordAttempt,
  versionsBeyond,
} from '../../store/postgres/model-versions.ts';
import { versionsInExperiments } from '../../store/postgres/experiments.ts';
import { readRatingSnapshot, usersRatedAfter } from '../../store/postgres/rating-log.ts';
import { readCatalogue } from '../../store/postgres/reference-data.ts';
import type { RedisKeys } from '../../store/redis-keys.ts';
import type { Evaluation, FitProgress } from './fit-candidate.ts';
import { evaluateInThread, refitInThread } from './fit-in-thread.ts';
import { decideGate, type GateDecision } from './gate.ts';
import { buildTrainingSet } from './training-set.ts';

/** The stages of a retrain, in order. */
export const RETRAIN_STAGES = ['read', 'build', 'train', 'evaluate', 'refit', 'publish'] as const;
/** One stage of a retrain. */
export type RetrainStage = (typeof RETRAIN_STAGES)[number];

/** Share of a typical run's time per stage (bench:retrain, 1M ratings), for the overall fraction and ETA. */
const WEIGHTS: Readonly<Record<RetrainStage, number>> = {
  read: 0.35,
  build: 0.03,
  train: 0.25,
  evaluate: 0.1,
  refit: 0.22,
  publish: 0.05,
};

/** Where a running retrain is. */
export interface RetrainProgress {
  readonly stage: RetrainStage;
  /** Done share of the current stage, 0..1. */
  readonly stageFraction: number;
  /** Done share of the whole run, 0..1. */
  readonly fraction: number;
  readonly elapsedSeconds: number;
  /** Seconds left at the current pace; null until there is a pace. */
  readonly etaSeconds: number | null;
}

/** How retrains are run (from the configuration). */
export interface RetrainSettings {
  readonly algorithm: string;
  readonly params: Readonly<Record<string, string>>;
  /** Latest share of ratings held out for the gate. */
  readonly holdoutFraction: number;
  /** RMSE by which a candidate may be worse than the active model and still be published. */
  readonly tolerance: number;
  /** Training updates per movie per UTC day (the stream actors' cap). */
  readonly dailyCap: number;
  /** Published versions kept (the active one always); older artifacts are deleted. */
  readonly keepVersions: number;
}

/** Defaults: Surprise's SVD with 100 factors, the latest 10 % held out, 0.02 RMSE of tolerance. */
export const RETRAIN_DEFAULTS: RetrainSettings = {
  algorithm: 'svd',
  params: {},
  holdoutFraction: 0.1,
  tolerance: 0.02,
  dailyCap: 1000,
  keepVersions: 5,
};

/** What a retrain needs. */
export interface RetrainDeps {
  readonly pool: pg.Pool;
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly settings: RetrainSettings;
  /** Tells the users who rated after the watermark to move onto `version` now (rebase events). */
  readonly announce?: (userIds: readonly string[], version: string) => Promise<void>;
  readonly log?: (line: string) => void;
}

/** Why a retrain ran and which job it is. */
export interface RetrainRequest {
  readonly trigger: string;
  readonly jobId: string;
  /** Parameter overrides for this run only (`key=value` as `marquee train --param`). */
  readonly params?: Readonly<Record<string, string>>;
  /** The biased-MF algorithm for this run only (`svd++` for an experiment's challenger); default the settings'. */
  readonly algorithm?: string;
}

/** How a retrain ended (failures throw). */
export interface RetrainOutcome {
  readonly version: string;
  readonly status: 'active' | 'rejected';
  readonly gate: GateDecision;
  readonly evaluation: Evaluation;
  readonly ratingsUsed: number;
  readonly logRatings: number;
  /** Seconds per stage (refit and publish are absent for a rejected candidate). */
  readonly timings: Partial<Record<RetrainStage, number>>;
}

/** A retrain that cannot succeed however often it is tried (e.g. too few ratings). */
export class RetrainRefused extends Error {
  override readonly name = 'RetrainRefused';
}

/** Fewest ratings a retrain fits at all (the worker's bootstrap waits for RETRAIN_MIN_RATINGS). */
const MIN_RATINGS = 20;

/** Runs one retrain, reporting progress; resolves with the outcome, throws on failure (recorded). */
export async function runRetrain(
  deps: RetrainDeps,
  request: RetrainRequest,
  onProgress: (p: RetrainProgress) => void = () => undefined,
): Promise<RetrainOutcome> {
  const { pool, redis, keys, settings } = deps;
  const log = deps.log ?? (() => undefined);
  const params = { ...settings.params, ...request.params };
  const algorithm = request.algorithm ?? settings.algorithm;
  const started = performance.now();
  const timings: Partial<Record<RetrainStage, number>> = {};
  let stage: RetrainStage = 'read';
  let stageStart = started;
  const report = (stageFraction: number) => {
    const before = RETRAIN_STAGES.slice(0, RETRAIN_STAGES.indexOf(stage)).reduce((s, x) => s + WEIGHTS[x], 0);
    const fraction = Math.min(1, before + WEIGHTS[stage] * Math.min(1, stageFraction));
    const elapsedSeconds = (performance.now() - started) / 1000;
    const etaSeconds = fraction > 0.02 ? (elapsedSeconds * (1 - fraction)) / fraction : null;
    onProgress({ stage, stageFraction, fraction, elapsedSeconds, etaSeconds });
  };
  const enter = (next: RetrainStage) => {
    timings[stage] = (performance.now() - stageStart) / 1000;
    stage = next;
    stageStart = performance.now();
    report(0);
  };
  const onFit = (p: FitProgress) => {
    if (p.phase === 'evaluate' && p.epoch >= p.epochs && stage === 'train') enter('evaluate');
    else report(p.epoch / p.epochs);
  };

  const version = await openAttempt(pool, {
    algorithm,
    params,
    trigger: request.trigger,
    jobId: request.jobId,
  });
  const record = { ratingsUsed: 0, logRatings: 0, trainedUntilMs: 0 };
  try {
    report(0);
    const log0 = await readRatingSnapshot(pool, (read, total) => report(total === 0 ? 1 : read / total));
    record.logRatings = log0.users.length;
    if (log0.users.length < MIN_RATINGS)
      throw new RetrainRefused(
        `the rating log holds ${log0.users.length} ratings; a retrain needs at least ${MIN_RATINGS}`,
      );
    enter('build');
    const training = buildTrainingSet(log0, settings.dailyCap);
    record.ratingsUsed = training.set.ratings.length;
    record.trainedUntilMs = (log0.times[log0.times.length - 1] ?? 0) as number;
    const [catalogue, activeVersion] = await Promise.all([
      readCatalogue(pool, training.set.itemIds),
      readActiveVersion(redis, keys),
    ]);
    const genresById = new Map(catalogue.map((m) => [m.movieId, m.genres]));
    const genres = training.set.itemIds.map((id) => genresById.get(id) ?? []);
    const activeBytes = activeVersion === null ? null : await readArtifactBytes(redis, keys, activeVersion);
    const activeRow = activeVersion === null ? null : await readVersion(pool, activeVersion);
    enter('train');
    const evaluation = await evaluateInThread(
      {
        kind: 'evaluate',
        set: training.set,
        algorithm,
        params,
        holdoutFraction: settings.holdoutFraction,
        active:
          activeBytes === null
            ? null
            : { bytes: new Uint8Array(activeBytes), trainedUntilMs: activeRow?.trainedUntil?.getTime() ?? 0 },
        genres,
      },
      onFit,
    );
    if ((stage as RetrainStage) === 'train') enter('evaluate');
    const gate = decideGate(evaluation, settings.tolerance);
    const metrics = {
      candidate: evaluation.candidate,
      active: evaluation.active,
      capped: training.capped,
      superseded: training.superseded,
    };
    const gateRecord = {
      ...gate,
      activeVersion,
      compared: evaluation.compared,
      comparedRatings: evaluation.comparedRatings,
    };
    if (!gate.publish) {
      timings[stage] = (performance.now() - stageStart) / 1000;
      await recordAttempt(pool, version, {
        status: 'rejected',
        params: evaluation.params,
        ...record,
        watermark: log0.watermark,
        metrics,
        gate: gateRecord,
        timings,
      });
      log(`retrain ${version}: rejected — ${gate.reason}`);
      return {
        version,
        status: 'rejected',
        gate,
        evaluation,
        ratingsUsed: record.ratingsUsed,
        logRatings: record.logRatings,
        timings,
      };
    }
    enter('refit');
    const bytes = await refitInThread({ kind: 'refit', set: training.set, algorithm, params }, (p) =>
      report(p.epoch / p.epochs),
    );
    enter('publish');
    await recordAttempt(pool, version, {
      status: 'ready',
      params: evaluation.params,
      ...record,
      watermark: log0.watermark,
      metrics,
      gate: gateRecord,
      timings,
    });
    await publishModel(redis, keys, decodeArtifact(bytes), {
      movies: catalogue,
      version,
      watermark: log0.watermark,
    });
    await markActive(pool, version);
    // Ratings that reached the log after the snapshot were learned by the actors in the old version:
    // their users move onto this one now and replay them (docs/actors.md, "Versions").
    const late = await usersRatedAfter(pool, log0.watermark);
    if (late.length > 0) await deps.announce?.(late, version);
    // Versions an arm of the running experiment serves stay, however old (docs/experiments.md).
    const pinned = await versionsInExperiments(pool);
    for (const old of await versionsBeyond(pool, settings.keepVersions)) {
      if (old === version || pinned.has(old)) continue;
      await deleteModelVersion(redis, keys, old).catch((e: unknown) => log(`retention: ${String(e)}`));
      await markRetired(pool, [old]);
    }
    timings.publish = (performance.now() - stageStart) / 1000;
    await pool.query('UPDATE model_versions SET timings = $2 WHERE version = $1', [
      version,
      JSON.stringify(timings),
    ]);
    report(1);
    log(`retrain ${version}: published — ${gate.reason}; ${late.length} users told to move onto it`);
    return {
      version,
      status: 'active',
      gate,
      evaluation,
      ratingsUsed: record.ratingsUsed,
      logRatings: record.logRatings,
      timings,
    };
  } catch (error) {
    timings[stage] = (performance.now() - stageStart) / 1000;
    await recordAttempt(pool, version, {
      status: 'failed',
      ...record,
      timings,
      error: `${stage}: ${error instanceof Error ? error.message : String(error)}`,
    }).catch(() => undefined);
    throw error;
  }
}
