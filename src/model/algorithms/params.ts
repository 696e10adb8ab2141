/** A parameter value an algorithm's defaults may hold. */
export type ParamValue = number | boolean | string;

/**
 * Applies `key=value` overrides (as typed on the command line) to an algorithm's defaults, parsing each
 * value as the type of its default. Returns the params and the override keys the defaults lack.
 */
export function applyParams<P extends object>(
  defaults: P,
  overrides: Readonly<Record<string, string>>,
): { params: P; unknown: string[] } {
  const params = { ...defaults } as Record<string, unknown>;
  const unknown: string[] = [];
  for (const [key, raw] of Object.entries(overrides)) {
    if (!Object.hasOwn(params, key)) {
      unknown.push(key);
      continue;
    }
    params[key] = parseLike(params[key], key, raw);
  }
  return { params: params as P, unknown };
}

function parseLike(example: unknown, key: string, raw: string): ParamValue {
  if (typeof example === 'number') {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n))
      throw new RangeError(`parameter ${key} needs a number, got '${raw}'`);
    return n;
  }
  if (typeof example === 'boolean') {
    if (raw !== 'true' && raw !== 'false')
      throw new RangeError(`parameter ${key} needs true or false, got '${raw}'`);
    return raw === 'true';
  }
  return raw;
}
