/**
 * A log for errors that can repeat thousands of times a second (a client reconnecting, every request
 * falling back while Redis is down): the first occurrence of each kind is written at once, repeats
 * within `intervalMs` are counted and summarised in the next line of that kind. Nothing is dropped
 * silently, and a flood cannot drown the log or the event loop.
 */
export type ThrottledLog = (kind: string, message: string) => void;

/** A throttled log writing lines through `log`. */
export function createThrottledLog(
  log: (line: string) => void,
  intervalMs = 10_000,
  now: () => number = Date.now,
): ThrottledLog {
  const last = new Map<string, { at: number; suppressed: number }>();
  return (kind, message) => {
    const t = now();
    const seen = last.get(kind);
    if (seen !== undefined && t - seen.at < intervalMs) {
      seen.suppressed++;
      return;
    }
    const more =
      seen !== undefined && seen.suppressed > 0 ? ` (and ${seen.suppressed} more since the last line)` : '';
    last.set(kind, { at: t, suppressed: 0 });
    log(`${kind}: ${message}${more}`);
  };
}
