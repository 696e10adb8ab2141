/**
 * `marquee stream` as a child process, for the tests and benches that need the real command (crash,
 * SIGTERM, end to end): started with the caller's environment, ready once it says it runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** A spawned `marquee stream`. */
export interface StreamProcess {
  readonly child: ChildProcess;
  /** Resolves once it has printed its "running" line; rejects with its stderr if it exits first. */
  readonly ready: Promise<void>;
  /** The exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
}

/** Spawns `marquee stream ...args` with `env` (a test scope's environment); `onStderr` sees each chunk. */
export function spawnStream(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  onStderr?: (text: string) => void,
): StreamProcess {
  const child = spawn(process.execPath, ['bin/marquee.js', 'stream', ...args], {
    cwd: new URL('../..', import.meta.url),
    env: { ...process.env, ...env, KAFKAJS_NO_PARTITIONER_WARNING: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      stderr += text;
      onStderr?.(text);
      if (/stream: .* running/.test(stderr)) resolve();
    });
    void exited.then((code) =>
      reject(new Error(`marquee stream ${args.join(' ')} exited with ${code}: ${stderr}`)),
    );
  });
  ready.catch(() => undefined); // a caller that stopped waiting must not see an unhandled rejection
  return { child, ready, exited, stderr: () => stderr };
}

/** SIGTERM (unless it already ended), then the exit code. */
export function stopStream(p: StreamProcess): Promise<number | null> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
  return p.exited;
}
