/**
 * Runs a few long-lived child processes as one unit (`marquee up`): each output line prefixed with the
 * child's name, a child that exits restarted after an exponential back-off, a crash loop turned into
 * one clear error, and a stop that leaves no process behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { backoffDelay, type BackoffOptions } from '../lib/retry-backoff.ts';
import { createLineSplitter, crashesWithin, labelFor, type LineSplitter } from './supervisor-lines.ts';

/** One supervised process: what to run and the name its lines carry. */
export interface ChildSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/** How the supervisor reports and how patient it is; every bound has a default. */
export interface SupervisorOptions {
  /** Receives the children's stdout lines, prefixed. */
  readonly out: (line: string) => void;
  /** Receives the children's stderr lines, prefixed, and the supervisor's own notes (starts, exits). */
  readonly err: (line: string) => void;
  /** Back-off before restart number n (default 1 s doubling up to 30 s, full jitter). */
  readonly backoff?: BackoffOptions;
  /** Give up when one child crashed this often within the window (default 5 within 60 s). */
  readonly crashLimit?: { readonly crashes: number; readonly windowMs: number };
  /** How long stop() waits after SIGTERM before SIGKILL (default 15 s). */
  readonly stopGraceMs?: number;
  /** Output lines kept per child for the crash-loop error (default 20). */
  readonly keepLines?: number;
  readonly random?: () => number;
  readonly now?: () => number;
}

/** A running set of children. */
export interface Supervisor {
  /** Resolves once stop() has ended every child; rejects with CrashLoopError after giving up (all stopped). */
  readonly done: Promise<void>;
  /** Each child's current pid; undefined while it waits for its restart. */
  pids(): ReadonlyMap<string, number | undefined>;
  /** SIGTERM to every child, SIGKILL to what is left after the grace period; idempotent. */
  stop(): Promise<void>;
  /** SIGKILL to every child and its process group at once (a second Ctrl-C, or this process exiting). */
  kill(): void;
}

/** A child kept crashing: everything was stopped. Carries the child's name and its last output lines. */
export class CrashLoopError extends Error {
  override readonly name = 'CrashLoopError';
  constructor(
    readonly child: string,
    readonly lastLines: readonly string[],
    crashes: number,
    windowMs: number,
  ) {
    super(
      `${child} exited ${crashes} times within ${Math.round(windowMs / 1000)} s; stopped everything. ` +
        `Its last lines:\n${lastLines.map((l) => `  ${l}`).join('\n') || '  (no output)'}`,
    );
  }
}

interface Slot {
  readonly spec: ChildSpec;
  readonly label: string;
  child: ChildProcess | undefined;
  /** Resolves when the current child has exited and its output is drained. */
  ended: Promise<void>;
  crashes: number[];
  tail: string[];
  restart: NodeJS.Timeout | undefined;
}

