/**
 * `marquee up` as a child process, for the end-to-end test and the course check: started with a
 * scope's environment, its output kept, stopped with SIGTERM as Ctrl-C would — and, if that fails or
 * the caller gave up, every role it started killed by process group, so no run leaves one behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { waitUntil } from '../../src/lib/time.ts';

/** A spawned `marquee up`. */
export interface UpProcess {
  readonly child: ChildProcess;
  /** Everything it printed so far (stdout and stderr, interleaved as they arrived). */
  output(): string;
  /** The roles' process ids, from the supervisor's "started" lines. */
  pids(): number[];
  /** Resolves when `pattern` appears in the output; false after `timeoutMs` or if it exited first. */
  seen(pattern: RegExp, timeoutMs: number): Promise<boolean>;
  /** SIGTERM, then waits up to `graceMs` for it to exit; kills what is left. Resolves with its exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

/** True while the process exists and is not a zombie. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
}

/** Spawns `marquee up ...args` with `env`; `onLine` sees every output line as it arrives. */
export function spawnUp(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  onLine?: (line: string) => void,
): UpProcess {
  const child = spawn(process.execPath, ['bin/marquee.js', 'up', ...args], {
    cwd: new URL('../..', import.meta.url),
    env: { ...process.env, ...env, KAFKAJS_NO_PARTITIONER_WARNING: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let partial = '';
  const take = (chunk: Buffer) => {
    const text = chunk.toString();
    output += text;
    if (onLine === undefined) return;
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const running = () => child.exitCode === null && child.signalCode === null;
  const pids = () =>
    [...output.matchAll(/^\[[a-z]+\] +started: .* \(pid (\d+)\)$/gm)].map((m) => Number(m[1]));
  const killAll = () => {
    if (running()) child.kill('SIGKILL');
    // Each role leads its own process group (the supervisor's doing): kill the groups.
    for (const pid of pids()) if (alive(pid)) process.kill(-pid, 'SIGKILL');
  };
  return {
    child,
    output: () => output,
    pids,
    async seen(pattern, timeoutMs) {
      const found = await waitUntil(async () => pattern.test(output) || !running(), timeoutMs, 100);
      return found.ok && pattern.test(output);
    },
    async stop(graceMs = 30_000) {
      if (running()) child.kill('SIGTERM');
      const code = await Promise.race([
        exited,
        new Promise<'late'>((r) => setTimeout(() => r('late'), graceMs)),
      ]);
      killAll();
      await waitUntil(async () => pids().every((pid) => !alive(pid)), 5_000, 50);
      return code === 'late' ? null : code;
    },
  };
}
