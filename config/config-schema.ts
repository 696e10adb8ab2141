import { z } from 'zod';

/** Where Marquee runs: development has default secrets; test and production refuse to start without them. */
export const modes = ['development', 'test', 'production'] as const;

const port = z.coerce.number().int().min(1).max(65_535);
const positiveInt = z.coerce.number().int().positive();
const hostPortList = z
  .string()
  .trim()
  .min(1)
  .refine((value) => value.split(',').every((part) => /^[^\s:,]+:\d{1,5}$/.test(part.trim())), {
    message: 'expected host:port[,host:port...]',
  });
const urlWithScheme = (...schemes: string[]) =>
  z
    .string()
    .trim()
    .refine(
      (value) => {
        try {
          return schemes.includes(new URL(value).protocol.replace(/:$/, ''));
        } catch {
          return false;
        }
      },
      { message: `expected a ${schemes.join(' or ')} URL` },
    );
/** A duration such as `48h`, `30m`, `90s` or `500ms`, in milliseconds. */
export const duration = z
  .string()
  .trim()
  .regex(/^\d+(\.\d+)?(ms|s|m|h|d)$/, 'expected a duration such as 48h, 30m, 90s or 500ms')
  .transform((text) => {
    const [, n, unit] = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text) as unknown as [string, string, string];
    const scale = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[unit as 'ms'];
    return Math.round(Number(n) * scale);
  })
  .refine((ms) => ms >= 1_000, 'must be at least 1s');
const share = z.coerce.number().min(0).max(100);

const topicName = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9._-]{1,249}$/, 'expected a Kafka topic name (letters, digits, . _ -)');

/**
 * Every environment variable Marquee reads, with its default and meaning. The README's configuration
 * table is checked against this list by a test, so the two cannot drift apart.
 */
