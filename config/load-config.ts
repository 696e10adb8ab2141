import { homedir } from 'node:os';
import { join } from 'node:path';
import { configVariables, envSchema, type ConfigVariable, type Env } from './config-schema.ts';
import { quoteValue } from './redact.ts';
import {
  ensureServiceSecrets,
  readServiceSecrets,
  withPassword,
  type ServiceSecrets,
} from './service-secrets.ts';

/** Thrown when the environment is invalid; `variable` names the first culprit, `message` says why. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly variable: ConfigVariable,
    reason: string,
  ) {
    super(`${variable}: ${reason}`);
  }
}

/** Marquee's configuration, structured by concern; built only by `loadConfig`. */
export interface Config {
  readonly mode: Env['MARQUEE_MODE'];
  readonly home: string;
  readonly kafka: {
    readonly brokers: readonly string[];
    readonly clientId: string;
    readonly partitions: number;
    readonly movielogTopic: string;
    readonly topicPrefix: string;
  };
  readonly redis: {
    readonly url: string;
    readonly keyPrefix: string;
    /** Redis Cluster seed nodes (`host:port`); undefined: the one Redis at `url` (the default). */
    readonly clusterNodes: readonly string[] | undefined;
    /** The password every cluster node asks for: REDIS_PASSWORD, else the one in `secrets.env`. */
    readonly clusterPassword: string | undefined;
  };
  readonly postgres: { readonly url: string; readonly schema: string };
  readonly api: { readonly host: string; readonly port: number };
  readonly metadataUrl: string | undefined;
  readonly secrets: {
    readonly jwtSecret: string | undefined;
    readonly jwtPublicKey: string | undefined;
    readonly noiseSecret: string;
  };
  /** What the API demands of a bearer token beyond its signature. */
  readonly auth: {
    readonly maxAgeSec: number;
    readonly audience: string | undefined;
    readonly issuer: string | undefined;
    /** Ratings one subject may record per UTC day through the API (0: no quota). */
    readonly ratingQuota: number;
  };
  readonly otlpEndpoint: string | undefined;
  /**
   * Ratings a movie learns from per UTC day (the rating-poison cap): the stream's movie actors and the
   * retrain must apply the same value, or each retrain would learn what the stream held back.
   */
  readonly dailyCap: number;
  /** What a take-up of a title the user was just served adds to the popularity boards (organic: 1). */
  readonly servedPopularityWeight: number;
  /** Share of traces kept by head sampling (errors are kept regardless). */
  readonly traceSampleRatio: number;
  readonly prometheusUrl: string;
  /** Where the roles without an HTTP server of their own serve /metrics. */
  readonly metricsHost: string;
  /** Rank noise on served lists (src/guardrails/rank-noise.ts); scale 0: off. */
  readonly rankNoise: { readonly scale: number; readonly depth: number };
  readonly retrain: {
    readonly intervalMs: number;
    readonly minRatings: number;
    readonly growth: number;
    readonly checkIntervalMs: number;
    readonly tolerance: number;
    readonly keepVersions: number;
  };
  readonly audit: { readonly intervalMs: number };
  /** The live popularity cap's knobs (src/guardrails/debias.ts, docs/fairness.md). */
  readonly headCap: { readonly share: number; readonly threshold: number; readonly floor: number };
}

const developmentSecrets = {
  JWT_SECRET: 'marquee-development-jwt-secret-not-for-production',
  NOISE_SECRET: 'marquee-development-noise-secret',
} as const;

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
}

/** Where loadConfig finds the local services' passwords the environment does not give. */
export interface LoadConfigOptions {
  /** Default: `$MARQUEE_HOME/secrets.env` (config/service-secrets.ts); `() => ({})` reads none. */
  readonly serviceSecrets?: (home: string) => ServiceSecrets;
}

