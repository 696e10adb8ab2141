import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../lib/time.ts';
import { CrashLoopError, startSupervisor, type ChildSpec, type Supervisor } from './supervisor.ts';

const dir = mkdtempSync(join(tmpdir(), 'supervisor-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A `node -e` child: tiny real processes, no mocks. */
const node = (name: string, script: string): ChildSpec => ({
  name,
  command: process.execPath,
  args: ['-e', script],
});
const READY_AND_WAIT = `console.log('ready'); setInterval(() => {}, 1000);`;

/** A supervisor whose output is kept, with short bounds so each test takes about a second. */
function supervise(
  specs: readonly ChildSpec[],
  options: Partial<Parameters<typeof startSupervisor>[1]> = {},
) {
  const out: string[] = [];
  const err: string[] = [];
  /** When each of the supervisor's notes and the children's stderr lines arrived, ms since the epoch. */
  const errAt = new Map<string, number>();
  const supervisor = startSupervisor(specs, {
    out: (line) => out.push(line),
    err: (line) => (err.push(line), errAt.set(line, Date.now())),
    backoff: { baseMs: 50, maxMs: 1_000 },
    stopGraceMs: 2_000,
    ...options,
  });
  const seen = (pattern: RegExp, count = 1) =>
    waitUntil(async () => [...out, ...err].filter((l) => pattern.test(l)).length >= count, 10_000, 20);
  return { supervisor, out, err, errAt, seen };
}

/** True while the process exists and is not a zombie (an orphan reparented to an init that never reaps). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
}

const pidsOf = (supervisor: Supervisor) => [...supervisor.pids().values()].filter((p) => p !== undefined);

describe('startSupervisor', () => {
  it('prefixes every stdout and stderr line with the child name, in one column', async () => {
    const { supervisor, out, err, seen } = supervise([
      node(
        'a',
        // 'two' arrives in two writes: a line is printed whole, once its newline comes.
        `console.error('three'); process.stdout.write('one\\ntw'); setTimeout(() => console.log('o'), 50); setInterval(() => {}, 1000);`,
      ),
      node('long-name', READY_AND_WAIT),
    ]);
    expect((await seen(/ready$|two$/, 2)).ok).toBe(true);
    await supervisor.stop();
    expect(out).toContain('[a]         one');
    expect(out).toContain('[a]         two');
    expect(out).toContain('[long-name] ready');
    expect(out.some((l) => l.endsWith('tw'))).toBe(false);
    expect(err).toContain('[a]         three');
    expect(err.some((l) => /^\[long-name\] started: .* \(pid \d+\)$/.test(l))).toBe(true);
  });

  it('restarts a child that crashed, after a back-off, and keeps it running', async () => {
    const marker = join(dir, 'crashed-once');
    const script = `const fs = require('node:fs');
      if (!fs.existsSync(${JSON.stringify(marker)})) { fs.writeFileSync(${JSON.stringify(marker)}, ''); console.error('boom'); process.exit(3); }
      ${READY_AND_WAIT}`;
    // random ≈ 1: the full back-off ceiling, 300 ms before the first restart.
    const { supervisor, err, errAt, seen } = supervise([node('flaky', script)], {
      backoff: { baseMs: 300, maxMs: 1_000 },
      random: () => 0.999,
    });
    const firstPid = supervisor.pids().get('flaky');
    expect((await seen(/ready$/)).ok).toBe(true);
    const restarted = supervisor.pids().get('flaky');
    expect(restarted).toBeDefined();
    expect(restarted).not.toBe(firstPid);
    expect(err).toContain('[flaky] boom');
    const crashNote = '[flaky] exited with code 3; restarting in 299 ms (1 within 60 s; gives up at 5)';
    expect(err).toContain(crashNote);
    const restartedAt = errAt.get(err.filter((l) => l.startsWith('[flaky] started')).at(-1) ?? '');
    expect((restartedAt ?? 0) - (errAt.get(crashNote) ?? Infinity)).toBeGreaterThanOrEqual(290);
    expect(alive(restarted ?? 0)).toBe(true);
    await supervisor.stop();
    expect(alive(restarted ?? 0)).toBe(false);
  });

  it('gives up on a child that keeps crashing, naming it and its last lines, and stops the others', async () => {
    const { supervisor, err, seen } = supervise(
      [node('steady', READY_AND_WAIT), node('broken', `console.error('bad config: X'); process.exit(1);`)],
      { crashLimit: { crashes: 3, windowMs: 60_000 } },
    );
    expect((await seen(/\[steady\] ready$/)).ok).toBe(true);
    const steady = supervisor.pids().get('steady') ?? 0;
    const failure = await supervisor.done.then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(CrashLoopError);
    expect((failure as CrashLoopError).child).toBe('broken');
    expect((failure as CrashLoopError).lastLines).toEqual(['bad config: X']);
    expect((failure as Error).message).toMatch(/^broken exited 3 times within 60 s/);
    expect(err.filter((l) => l.startsWith('[broken] started')).length).toBe(3);
    expect(err).toContain('[broken] exited with code 1; 3 exits within 60 s: giving up');
    expect(alive(steady)).toBe(false);
  });

  it('stops every child on stop: SIGTERM, then SIGKILL for one that ignores it, and no orphan', async () => {
    const grandchild = `require('node:child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'inherit' }).pid`;
    const { supervisor, out, err, seen } = supervise(
      [
        node('polite', `process.on('SIGTERM', () => process.exit(0)); ${READY_AND_WAIT}`),
        node('deaf', `process.on('SIGTERM', () => console.log('ignoring SIGTERM')); ${READY_AND_WAIT}`),
        // Exits on SIGTERM without ending its own child: the supervisor must end it.
        node(
          'parent',
          `console.log('grandchild ' + ${grandchild}); process.on('SIGTERM', () => process.exit(0)); ${READY_AND_WAIT}`,
        ),
      ],
      { stopGraceMs: 500 },
    );
    expect((await seen(/ready$/, 3)).ok).toBe(true);
    const grandchildPid = Number(
      out
        .find((l) => l.startsWith('[parent] grandchild'))
        ?.split(' ')
        .pop(),
    );
    expect(alive(grandchildPid)).toBe(true);
    const pids = [...pidsOf(supervisor), grandchildPid];
    expect(pids).toHaveLength(4);
    const started = Date.now();
    await supervisor.stop();
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(450);
    expect(took).toBeLessThan(5_000);
    expect(err).toContain('[deaf]   still running 0.5 s after SIGTERM: SIGKILL');
    expect(err).toContain('[deaf]   killed by SIGKILL');
    expect(err).toContain('[polite] exited with code 0');
    for (const pid of pids) expect(alive(pid), `pid ${pid}`).toBe(false);
    expect(pidsOf(supervisor)).toEqual([]);
  });

  it('kills every child at once on kill', async () => {
    const { supervisor, err, seen } = supervise([
      node('deaf', `process.on('SIGTERM', () => {}); ${READY_AND_WAIT}`),
    ]);
    expect((await seen(/ready$/)).ok).toBe(true);
    const pid = supervisor.pids().get('deaf') ?? 0;
    const started = Date.now();
    supervisor.kill();
    await supervisor.stop(); // after kill, stop only waits for the deaths: no SIGTERM grace
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(alive(pid)).toBe(false);
    expect(err).toContain('[deaf] killed by SIGKILL');
  });
});
