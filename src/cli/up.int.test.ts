import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestScope } from '../../test/isolation.ts';
import { waitUntil } from '../lib/time.ts';

const scope = createTestScope('marquee-up');
// The sink's consumer group is <KAFKA_CLIENT_ID>-sink: keep it under this scope's prefix too.
const clientId = `${scope.config.kafka.topicPrefix}marquee`;

beforeAll(() => {
  scope.groupId('marquee-sink');
});
afterAll(() => scope.cleanup());

/** A port nothing listens on right now, for this run's API. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** True while the process exists and is not a zombie. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
}

/** Every live process whose environment holds `entry`: anything `marquee up` started inherits the scope's. */
function processesWithEnv(entry: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(entry) && alive(pid);
      } catch {
        return false; // gone meanwhile, or not ours to read
      }
    });
}

/** `marquee up ...args` in this scope, its output collected; `pids()` are the children it said it started. */
function startUp(args: readonly string[], env: Record<string, string> = {}) {
  const up = spawn(process.execPath, ['bin/marquee.js', 'up', ...args], {
    cwd: new URL('../..', import.meta.url),
    env: { ...process.env, ...scope.env, KAFKA_CLIENT_ID: clientId, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  up.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  up.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    up.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const pids = () =>
    [...output.stderr.matchAll(/^\[[a-z]+\] +started: .* \(pid (\d+)\)$/gm)].map((m) => Number(m[1]));
  /** A failed assertion must not leave the command or its children running. */
  const kill = () => {
    up.kill('SIGKILL');
    for (const pid of pids()) if (alive(pid)) process.kill(-pid, 'SIGKILL');
  };
  const seen = async (pattern: RegExp, timeoutMs: number) => {
    const found = await waitUntil(async () => pattern.test(output.stdout + output.stderr), timeoutMs, 100);
    return found.ok || `no ${pattern} in:\n${output.stdout}\n${output.stderr}`;
  };
  return { up, output, exited, pids, kill, seen };
}

const leftovers = () => processesWithEnv(`TOPIC_PREFIX=${scope.config.kafka.topicPrefix}`);

describe('marquee up', () => {
  it('runs the sink and the API, says where the API answers, and stops both on SIGTERM, leaving no process', async () => {
    const port = await freePort();
    const run = startUp(['--only', 'sink,api'], { API_PORT: String(port) });
    const { output } = run;
    try {
      expect(await run.seen(/^API ready: http:\/\/127\.0\.0\.1:\d+\/recommend\/<user>$/m, 45_000)).toBe(true);
      expect(output.stdout).toContain(`API ready: http://127.0.0.1:${port}/recommend/<user>`);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      // The sink prints its topics once it consumes: both roles run, each line under its own name.
      expect(await run.seen(/^\[sink\] sink: .* → postgres/m, 20_000)).toBe(true);
      expect(output.stderr).toMatch(/^\[api\] {2}started: /m);
      expect(output.stdout).toMatch(/^\[api\] {2}marquee api listening on /m);
      const pids = run.pids();
      expect(pids).toHaveLength(2);
      for (const pid of pids) expect(alive(pid)).toBe(true);

      run.up.kill('SIGTERM');
      expect(await run.exited).toEqual({ code: 0, signal: null });
      expect(output.stderr).toContain('SIGTERM: stopping sink, api');
      expect(output.stderr).toMatch(/^\[sink\] exited with code 0$/m);
      expect(output.stderr).toMatch(/^\[api\] {2}exited with code 0$/m);
      for (const pid of pids) expect(alive(pid), `pid ${pid}`).toBe(false);
      expect(leftovers()).toEqual([]);
    } finally {
      run.kill();
    }
  }, 90_000);

  it('refuses a taken API port before starting any role, and never calls the other process its API', async () => {
    const other = createServer((socket) => socket.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n'));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const { port } = other.address() as AddressInfo;
    const run = startUp(['--only', 'api', '--no-services'], { API_PORT: String(port) });
    try {
      expect(await run.exited).toEqual({ code: 1, signal: null });
      expect(run.output.stderr).toContain(
        `marquee up: port ${port} on 127.0.0.1 is in use (another marquee api?): stop it, or set API_PORT`,
      );
      expect(run.output.stdout).not.toContain('API ready');
      expect(run.pids()).toEqual([]);
    } finally {
      run.kill();
      await new Promise((resolve) => other.close(resolve));
    }
  }, 60_000);

  it('refuses a --dataset the stream could not read before starting any role', async () => {
    const run = startUp(['--only', 'stream', '--no-services', '--dataset', '/nope']);
    try {
      expect(await run.exited).toEqual({ code: 2, signal: null });
      expect(run.output.stderr).toMatch(/^marquee up: --dataset: Cannot read dataset directory \/nope: /m);
      expect(run.pids()).toEqual([]);
    } finally {
      run.kill();
    }
  }, 60_000);

  it('exits at once on a second Ctrl-C, killing what still runs', async () => {
    const run = startUp(['--only', 'sink', '--no-services']);
    try {
      expect(await run.seen(/^\[sink\] sink: .* → postgres/m, 45_000)).toBe(true);
      const [pid] = run.pids();
      // The sink takes longer than this to leave its consumer group, so the second signal finds it running.
      run.up.kill('SIGINT');
      await new Promise((resolve) => setTimeout(resolve, 100));
      run.up.kill('SIGINT');
      expect(await run.exited).toEqual({ code: 130, signal: null });
      expect(run.output.stderr).toContain('SIGINT: stopping sink');
      expect((await waitUntil(async () => !alive(pid ?? 0), 2_000, 50)).ok).toBe(true);
      expect(leftovers()).toEqual([]);
    } finally {
      run.kill();
    }
  }, 90_000);
});
