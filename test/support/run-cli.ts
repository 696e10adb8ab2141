import { main } from '../../src/cli/main.ts';

/**
 * Runs `marquee <argv>` in this process with an empty environment (so no service is reached unless the
 * command gets that far) and keeps what it printed, both streams in order.
 */
export async function runCli(argv: readonly string[]): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const code = await main(argv, { out: (l) => lines.push(l), err: (l) => lines.push(l), env: {} });
  return { code, text: lines.join('\n') };
}
