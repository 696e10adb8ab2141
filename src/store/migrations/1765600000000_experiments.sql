-- Up Migration

-- A/B experiments as data (docs/experiments.md): each arm is a published model version with a
-- weight; users are assigned by id parity (the seed's split) or by a salted hash (so two experiments
-- do not share the same users). One experiment runs at a time (the partial unique index); Redis holds
-- a copy of the running one (`experiment:running`) for the API and the stream. `min_p` is the running
-- minimum of the always-valid p over every report read (a look); `decision` the first verdict.
CREATE TABLE experiments (
  experiment_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name           text NOT NULL,
  arms           jsonb NOT NULL,
  assignment     text NOT NULL CHECK (assignment IN ('parity', 'hash')),
  salt           text NOT NULL,
  primary_metric text NOT NULL CHECK (primary_metric IN ('rmse', 'watch-through')),
  alpha          double precision NOT NULL,
  tuning         integer NOT NULL CHECK (tuning > 0),
  started_at     timestamptz NOT NULL DEFAULT now(),
  stopped_at     timestamptz,
  looks          integer NOT NULL DEFAULT 0,
  min_p          double precision,
  decision       jsonb
);
CREATE UNIQUE INDEX experiments_one_running ON experiments ((true)) WHERE stopped_at IS NULL;

-- Online RMSE per arm in consecutive batches of 1,000 ratings, in the order the stream committed them;
-- the worker cuts them from the stream's per-arm residual lists (exactly once: the primary key).
CREATE TABLE experiment_batches (
  experiment_id  bigint NOT NULL REFERENCES experiments ON DELETE CASCADE,
  arm            text NOT NULL,
  batch          integer NOT NULL,
  ratings        integer NOT NULL,
  rmse           double precision NOT NULL,
  closed_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (experiment_id, arm, batch)
);

-- Down Migration
DROP TABLE experiment_batches;
DROP TABLE experiments;