/**
 * Validates the environment and builds the config. Fails fast with a ConfigError naming the variable.
 * Empty strings count as unset. REDIS_PASSWORD and POSTGRES_PASSWORD, when the environment lacks
 * them, come from `$MARQUEE_HOME/secrets.env`; each goes into its URL unless the URL names one. Outside development, JWT_SECRET (or JWT_PUBLIC_KEY) and NOISE_SECRET
 * must be set: a default secret in production is a vulnerability, not a convenience.
 */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>>,
  options: LoadConfigOptions = {},
): Config {
  const raw: Record<string, string | undefined> = {};
  for (const [name, spec] of Object.entries(configVariables)) {
    const value = env[name];
    raw[name] = value === undefined || value.trim() === '' ? spec.default : value;
  }
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? 'MARQUEE_MODE') as ConfigVariable;
    throw new ConfigError(
      variable,
      `${issue?.message ?? 'invalid'} (${quoteValue(variable, raw[variable])})`,
    );
  }
  const e = parsed.data;
  const development = e.MARQUEE_MODE === 'development';
  if (!development && e.JWT_SECRET === undefined && e.JWT_PUBLIC_KEY === undefined) {
    throw new ConfigError('JWT_SECRET', `required in ${e.MARQUEE_MODE} mode (or set JWT_PUBLIC_KEY)`);
  }
  if (!development && e.NOISE_SECRET === undefined) {
    throw new ConfigError('NOISE_SECRET', `required in ${e.MARQUEE_MODE} mode`);
  }
  // The development secrets are public (they are in this file): never let them guard a reachable API.
  const loopback = /^(localhost|::1|\[::1\]|127\.\d+\.\d+\.\d+)$/.test(e.API_HOST);
  if (development && !loopback && e.JWT_SECRET === undefined && e.JWT_PUBLIC_KEY === undefined) {
    throw new ConfigError(
      'JWT_SECRET',
      `required when API_HOST (${e.API_HOST}) is not loopback, even in development`,
    );
  }
  if (development && !loopback && e.NOISE_SECRET === undefined) {
    throw new ConfigError(
      'NOISE_SECRET',
      `required when API_HOST (${e.API_HOST}) is not loopback, even in development`,
    );
  }
  const home = expandHome(e.MARQUEE_HOME);
  const stored =
    e.REDIS_PASSWORD === undefined || e.POSTGRES_PASSWORD === undefined
      ? (options.serviceSecrets ?? readServiceSecrets)(home)
      : {};
  const redisPassword = e.REDIS_PASSWORD ?? stored.REDIS_PASSWORD;
  const postgresPassword = e.POSTGRES_PASSWORD ?? stored.POSTGRES_PASSWORD;
  return {
    mode: e.MARQUEE_MODE,
    home,
    kafka: {
      brokers: e.KAFKA_BROKERS.split(',').map((b) => b.trim()),
      clientId: e.KAFKA_CLIENT_ID,
      partitions: e.KAFKA_PARTITIONS,
      movielogTopic: e.MOVIELOG_TOPIC,
      topicPrefix: e.TOPIC_PREFIX,
    },
    redis: {
      url: withPassword(e.REDIS_URL, redisPassword),
      keyPrefix: e.REDIS_KEY_PREFIX,
      clusterNodes: e.REDIS_CLUSTER_NODES?.split(',').map((n) => n.trim()),
      clusterPassword: redisPassword,
    },
    postgres: { url: withPassword(e.DATABASE_URL, postgresPassword), schema: e.DATABASE_SCHEMA },
    api: { host: e.API_HOST, port: e.API_PORT },
    metadataUrl: e.METADATA_URL,
    secrets: {
      jwtSecret:
        e.JWT_SECRET ??
        (development && e.JWT_PUBLIC_KEY === undefined ? developmentSecrets.JWT_SECRET : undefined),
      jwtPublicKey: e.JWT_PUBLIC_KEY,
      noiseSecret: e.NOISE_SECRET ?? developmentSecrets.NOISE_SECRET,
    },
    auth: {
      maxAgeSec: Math.round(e.JWT_MAX_AGE / 1000),
      audience: e.JWT_AUDIENCE,
      issuer: e.JWT_ISSUER,
      ratingQuota: e.RATING_QUOTA,
    },
    otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
    dailyCap: e.RATING_DAILY_CAP,
    servedPopularityWeight: e.SERVED_POPULARITY_WEIGHT,
    traceSampleRatio: e.TRACE_SAMPLE_RATIO,
    prometheusUrl: e.PROMETHEUS_URL,
    metricsHost: e.METRICS_HOST,
    rankNoise: { scale: e.RANK_NOISE, depth: e.RANK_NOISE_DEPTH },
    retrain: {
      intervalMs: e.RETRAIN_INTERVAL,
      minRatings: e.RETRAIN_MIN_RATINGS,
      growth: e.RETRAIN_GROWTH,
      checkIntervalMs: e.RETRAIN_CHECK_INTERVAL,
      tolerance: e.RETRAIN_TOLERANCE,
      keepVersions: e.MODEL_KEEP_VERSIONS,
    },
    audit: { intervalMs: e.AUDIT_INTERVAL },
    headCap: { share: e.HEAD_CAP_SHARE, threshold: e.HEAD_CAP_THRESHOLD, floor: e.HEAD_CAP_FLOOR },
  };
}

/**
 * loadConfig for a process about to start the local services (`marquee services up`, `marquee up`,
 * the demo, the test setup): makes their passwords first, when `$MARQUEE_HOME/secrets.env` lacks
 * them, so the services start with the same passwords every later process reads.
 */
export function loadConfigForServices(env: Readonly<Record<string, string | undefined>>): Config {
  ensureServiceSecrets(loadConfig(env, { serviceSecrets: () => ({}) }).home);
  return loadConfig(env);
}
