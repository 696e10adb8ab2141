import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './command.ts';

/**
 * Parses `--name value` options strictly; unknown options and stray arguments are usage errors. A
 * negative number after a value option is its value (`--limit -5`), so the option's own range check
 * answers instead of parseArgs's "argument is ambiguous".
 */
export function parseOptions<T extends NonNullable<ParseArgsConfig['options']>>(
  args: readonly string[],
  options: T,
) {
  try {
    return parseArgs({
      args: joinNegativeValues(args, options),
      options,
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** A numeric option within [min, max], or the default when absent. */
export function numberOption(
  value: string | undefined,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max)
    throw new UsageError(`--${name} must be a number within ${min}..${max}, got '${value}'`);
  return n;
}

/** `--name -5` as `--name=-5` when `name` takes a value: parseArgs reads a leading dash as an option. */
export function joinNegativeValues(
  args: readonly string[],
  options: NonNullable<ParseArgsConfig['options']>,
): string[] {
  const out: string[] = [];
  for (let k = 0; k < args.length; k++) {
    const arg = args[k] as string;
    const next = args[k + 1];
    const name = arg.startsWith('--') && !arg.includes('=') ? arg.slice(2) : undefined;
    const takesValue = name !== undefined && Object.hasOwn(options, name) && options[name]?.type === 'string';
    if (takesValue && next !== undefined && /^-(\d|\.\d|Infinity)/.test(next)) {
      out.push(`${arg}=${next}`);
      k++;
    } else out.push(arg);
  }
  return out;
}
