-- Up Migration

-- Every list the API served, as recorded on marquee.served: the raw material of every audit.
-- event_id is the API's id for the list (one per served list), so the served-list sink inserts
-- with ON CONFLICT DO NOTHING and a replayed batch adds nothing. seq orders rows by arrival, for
-- readers that follow the table incrementally (the live audit).
CREATE TABLE served_lists (
  event_id       text PRIMARY KEY,
  seq            bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  user_id        text NOT NULL,
  arm            text,
  model_version  text,
  items          text[] NOT NULL,
  served_at      timestamptz NOT NULL,
  latency_ms     real,
  status         smallint NOT NULL,
  observed_by    text NOT NULL CHECK (observed_by IN ('client', 'server')),
  ingested_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX served_lists_served_at ON served_lists (served_at);
CREATE INDEX served_lists_user ON served_lists (user_id, served_at);

-- One row per audit run (src/jobs/audit/): the window it read, the headline counts, and the whole
-- result (violations, per-group metrics, disparities) as JSON; the report file's path.
CREATE TABLE audits (
  audit_id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  trigger           text NOT NULL,
  since             timestamptz,
  until             timestamptz NOT NULL,
  lists             bigint NOT NULL,
  violations        bigint NOT NULL,
  disparities_failed integer NOT NULL,
  result            jsonb NOT NULL,
  report_path       text,
  created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audits_created_at ON audits (created_at);

-- Down Migration
DROP TABLE audits;
DROP TABLE served_lists;
