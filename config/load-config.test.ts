import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load-config.ts';
import { ensureServiceSecrets, serviceSecretsFile } from './service-secrets.ts';

const productionSecrets = {
  MARQUEE_MODE: 'production',
  JWT_SECRET: 'x'.repeat(32),
  NOISE_SECRET: 'n'.repeat(16),
};

function failure(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected loadConfig to reject ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('starts in development with every default and development secrets', () => {
    const config = loadConfig({}, { serviceSecrets: () => ({}) });
    expect(config.mode).toBe('development');
    expect(config.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(config.kafka.partitions).toBe(4);
    expect(config.redis.url).toBe('redis://127.0.0.1:6379');
    expect(config.api.port).toBe(8082);
    expect(config.secrets.jwtSecret?.length).toBeGreaterThanOrEqual(32);
    expect(config.home.startsWith('~')).toBe(false);
  });

  it('parses lists and numbers and treats empty strings as unset', () => {
    const config = loadConfig({ KAFKA_BROKERS: 'a:1, b:2', KAFKA_PARTITIONS: '8', API_PORT: '' });
    expect(config.kafka.brokers).toEqual(['a:1', 'b:2']);
    expect(config.kafka.partitions).toBe(8);
    expect(config.api.port).toBe(8082);
  });

  it('accepts production when every secret is set', () => {
    expect(loadConfig(productionSecrets).secrets.noiseSecret).toBe('n'.repeat(16));
  });

  it('accepts an RS256 public key instead of an HS256 secret', () => {
    const config = loadConfig({
      ...productionSecrets,
      JWT_SECRET: '',
      JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----',
    });
    expect(config.secrets.jwtSecret).toBeUndefined();
  });

  const table: [string, Record<string, string>, string][] = [
    ['an unknown mode', { MARQUEE_MODE: 'staging' }, 'MARQUEE_MODE'],
    ['a broker without a port', { KAFKA_BROKERS: 'localhost' }, 'KAFKA_BROKERS'],
    ['a broker list with a blank entry', { KAFKA_BROKERS: 'a:1,,b:2' }, 'KAFKA_BROKERS'],
    ['zero partitions', { KAFKA_PARTITIONS: '0' }, 'KAFKA_PARTITIONS'],
    ['fractional partitions', { KAFKA_PARTITIONS: '2.5' }, 'KAFKA_PARTITIONS'],
    ['a topic with spaces', { MOVIELOG_TOPIC: 'movie log' }, 'MOVIELOG_TOPIC'],
    ['an http Redis URL', { REDIS_URL: 'http://127.0.0.1:6379' }, 'REDIS_URL'],
    ['a Redis URL that is not a URL', { REDIS_URL: 'localhost:6379' }, 'REDIS_URL'],
    ['a MySQL database URL', { DATABASE_URL: 'mysql://root@127.0.0.1/marquee' }, 'DATABASE_URL'],
    ['a schema with capitals', { DATABASE_SCHEMA: 'Marquee' }, 'DATABASE_SCHEMA'],
    ['a port out of range', { API_PORT: '70000' }, 'API_PORT'],
    ['a port that is not a number', { API_PORT: 'http' }, 'API_PORT'],
    [
      'a metadata URL without a scheme',
      { METADATA_URL: 'fall2025-comp585.cs.mcgill.ca:8080' },
      'METADATA_URL',
    ],
    ['a short JWT secret', { JWT_SECRET: 'secret' }, 'JWT_SECRET'],
    ['a JWT public key that is not PEM', { JWT_PUBLIC_KEY: 'abc' }, 'JWT_PUBLIC_KEY'],
    ['a short noise secret', { NOISE_SECRET: 'abc' }, 'NOISE_SECRET'],
    [
      'an OTLP endpoint that is not http',
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://x:4317' },
      'OTEL_EXPORTER_OTLP_ENDPOINT',
    ],
    ['production without a JWT secret', { ...productionSecrets, JWT_SECRET: '' }, 'JWT_SECRET'],
    ['production without a noise secret', { ...productionSecrets, NOISE_SECRET: '' }, 'NOISE_SECRET'],
    ['test mode without secrets', { MARQUEE_MODE: 'test' }, 'JWT_SECRET'],
    ['development secrets on a public address', { API_HOST: '0.0.0.0' }, 'JWT_SECRET'],
    [
      'a development noise secret on a public address',
      { API_HOST: '0.0.0.0', JWT_SECRET: 'x'.repeat(32) },
      'NOISE_SECRET',
    ],
  ];

  it.each(table)('rejects %s, naming the variable', (_label, env, variable) => {
    const error = failure(env);
    expect(error.variable).toBe(variable);
    expect(error.message.startsWith(`${variable}: `)).toBe(true);
  });

  const leaks: [string, Record<string, string>, string][] = [
    ['a short JWT secret', { JWT_SECRET: 'short' }, 'short'],
    ['a short noise secret', { NOISE_SECRET: 'tiny-noise' }, 'tiny-noise'],
    [
      'a MySQL database URL',
      { DATABASE_URL: 'mysql://postgres:hunter2secret@127.0.0.1/marquee' },
      'hunter2secret',
    ],
    ['an http Redis URL', { REDIS_URL: 'http://:redispw42@127.0.0.1:6379' }, 'redispw42'],
    ['a Redis URL without a scheme', { REDIS_URL: ':redispw42@127.0.0.1:6379' }, 'redispw42'],
    ['a password holding @ and /', { DATABASE_URL: 'mysql://app:a@b/c@db/x' }, 'a@b/c'],
    ['a password in the query string', { DATABASE_URL: 'postgress://app@db/x?password=hunter2' }, 'hunter2'],
    [
      'an sslpassword among other parameters',
      { DATABASE_URL: 'mysql://db/x?sslmode=require&sslpassword=k3y' },
      'k3y',
    ],
  ];

  it.each(leaks)('never prints the secret in the error for %s', (_label, env, secret) => {
    const error = failure(env);
    expect(error.message).not.toContain(secret);
    expect(error.message.split('\n')).toHaveLength(1);
  });

  it('masks only the password of a rejected URL, so the user sees what was wrong', () => {
    expect(failure({ DATABASE_URL: 'mysql://postgres:hunter2secret@127.0.0.1/marquee' }).message).toBe(
      'DATABASE_URL: expected a postgres or postgresql URL (got "mysql://postgres:***@127.0.0.1/marquee")',
    );
    expect(failure({ JWT_SECRET: 'short' }).message).toBe(
      'JWT_SECRET: must be at least 32 characters (5 characters, value hidden)',
    );
  });

  it("adds the local services' passwords from MARQUEE_HOME to URLs that name none, and never overrides one", () => {
    const home = mkdtempSync(join(tmpdir(), 'marquee-config-'));
    try {
      const made = ensureServiceSecrets(home);
      expect(statSync(serviceSecretsFile(home)).mode & 0o777).toBe(0o600);
      expect(ensureServiceSecrets(home)).toEqual(made);
      const config = loadConfig({ MARQUEE_HOME: home });
      expect(config.redis.url).toBe(`redis://:${made.REDIS_PASSWORD}@127.0.0.1:6379`);
      expect(config.postgres.url).toBe(
        `postgres://postgres:${made.POSTGRES_PASSWORD}@127.0.0.1:5432/marquee`,
      );
      const given = loadConfig({
        MARQUEE_HOME: home,
        REDIS_PASSWORD: 'from-the-environment',
        DATABASE_URL: 'postgres://app:own@db:5432/x',
      });
      expect(given.redis.url).toBe('redis://:from-the-environment@127.0.0.1:6379');
      expect(given.postgres.url).toBe('postgres://app:own@db:5432/x');
      chmodSync(serviceSecretsFile(home), 0o644);
      ensureServiceSecrets(home);
      expect(statSync(serviceSecretsFile(home)).mode & 0o777).toBe(0o600);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
