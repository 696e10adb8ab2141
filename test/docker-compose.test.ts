import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configVariables } from '../config/config-schema.ts';
import { loadConfig } from '../config/load-config.ts';
import { commands } from '../src/cli/commands.ts';
import { REDIS_DURABILITY } from '../src/services/redis-service.ts';

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  healthcheck?: { test: string[] };
  restart?: string;
  volumes?: string[];
}

const composeText = readFileSync(new URL('../docker-compose.yml', import.meta.url), 'utf8');
const example = Object.fromEntries(
  readFileSync(new URL('../.env.example', import.meta.url), 'utf8')
    .split('\n')
    .flatMap((line) => {
      const match = /^([A-Z_]+)=(.*)$/.exec(line);
      return match === null ? [] : [[match[1] as string, match[2] as string]];
    }),
);
/** Every `${NAME}` / `${NAME:?message}` compose substitutes from .env. */
const substituted = [...composeText.matchAll(/\$\{([A-Z_]+)(?::\?[^}]*)?\}/g)].map((m) => m[1] as string);
// Compose fills the ${...} from .env; the test fills them from .env.example.
const compose = parse(
  composeText.replace(/\$\{([A-Z_]+)(?::\?[^}]*)?\}/g, (_, name: string) => example[name] ?? ''),
  { merge: true },
) as {
  services: Record<string, ComposeService>;
};
const services = Object.entries(compose.services);
const roles = services.filter(([, s]) => s.build !== undefined || s.image === 'marquee:local');
const defaults = loadConfig({}, { serviceSecrets: () => ({}) });
const publishedPort = (name: string) => services.find(([n]) => n === name)?.[1].ports?.[0]?.split(':')[1];

describe('docker-compose.yml', () => {
  it('runs Kafka, Redis, Postgres, Jaeger, Prometheus and Grafana, each with a health check', () => {
    for (const name of ['kafka', 'redis', 'postgres', 'jaeger', 'prometheus', 'grafana']) {
      const service = compose.services[name];
      expect(service?.image, name).toBeDefined();
      expect(service?.healthcheck?.test.length, name).toBeGreaterThan(0);
    }
  });

  it('runs Redis as marquee services does: append-only, fsync every second, no eviction, on a volume', () => {
    const redis = compose.services.redis;
    const args = (redis?.command ?? []).join(' ');
    for (const [name, value] of Object.entries(REDIS_DURABILITY))
      expect(args).toContain(`--${name} ${value}`);
    expect(redis?.volumes).toContain('redis-data:/data');
  });

  it('takes every secret from the uncommitted .env, and names each in .env.example', () => {
    expect(new Set(substituted)).toEqual(
      new Set(['JWT_SECRET', 'NOISE_SECRET', 'REDIS_PASSWORD', 'POSTGRES_PASSWORD']),
    );
    for (const name of substituted) expect(Object.keys(example), name).toContain(name);
    expect(readFileSync(new URL('../.gitignore', import.meta.url), 'utf8')).toMatch(/^\.env$/m);
    // No secret spelled out: every secret-like variable is a substitution.
    for (const line of composeText.split('\n'))
      if (/(SECRET|PASSWORD|REDISCLI_AUTH)[A-Z_]*:/.test(line)) expect(line).toMatch(/\$\{[A-Z_]+:\?/);
    expect(composeText).not.toMatch(/trust/);
  });

  it('asks for passwords: Redis with requirepass, Postgres with a superuser password', () => {
    const redisArgs = compose.services.redis?.command ?? [];
    expect(redisArgs[redisArgs.indexOf('--requirepass') + 1]).toBe(example.REDIS_PASSWORD);
    expect(compose.services.redis?.environment?.REDISCLI_AUTH).toBe(example.REDIS_PASSWORD);
    expect(compose.services.postgres?.environment?.POSTGRES_PASSWORD).toBe(example.POSTGRES_PASSWORD);
  });

  it('publishes every port on loopback only', () => {
    for (const [name, service] of services) {
      for (const port of service.ports ?? []) expect(port, name).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
    }
  });

  it('publishes the ports the config defaults point at', () => {
    expect(publishedPort('kafka')).toBe(defaults.kafka.brokers[0]?.split(':')[1]);
    expect(publishedPort('redis')).toBe(new URL(defaults.redis.url).port);
    expect(publishedPort('postgres')).toBe(new URL(defaults.postgres.url).port);
  });

  it('starts every long-running role and the migration, each a real marquee command', () => {
    expect(roles.map(([, r]) => r.command?.[0]).sort()).toEqual([
      'api',
      'ingest',
      'migrate',
      'sink',
      'stream',
      'worker',
    ]);
    const names = commands.map((c) => c.name);
    for (const [name, role] of roles) expect(names, name).toContain(role.command?.[0]);
  });

  it('gives every role only known variables, and values the config accepts', () => {
    for (const [name, role] of roles) {
      const env = Object.fromEntries(Object.entries(role.environment ?? {}).map(([k, v]) => [k, String(v)]));
      for (const key of Object.keys(env))
        expect(Object.keys(configVariables), `${name}: ${key}`).toContain(key);
      const config = loadConfig(env);
      expect(config.kafka.brokers[0], name).toMatch(/^kafka:\d+$/);
      expect(config.secrets.jwtSecret, name).toBe(env.JWT_SECRET);
      expect(new URL(config.postgres.url).hostname).toBe('postgres');
      expect(new URL(config.redis.url).hostname).toBe('redis');
      expect(decodeURIComponent(new URL(config.redis.url).password), name).toBe(example.REDIS_PASSWORD);
      expect(decodeURIComponent(new URL(config.postgres.url).password), name).toBe(example.POSTGRES_PASSWORD);
    }
  });

  it('points the roles at the listeners the containers expose', () => {
    const kafkaEnv = compose.services.kafka?.environment ?? {};
    const role = roles[0]?.[1];
    const broker = String(role?.environment?.KAFKA_BROKERS);
    expect(String(kafkaEnv.KAFKA_ADVERTISED_LISTENERS)).toContain(broker);
    expect(String(kafkaEnv.KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS)).toBe('0');
  });

  it('has Prometheus scrape every role on the port it serves /metrics on, with the alert rules mounted', () => {
    const prometheus = compose.services['prometheus'];
    expect(prometheus?.volumes).toContain('./otel/prometheus/rules.yml:/etc/prometheus/rules.yml:ro');
    const config = parse(
      readFileSync(new URL('../config/prometheus/prometheus.yml', import.meta.url), 'utf8'),
    ) as {
      rule_files: string[];
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    expect(config.rule_files).toEqual(['/etc/prometheus/rules.yml']);
    const scraped = config.scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets));
    for (const [name, role] of roles) {
      if (name === 'migrate') continue;
      const args = role.command ?? [];
      const port = name === 'api' ? '8082' : args[args.indexOf('--metrics-port') + 1];
      expect(scraped, name).toContain(`${name}:${port}`);
    }
  });

  it('provisions Grafana with the datasource and the dashboards of otel/grafana', () => {
    expect(compose.services['grafana']?.volumes).toEqual([
      './otel/grafana/provisioning:/etc/grafana/provisioning:ro',
      './otel/grafana/dashboards:/var/lib/grafana/dashboards:ro',
    ]);
  });
});