export const configVariables = {
  MARQUEE_MODE: {
    schema: z.enum(modes),
    default: 'development',
    doc: 'development, test or production; outside development every secret must be set',
  },
  MARQUEE_HOME: {
    schema: z.string().trim().min(1),
    default: '~/.cache/marquee',
    doc: 'where `marquee services` keeps Kafka jars, data directories, pid files and logs',
  },
  KAFKA_BROKERS: {
    schema: hostPortList,
    default: '127.0.0.1:9092',
    doc: 'Kafka bootstrap servers, comma-separated host:port',
  },
  KAFKA_CLIENT_ID: { schema: z.string().trim().min(1), default: 'marquee', doc: 'Kafka client id prefix' },
  KAFKA_PARTITIONS: {
    schema: positiveInt.max(1024),
    default: '4',
    doc: 'partitions of the topics Marquee creates',
  },
  MOVIELOG_TOPIC: {
    schema: topicName,
    default: 'movielog',
    doc: "the course's raw log topic (e.g. movielog15)",
  },
  TOPIC_PREFIX: {
    schema: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9._-]{0,100}$/),
    default: 'marquee.',
    doc: "prefix of Marquee's own topics (user-events, movie-events, served, dlq)",
  },
  REDIS_URL: {
    schema: urlWithScheme('redis', 'rediss'),
    default: 'redis://127.0.0.1:6379',
    doc: 'Redis connection URL',
  },
  REDIS_CLUSTER_NODES: {
    schema: hostPortList.optional(),
    default: undefined,
    doc: 'Redis Cluster seed nodes, comma-separated host:port (docs/scaling.md); unset: the one Redis at REDIS_URL',
  },
  REDIS_KEY_PREFIX: {
    schema: z.string().regex(/^[A-Za-z0-9:._-]{0,100}$/),
    default: 'mq:',
    doc: 'prefix of every Redis key Marquee writes',
  },
  REDIS_PASSWORD: {
    schema: z.string().min(1).optional(),
    default: undefined,
    doc: 'Redis password, added to REDIS_URL when it names none and sent to every REDIS_CLUSTER_NODES node; unset: the one `marquee services up` keeps in `$MARQUEE_HOME/secrets.env`',
  },
  DATABASE_URL: {
    schema: urlWithScheme('postgres', 'postgresql'),
    default: 'postgres://postgres@127.0.0.1:5432/marquee',
    doc: 'PostgreSQL connection URL',
  },
  POSTGRES_PASSWORD: {
    schema: z.string().min(1).optional(),
    default: undefined,
    doc: 'Postgres password, added to DATABASE_URL when it names none; unset: the one in `$MARQUEE_HOME/secrets.env`',
  },
  DATABASE_SCHEMA: {
    schema: z
      .string()
      .trim()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lower-case SQL identifier'),
    default: 'public',
    doc: 'PostgreSQL schema holding the tables',
  },
  API_HOST: { schema: z.string().trim().min(1), default: '127.0.0.1', doc: 'address the API listens on' },
  API_PORT: { schema: port, default: '8082', doc: 'API port (the course calls :8082)' },
  METADATA_URL: {
    schema: urlWithScheme('http', 'https').optional(),
    default: undefined,
    doc: "the course's user/movie metadata service (http://host:8080); unset: the loaded dataset",
  },
  JWT_SECRET: {
    schema: z.string().min(32, 'must be at least 32 characters').optional(),
    default: undefined,
    doc: 'HS256 secret for the ratings API (or set JWT_PUBLIC_KEY); development default only in development',
  },
  JWT_PUBLIC_KEY: {
    schema: z.string().includes('BEGIN PUBLIC KEY', { message: 'expected a PEM public key' }).optional(),
    default: undefined,
    doc: 'RS256 public key (PEM) for the ratings API, instead of JWT_SECRET',
  },
  JWT_MAX_AGE: {
    schema: duration,
    default: '24h',
    doc: 'longest lifetime the API accepts in a token (exp − iat, and exp − now); tokens without exp are refused',
  },
  JWT_AUDIENCE: {
    schema: z.string().trim().min(1).optional(),
    default: undefined,
    doc: 'when set, tokens must name this audience (`aud`)',
  },
  JWT_ISSUER: {
    schema: z.string().trim().min(1).optional(),
    default: undefined,
    doc: 'when set, tokens must name this issuer (`iss`)',
  },
  RATING_QUOTA: {
    schema: z.coerce.number().int().min(0).max(1_000_000),
    default: '500',
    doc: 'ratings one token subject may record per UTC day through the API (a service/admin token: per user it rates for); 0: no quota',
  },
  RANK_NOISE: {
    schema: z.coerce.number().min(0).max(1000),
    default: '0',
    doc: 'rank noise on served lists, in list positions (σ): each list is drawn from the best RANK_NOISE_DEPTH times its length, fixed per user and movie under NOISE_SECRET (a cold list: one draw a UTC day for everyone), keeping 10 genres; 0 (the default): the exact ranking; 30 meets the extraction target at the least measured cost, −10 % precision@20 in the course check (docs/threat-model.md)',
  },
  RANK_NOISE_DEPTH: {
    schema: z.coerce.number().min(1).max(10),
    default: '4',
    doc: 'how deep in the ranking rank noise draws a list from, as a multiple of its length',
  },
  RATING_DAILY_CAP: {
    schema: positiveInt,
    default: '1000',
    doc: 'ratings a movie learns from per UTC day, in the stream and the retrain alike (one slot per rater); the rest are counted, not learned. Set it near the busiest organic movie-day of your traffic (docs/threat-model.md)',
  },
  SERVED_POPULARITY_WEIGHT: {
    schema: z.coerce.number().min(0).max(1),
    default: '1',
    doc: 'what a rating or started view of a title in the user\'s last served list adds to the popularity boards, relative to an organic one (1: the same; 0: nothing). Lower spreads exposure a little but raised the average recommended popularity in the closed-loop simulator (docs/fairness.md, "Mitigation")',
  },
  NOISE_SECRET: {
    schema: z.string().min(16, 'must be at least 16 characters').optional(),
    default: undefined,
    doc: 'server-side secret that seeds score noise (and rank noise); development default only in development',
  },
  RETRAIN_INTERVAL: {
    schema: duration,
    default: '48h',
    doc: 'how often `marquee worker` retrains the model from the Postgres rating log (the seed: every 48 hours)',
  },
  RETRAIN_MIN_RATINGS: {
    schema: positiveInt,
    default: '1000',
    doc: 'ratings the log must hold before the worker trains the first model by itself (bootstrap)',
  },
  RETRAIN_GROWTH: {
    schema: share,
    default: '0.5',
    doc: 'retrain early when the log has grown by this share since the last attempt (0.5: +50 %)',
  },
  RETRAIN_CHECK_INTERVAL: {
    schema: duration,
    default: '60s',
    doc: 'how often the worker checks for the bootstrap and growth conditions',
  },
  RETRAIN_TOLERANCE: {
    schema: z.coerce.number().min(0).max(5),
    default: '0.02',
    doc: 'holdout RMSE by which a candidate may be worse than the active model and still be published',
  },
  MODEL_KEEP_VERSIONS: {
    schema: positiveInt.max(1000),
    default: '5',
    doc: 'published model versions kept in Redis for rollback; older artifacts are deleted',
  },
  HEAD_CAP_SHARE: {
    schema: z.coerce.number().min(0).max(1),
    default: '0.5',
    doc: 'largest share of a list the popularity head (top 2 % of titles) may take; the live cap tightens from here (no cap: 1 here and HEAD_CAP_THRESHOLD=1)',
  },
  HEAD_CAP_THRESHOLD: {
    schema: z.coerce.number().min(0).max(1),
    default: '0.3',
    doc: "share of the last 24 h exposure on the popularity cap's head above which the API tightens the cap (1: never)",
  },
  HEAD_CAP_FLOOR: {
    schema: z.coerce.number().min(0).max(1),
    default: '0.2',
    doc: 'the tightest the live head cap goes: the smallest share of a list head titles keep',
  },
  AUDIT_INTERVAL: {
    schema: duration,
    default: '24h',
    doc: 'how often `marquee worker` audits the lists served in the last interval (fairness audit, docs/fairness.md)',
  },
  OTEL_EXPORTER_OTLP_ENDPOINT: {
    schema: urlWithScheme('http', 'https').optional(),
    default: undefined,
    doc: 'OTLP endpoint for traces (Jaeger: http://127.0.0.1:4318); unset: tracing off',
  },
  TRACE_SAMPLE_RATIO: {
    schema: z.coerce.number().min(0).max(1),
    default: '0.05',
    doc: 'share of requests, ratings and batches traced (head sampling by trace id); spans with errors are always kept',
  },
  METRICS_HOST: {
    schema: z.string().trim().min(1),
    default: '127.0.0.1',
    doc: 'address the /metrics of stream, sink, ingest and worker listen on (`--metrics-port`); the API serves its own on API_HOST',
  },
  PROMETHEUS_URL: {
    schema: urlWithScheme('http'),
    default: 'http://127.0.0.1:9090',
    doc: 'where `marquee services up --with prometheus` runs Prometheus (loopback), with the alert rules of otel/prometheus/rules.yml',
  },
} as const;

/** The name of one configuration variable. */
export type ConfigVariable = keyof typeof configVariables;

type Shape = { [K in ConfigVariable]: (typeof configVariables)[K]['schema'] };

/** The zod schema over the raw environment (variable name → validated value). */
export const envSchema = z.object(
  Object.fromEntries(Object.entries(configVariables).map(([name, v]) => [name, v.schema])) as Shape,
);

/** The validated environment, one field per variable. */
export type Env = z.infer<typeof envSchema>;
