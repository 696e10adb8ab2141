import { UsageError, type CommandIo } from './command.ts';
import { commands } from './commands.ts';

const processIo: CommandIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
};

function helpText(): string {
  const width = Math.max(...commands.map((c) => c.name.length), 4);
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'usage: marquee <command> [options]',
    '',
    'commands:',
    ...lines,
    '',
    'marquee <command> --help shows its options.',
  ].join('\n');
}

/** Runs `marquee <argv>`; returns the exit code instead of exiting so tests can call it. */
export async function main(argv: readonly string[], io: CommandIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.out(helpText());
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name);
  if (command === undefined) {
    io.err(`marquee: unknown command '${name}'\n\n${helpText()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(command.usage);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`marquee ${name}: ${error.message}\n\n${command.usage}`);
      return 2;
    }
    io.err(`marquee ${name}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
