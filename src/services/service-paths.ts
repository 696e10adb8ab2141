import { join } from 'node:path';

/** Where `marquee services` keeps each service's files; one place, so logs are always found. */
export interface ServicePaths {
  readonly home: string;
  readonly logs: string;
  readonly run: string;
  readonly kafka: string;
  readonly redis: string;
  /** Postgres data lives outside root's home when run as root: initdb runs as `postgres`, who cannot enter /root. */
  readonly postgres: string;
}

/** Lays out the service directories under `home`. */
export function servicePaths(home: string, uid: number = process.getuid?.() ?? 1000): ServicePaths {
  return {
    home,
    logs: join(home, 'logs'),
    run: join(home, 'run'),
    kafka: join(home, 'kafka'),
    redis: join(home, 'redis'),
    postgres: uid === 0 ? '/var/lib/marquee/postgres' : join(home, 'postgres'),
  };
}

/** The log file of one service. */
export function logFile(paths: ServicePaths, service: string): string {
  return join(paths.logs, `${service}.log`);
}

/** The pid file of one service Marquee started. */
export function pidFile(paths: ServicePaths, service: string): string {
  return join(paths.run, `${service}.pid`);
}
