/**
 * Every name Marquee exports to Prometheus, Jaeger or logs lives here, so dashboards, alert rules and
 * code agree and a rename is one edit.
 */

/** The OpenTelemetry service name of every role. */
export const serviceName = 'marquee';

/** Span names. */
export const spans = {
  cliCommand: 'marquee.cli.command',
  servicesUp: 'marquee.services.up',
  apiScore: 'marquee.api.score',
  apiGuard: 'marquee.api.guard',
  apiDiversify: 'marquee.api.diversify',
  apiModelLoad: 'marquee.api.model-load',
  /** Root span of one `GET /recommend/:userId` (and the JSON route): context read, score, guard, diversify, record. */
  apiRecommend: 'marquee.api.recommend',
  /** Root span of one `POST /v1/ratings`: its traceparent travels in the Kafka record's headers. */
  apiRating: 'marquee.api.rating',
  /** Any other HTTP request. */
  apiRequest: 'marquee.api.request',
  apiUserContext: 'marquee.api.user-context',
  apiServedRecord: 'marquee.api.served-record',
  apiPublish: 'marquee.api.publish',
  /** A user actor's turn on a traced event (the batch it came in is its span's extent). */
  userReceive: 'marquee.actor.user.receive',
  movieReceive: 'marquee.actor.movie.receive',
  /** The Redis commit (states + offset, one Lua call) of the batch a traced event came in. */
  stateCommit: 'marquee.state.commit',
  /** One batch of a partition task, of ingest, of the sink. */
  streamBatch: 'marquee.stream.batch',
  ingestBatch: 'marquee.ingest.batch',
  sinkBatch: 'marquee.sink.batch',
  /** One worker job. */
  retrainJob: 'marquee.job.retrain',
  auditJob: 'marquee.job.audit',
} as const;

/** Span attribute keys. */
export const attributes = {
  command: 'marquee.command',
  role: 'marquee.role',
  userId: 'marquee.user_id',
  modelVersion: 'marquee.model.version',
  candidates: 'marquee.candidates',
  removed: 'marquee.removed',
  genres: 'marquee.genres',
  /** Set on a span that must be exported whatever the sampler says (an error in an unsampled trace). */
  keep: 'marquee.keep',
  route: 'http.route',
  status: 'http.response.status_code',
  group: 'marquee.stream.group',
  topic: 'messaging.destination.name',
  partition: 'messaging.destination.partition.id',
  offset: 'messaging.kafka.offset',
  eventIndex: 'marquee.event.index',
  events: 'marquee.events',
  tracedEvents: 'marquee.events.traced',
  job: 'marquee.job',
} as const;

/** Kafka record headers that carry trace context (W3C `traceparent`; docs/operations.md, "Traces"). */
export const traceHeaders = {
  /** A record of one event (the API's ratings): the event's traceparent. */
  single: 'traceparent',
  /** A pack of events: `index=traceparent` for each sampled event, comma-separated. */
  pack: 'marquee-traceparents',
} as const;

/** Prometheus metric names (prom-client); `marquee_` prefix, base units in the name. */
export const metrics = {
  buildInfo: 'marquee_build_info',
  httpDuration: 'marquee_http_request_duration_seconds',
  recommendOutcomes: 'marquee_recommend_outcomes_total',
  recommendFallbacks: 'marquee_recommend_fallbacks_total',
  clientErrors: 'marquee_client_errors_total',
  recommendAvailability: 'marquee_recommend_availability_ratio',
  modelVersionInfo: 'marquee_api_model_info',
  modelDescribedMovies: 'marquee_api_model_described_movies',
  modelUndescribedMovies: 'marquee_api_model_undescribed_movies',
  servedDropped: 'marquee_served_events_dropped_total',
  apiThrottled: 'marquee_api_throttled_requests_total',
  apiAuthFailures: 'marquee_api_auth_failures_total',
  apiIdempotency: 'marquee_api_idempotency_key_reuses_total',
  ingestLines: 'marquee_ingest_lines_total',
  sinkRows: 'marquee_sink_rows_total',
  sinkDeadLetters: 'marquee_sink_dead_letters_total',
  enrichment: 'marquee_enrichment_ids_total',
  enrichmentPending: 'marquee_enrichment_pending_ids',
  streamEvents: 'marquee_stream_events_total',
  streamActorsLive: 'marquee_stream_actors_live',
  streamActivations: 'marquee_stream_activations_total',
  streamPassivations: 'marquee_stream_passivations_total',
  streamLag: 'marquee_stream_lag_records',
  streamFreshness: 'marquee_stream_freshness_seconds',
  streamReplaysDropped: 'marquee_stream_replays_dropped_total',
  streamCapHits: 'marquee_stream_cap_hits_total',
  streamPushedTitles: 'marquee_stream_pushed_titles_total',
  retrainRuns: 'marquee_retrain_runs_total',
  retrainLastSuccess: 'marquee_retrain_last_success_timestamp_seconds',
  retrainStageSeconds: 'marquee_retrain_stage_duration_seconds',
  retrainRunning: 'marquee_retrain_running',
  modelPublishedVersion: 'marquee_model_published_version',
  feedbackCoverage: 'marquee_feedback_coverage_ratio',
  feedbackGini: 'marquee_feedback_exposure_gini',
  feedbackHeadShare: 'marquee_feedback_head_exposure_ratio',
  feedbackCapHeadShare: 'marquee_feedback_cap_head_exposure_ratio',
  feedbackPopularity: 'marquee_feedback_recommended_popularity',
  feedbackExposures: 'marquee_feedback_window_exposures',
  feedbackRatingMean: 'marquee_feedback_rating_mean_stars',
  feedbackRatings: 'marquee_feedback_ratings_total',
  feedbackRatingSkew: 'marquee_feedback_rating_skew_stars',
  feedbackHeadCap: 'marquee_feedback_head_cap_ratio',
  auditLiveLists: 'marquee_audit_live_lists_total',
  auditLiveViolations: 'marquee_audit_live_violations_total',
  /** The holdout RMSE the active model was published with (model_versions in Postgres). */
  modelHoldoutRmse: 'marquee_model_holdout_rmse_stars',
  /** RMSE of an experiment arm's last completed batch of 1,000 online ratings (label `arm`: e<id>.<name>). */
  onlineRmse: 'marquee_online_rmse_stars',
  /** Completed batches of 1,000 online ratings per experiment arm (label `arm`). */
  onlineRmseBatches: 'marquee_online_rmse_batches_total',
} as const;
