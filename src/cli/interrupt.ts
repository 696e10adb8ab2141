/** Thrown into a command's steps when Ctrl-C (or SIGTERM) arrives: unwind and stop what was started. */
export class Interrupted extends Error {
  override readonly name = 'Interrupted';
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
  }
}

/** Ctrl-C for a command that runs steps one after another (runUntilSignal is for roles that run until told). */
export interface Interrupt {
  /** Aborted at the first signal; hand it to fetches, timers and loops so they end too. */
  readonly signal: AbortSignal;
  /** Resolves like `work`, or rejects with Interrupted as soon as a signal arrives. */
  race<T>(work: Promise<T>): Promise<T>;
  /** Removes the signal handlers (the default action is back). */
  dispose(): void;
}

/**
 * Listens for SIGINT and SIGTERM: the first aborts `signal`, so the command unwinds through its
 * `finally` and stops what it started; a second exits at once (130), for when stopping hangs.
 */
export function onInterrupt(log: (line: string) => void): Interrupt {
  const controller = new AbortController();
  const handle = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      log(`${signal} again: exiting without waiting`);
      process.exit(130);
    }
    log(`${signal}: stopping everything this command started (again to exit at once)`);
    controller.abort(new Interrupted(signal));
  };
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);
  const { signal } = controller;
  return {
    signal,
    race(work) {
      if (signal.aborted) return Promise.reject(signal.reason as Error);
      return new Promise((resolve, reject) => {
        const abort = () => reject(signal.reason as Error);
        signal.addEventListener('abort', abort, { once: true });
        work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
      });
    },
    dispose() {
      process.off('SIGINT', handle);
      process.off('SIGTERM', handle);
    },
  };
}
