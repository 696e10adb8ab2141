-- Up Migration

-- Reference data. Rows arrive asynchronously from the metadata source (the course's services or a
-- loaded dataset), so the logs below carry no foreign keys: a rating is never held back waiting for
-- its user's or movie's metadata.
CREATE TABLE users (
  user_id     text PRIMARY KEY,
  age         smallint CHECK (age BETWEEN 0 AND 130),
  gender      text CHECK (gender IN ('M', 'F')),
  occupation  text,
  source      text NOT NULL DEFAULT 'unknown',
  fetched_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE movies (
  movie_id       text PRIMARY KEY,                        -- the course id, e.g. the+shining+1980
  title          text NOT NULL,
  genres         text[] NOT NULL DEFAULT '{}',
  release_year   smallint CHECK (release_year BETWEEN 1870 AND 2200),
  certification  text CHECK (certification IN ('G', 'PG', 'PG-13', 'R', 'NC-17')),
  adult          boolean NOT NULL DEFAULT false,
  source_id      text,                                     -- MovieLens or TMDB id, where known
  source         text NOT NULL DEFAULT 'unknown',
  fetched_at     timestamptz NOT NULL DEFAULT now()
);

-- The durable log the 48-hour retrain reads. event_id is deterministic (source topic, partition,
-- offset, or a client's idempotency key), so inserting with ON CONFLICT DO NOTHING is idempotent.
CREATE TABLE ratings (
  event_id     text PRIMARY KEY,
  user_id      text NOT NULL,
  movie_id     text NOT NULL,
  rating       real NOT NULL CHECK (rating >= 0.5 AND rating <= 5),
  rated_at     timestamptz NOT NULL,
  source       text NOT NULL,
  ingested_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ratings_rated_at ON ratings (rated_at);
CREATE INDEX ratings_user ON ratings (user_id);
CREATE INDEX ratings_movie ON ratings (movie_id);

CREATE TABLE watches (
  event_id     text PRIMARY KEY,
  user_id      text NOT NULL,
  movie_id     text NOT NULL,
  minute       integer NOT NULL CHECK (minute >= 0),
  watched_at   timestamptz NOT NULL,
  source       text NOT NULL,
  ingested_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX watches_watched_at ON watches (watched_at);
CREATE INDEX watches_user_movie ON watches (user_id, movie_id);

-- Every trained model. The retrain publishes a version after replaying ratings newer than its
-- training watermark; at most one version is active.
CREATE TABLE model_versions (
  version             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  algorithm           text NOT NULL,
  params              jsonb NOT NULL DEFAULT '{}',
  metrics             jsonb NOT NULL DEFAULT '{}',
  status              text NOT NULL DEFAULT 'training'
                        CHECK (status IN ('training', 'ready', 'active', 'retired', 'failed')),
  training_watermark  timestamptz,
  rating_count        bigint,
  artifact_key        text,
  created_at          timestamptz NOT NULL DEFAULT now(),
  activated_at        timestamptz
);
CREATE UNIQUE INDEX model_versions_one_active ON model_versions ((true)) WHERE status = 'active';

-- Down Migration
DROP TABLE model_versions;
DROP TABLE watches;
DROP TABLE ratings;
DROP TABLE movies;
DROP TABLE users;
