/** The supervisor's pure parts: splitting output into lines, the name column, the crash window. */

/** Collects text chunks and calls back once per complete line. */
export interface LineSplitter {
  push(text: string): void;
  /** Emits what is left without a final newline (the child ended mid-line). */
  end(): void;
}

/** A line longer than this is emitted in pieces: a child that never prints '\n' must not grow our memory. */
const MAX_LINE = 64 * 1024;

/** A splitter on '\n' that also drops the '\r' of CRLF output. */
export function createLineSplitter(onLine: (line: string) => void): LineSplitter {
  let partial = '';
  const emit = (line: string) => onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
  return {
    push(text) {
      const parts = (partial + text).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) emit(line);
      while (partial.length > MAX_LINE) {
        emit(partial.slice(0, MAX_LINE));
        partial = partial.slice(MAX_LINE);
      }
    },
    end() {
      if (partial !== '') emit(partial);
      partial = '';
    },
  };
}

/** `[name]` padded to the longest name plus one space, so every child's lines start in one column. */
export function labelFor(name: string, width: number): string {
  return `[${name}]`.padEnd(width + 3);
}

/** The crash times still inside the window ending at `now`: old crashes are forgiven. */
export function crashesWithin(times: readonly number[], now: number, windowMs: number): number[] {
  return times.filter((t) => now - t < windowMs);
}