/** Starts every child now and supervises them until stop() or a crash loop. */
export function startSupervisor(specs: readonly ChildSpec[], options: SupervisorOptions): Supervisor {
  const backoff = options.backoff ?? { baseMs: 1_000, maxMs: 30_000 };
  const limit = options.crashLimit ?? { crashes: 5, windowMs: 60_000 };
  const graceMs = options.stopGraceMs ?? 15_000;
  const keepLines = options.keepLines ?? 20;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const width = Math.max(...specs.map((s) => s.name.length));
  const slots: Slot[] = specs.map((spec) => ({
    spec,
    label: labelFor(spec.name, width),
    child: undefined,
    ended: Promise.resolve(),
    crashes: [],
    tail: [],
    restart: undefined,
  }));
  let stopping: Promise<void> | undefined;
  let resolveDone!: () => void;
  let rejectDone!: (error: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  done.catch(() => undefined); // the caller may only await stop(); a crash loop must not go unhandled
  // Children run in process groups of their own (Ctrl-C reaches only us, so we order the stop); if this
  // process exits any other way, they must not outlive it.
  const killOnExit = () => killAll();
  process.on('exit', killOnExit);

  const note = (slot: Slot, text: string) => options.err(`${slot.label}${text}`);

  function start(slot: Slot): void {
    slot.restart = undefined;
    slot.tail = [];
    const child = spawn(slot.spec.command, [...slot.spec.args], {
      env: slot.spec.env ?? process.env,
      cwd: slot.spec.cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    slot.child = child;
    const keep = (line: string) => {
      slot.tail.push(line);
      if (slot.tail.length > keepLines) slot.tail.shift();
    };
    const out = createLineSplitter((line) => (keep(line), options.out(`${slot.label}${line}`)));
    const err = createLineSplitter((line) => (keep(line), options.err(`${slot.label}${line}`)));
    pipeLines(child.stdout, out);
    pipeLines(child.stderr, err);
    note(slot, `started: ${[slot.spec.command, ...slot.spec.args].join(' ')} (pid ${child.pid ?? '?'})`);
    slot.ended = new Promise((resolve) => {
      let finished = false;
      const finish = (code: number | null, signal: NodeJS.Signals | null, error?: Error) => {
        if (finished) return;
        finished = true;
        out.end();
        err.end();
        slot.child = undefined;
        resolve();
        exited(
          slot,
          error?.message ?? (signal !== null ? `killed by ${signal}` : `exited with code ${code}`),
        );
      };
      // What the child leaves in its group after it is gone would be an orphan: end it with the child.
      child.once('exit', () => killGroup(child, 'SIGKILL'));
      child.once('close', (code, signal) => finish(code, signal));
      child.on('error', (error) => {
        if (child.pid === undefined) finish(null, null, error); // never started: no 'close' follows
      });
    });
  }

  function exited(slot: Slot, how: string): void {
    if (stopping !== undefined) {
      note(slot, how);
      return;
    }
    slot.crashes = crashesWithin([...slot.crashes, now()], now(), limit.windowMs);
    if (slot.crashes.length >= limit.crashes) {
      note(slot, `${how}; ${slot.crashes.length} exits within ${limit.windowMs / 1000} s: giving up`);
      const failure = new CrashLoopError(slot.spec.name, slot.tail, slot.crashes.length, limit.windowMs);
      void stopAll().then(() => rejectDone(failure));
      return;
    }
    const delay = backoffDelay(slot.crashes.length, backoff, random);
    const window = `${slot.crashes.length} within ${limit.windowMs / 1000} s; gives up at ${limit.crashes}`;
    note(slot, `${how}; restarting in ${delay} ms (${window})`);
    slot.restart = setTimeout(() => start(slot), delay);
  }

  function stopAll(): Promise<void> {
    stopping ??= (async () => {
      for (const slot of slots) clearTimeout(slot.restart);
      const live = slots.filter((s) => s.child !== undefined);
      // The leader only: a role stops its own children (the API's cluster workers drain on its signal).
      for (const slot of live) slot.child?.kill('SIGTERM');
      const all = Promise.all(live.map((s) => s.ended));
      let timer: NodeJS.Timeout | undefined;
      const late = await Promise.race([
        all.then(() => false),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), graceMs))),
      ]);
      clearTimeout(timer);
      if (late) {
        for (const slot of slots.filter((s) => s.child !== undefined))
          note(slot, `still running ${graceMs / 1000} s after SIGTERM: SIGKILL`);
        killAll();
        await all;
      }
      process.off('exit', killOnExit);
    })();
    return stopping;
  }

  function killAll(): void {
    for (const slot of slots) {
      clearTimeout(slot.restart);
      if (slot.child !== undefined) killGroup(slot.child, 'SIGKILL');
    }
  }

  for (const slot of slots) start(slot);
  return {
    done,
    pids: () => new Map(slots.map((s) => [s.spec.name, s.child?.pid])),
    stop: () => stopAll().then(resolveDone),
    kill() {
      // Marked as stopping first, so the deaths that follow are not taken for crashes to restart.
      stopping ??= Promise.all(slots.map((s) => s.ended)).then(() => void process.off('exit', killOnExit));
      killAll();
    },
  };
}

/** Signals the child's whole process group (it leads one: spawned detached); gone already is fine. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: nothing left in the group.
  }
}

/** Feeds a child's output stream, decoded as UTF-8 across chunk boundaries, into a line splitter. */
function pipeLines(stream: NodeJS.ReadableStream | null, lines: LineSplitter): void {
  stream?.setEncoding('utf8');
  stream?.on('data', (text: string) => lines.push(text));
}
