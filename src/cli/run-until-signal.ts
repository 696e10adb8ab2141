import type { RunningRole } from '../../streams/running-role.ts';

/**
 * Keeps roles running until SIGTERM or SIGINT, then stops them in reverse start order (each flushes,
 * commits and leaves its consumer group). A second signal exits at once.
 */
export function runUntilSignal(roles: readonly RunningRole[], log: (line: string) => void): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) process.exit(130);
      stopping = true;
      log(`${signal}: stopping ${roles.map((r) => r.name).join(', ')}`);
      void (async () => {
        let code = 0;
        for (const role of [...roles].reverse()) {
          await role.stop().catch((error: unknown) => {
            log(`${role.name}: ${error instanceof Error ? error.message : String(error)}`);
            code = 1;
          });
        }
        process.off('SIGTERM', stop);
        process.off('SIGINT', stop);
        resolve(code);
      })();
    };
    // `on`, not `once`: the same signal twice must reach the second branch (exit handlers run), not the
    // default action, which kills the process without them.
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}
