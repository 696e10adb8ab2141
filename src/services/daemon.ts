import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { sleep } from '../lib/time.ts';

/** What Marquee records about a process it started, so `down` stops only its own processes. */
export interface DaemonRecord {
  readonly pid: number;
  /** The executable's base name, checked against /proc before signalling (guards against pid reuse). */
  readonly executable: string;
  readonly startedAt: string;
}

/** How to start one long-running service process. */
export interface DaemonSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly logFile: string;
  readonly pidFile: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Run as this user (Postgres refuses to run as root). */
  readonly uid?: number;
  readonly gid?: number;
}

/** Variables a service process may see: what finds programs, locale and time, nothing of Marquee's. */
const SERVICE_VARIABLES = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'LANG',
  'LC_ALL',
  'LC_CTYPE',
  'TZ',
  'TMPDIR',
  'JAVA_HOME',
];

/**
 * The environment a service starts with: an allow-list, so Kafka, Redis and Postgres never inherit
 * Marquee's secrets (JWT_SECRET, NOISE_SECRET, passwords, URLs that carry them) from whoever ran
 * `marquee services up`.
 */
export function serviceEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(
    SERVICE_VARIABLES.flatMap((name) => (env[name] === undefined ? [] : [[name, env[name]]])),
  );
}

/** Starts a detached process whose output is appended to its log file, and records its pid. */
export function startDaemon(spec: DaemonSpec): DaemonRecord {
  mkdirSync(dirname(spec.logFile), { recursive: true });
  mkdirSync(dirname(spec.pidFile), { recursive: true });
  const log = openSync(spec.logFile, 'a');
  try {
    const child = spawn(spec.command, spec.args, {
      detached: true,
      stdio: ['ignore', log, log],
      env: spec.env ?? serviceEnvironment(),
      cwd: spec.cwd,
      uid: spec.uid,
      gid: spec.gid,
    });
    if (child.pid === undefined) throw new Error(`could not start ${spec.command}: see ${spec.logFile}`);
    child.unref();
    const record: DaemonRecord = {
      pid: child.pid,
      executable: spec.command.split('/').pop() ?? spec.command,
      startedAt: new Date().toISOString(),
    };
    writeFileSync(spec.pidFile, JSON.stringify(record));
    return record;
  } finally {
    closeSync(log);
  }
}

/** The record of a process Marquee started, if its pid file exists and the process is still that one. */
export function runningDaemon(pidFile: string): DaemonRecord | undefined {
  let record: DaemonRecord;
  try {
    record = JSON.parse(readFileSync(pidFile, 'utf8')) as DaemonRecord;
  } catch {
    return undefined;
  }
  return isAlive(record) ? record : undefined;
}

/** True when the pid is alive, not a zombie, and still runs the executable we started. */
export function isAlive(record: DaemonRecord): boolean {
  try {
    const stat = readFileSync(`/proc/${record.pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') return false;
    const cmdline = readFileSync(`/proc/${record.pid}/cmdline`, 'utf8');
    return cmdline.includes(record.executable);
  } catch {
    try {
      process.kill(record.pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

/**
 * Stops a process Marquee started: `signal` first (each service's clean-shutdown signal), SIGKILL to
 * the whole process group after `graceMs`. Removes the pid file. Returns false if nothing was running.
 */
export async function stopDaemon(pidFile: string, signal: NodeJS.Signals, graceMs: number): Promise<boolean> {
  const record = runningDaemon(pidFile);
  if (record === undefined) {
    rmSync(pidFile, { force: true });
    return false;
  }
  signalGroup(record.pid, signal);
  const deadline = Date.now() + graceMs;
  while (isAlive(record) && Date.now() < deadline) await sleep(100);
  if (isAlive(record)) signalGroup(record.pid, 'SIGKILL');
  while (isAlive(record)) await sleep(50);
  rmSync(pidFile, { force: true });
  return true;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}
