-- Up Migration

-- Where each rating came from on user-events (partition, record offset, index in the record's pack).
-- A user's events all travel on one partition, in order, and the sink writes each partition's
-- batches in order: the rows of one partition visible in a snapshot are a prefix of it. The retrain
-- records, per partition, the last position it trained on (its watermark); the user actors replay
-- the ratings after it onto the new version's vectors (docs/actors.md, "Versions"). Rows written
-- before this migration have no position and count as inside every watermark.
ALTER TABLE ratings
  ADD COLUMN src_partition integer,
  ADD COLUMN src_offset bigint,
  ADD COLUMN src_index integer;
CREATE INDEX ratings_position ON ratings (src_partition, src_offset, src_index);

-- Every retrain attempt, published or not: what it read, how it scored against the active model on
-- the same holdout, what the gate decided, how long each stage took.
ALTER TABLE model_versions
  ADD COLUMN watermark jsonb,
  ADD COLUMN ratings_used bigint,
  ADD COLUMN log_ratings bigint,
  ADD COLUMN gate jsonb,
  ADD COLUMN timings jsonb,
  ADD COLUMN error text,
  ADD COLUMN job_id text,
  ADD COLUMN trigger text,
  ADD COLUMN published_at timestamptz;
ALTER TABLE model_versions DROP CONSTRAINT model_versions_status_check;
ALTER TABLE model_versions ADD CONSTRAINT model_versions_status_check
  CHECK (status IN ('training', 'ready', 'active', 'retired', 'failed', 'rejected'));

-- Down Migration
ALTER TABLE model_versions DROP CONSTRAINT model_versions_status_check;
ALTER TABLE model_versions ADD CONSTRAINT model_versions_status_check
  CHECK (status IN ('training', 'ready', 'active', 'retired', 'failed'));
ALTER TABLE model_versions
  DROP COLUMN watermark, DROP COLUMN ratings_used, DROP COLUMN log_ratings, DROP COLUMN gate,
  DROP COLUMN timings, DROP COLUMN error, DROP COLUMN job_id, DROP COLUMN trigger, DROP COLUMN published_at;
DROP INDEX ratings_position;
ALTER TABLE ratings DROP COLUMN src_partition, DROP COLUMN src_offset, DROP COLUMN src_index;
