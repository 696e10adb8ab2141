/**
 * `marquee api` as a child process, for the runs that must tell a crash from an error answer (the
 * HTTP fuzz, the chaos suite): started with a scope's environment on a free port, its output kept.
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** A spawned `marquee api`. */
export interface ApiProcess {
  readonly child: ChildProcess;
  /** The port it listens on, once it said so; rejects with its output if it exits first. */
  readonly ready: Promise<number>;
  /** The exit code, or the signal that ended it. */
  readonly exited: Promise<number | NodeJS.Signals | null>;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM (unless it already ended), then its exit. */
  stop(): Promise<number | NodeJS.Signals | null>;
}

/** Spawns `marquee api --port 0 ...args` with `env`. */
export function spawnApi(
  env: Readonly<Record<string, string | undefined>>,
  args: readonly string[] = [],
): ApiProcess {
  const child = spawn(process.execPath, ['bin/marquee.js', 'api', '--port', '0', ...args], {
    cwd: new URL('../..', import.meta.url),
    env: { ...process.env, ...env, KAFKAJS_NO_PARTITIONER_WARNING: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  );
  const ready = new Promise<number>((resolve, reject) => {
    const take = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on http:\/\/[^:]+:(\d+)/.exec(output);
      if (match !== null) resolve(Number(match[1]));
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    void exited.then((code) => reject(new Error(`marquee api exited with ${code}: ${output}`)));
  });
  ready.catch(() => undefined);
  return {
    child,
    ready,
    exited,
    output: () => output,
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
