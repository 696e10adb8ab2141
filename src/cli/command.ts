/** What every `marquee <command>` module exports: the CLI lists and dispatches these, nothing else. */
export interface Command {
  readonly name: string;
  /** One line for `marquee help`. */
  readonly summary: string;
  /** Usage text shown by `marquee <name> --help` and on a usage error. */
  readonly usage: string;
  /** Runs the command; resolves to the process exit code. */
  run(args: readonly string[], io: CommandIo): Promise<number>;
}

/** Where a command writes; tests pass their own to capture output. */
export interface CommandIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** A usage error: the CLI prints the message and the command's usage, and exits with 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
