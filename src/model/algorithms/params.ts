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

/** What a numeric parameter may be: an integer or any number, within [min, max] (min excluded if `above`). */
interface NumberRule {
  readonly integer: boolean;
  readonly min: number;
  readonly above?: boolean;
  readonly max: number;
}

const count = (min: number, max: number): NumberRule => ({ integer: true, min, max });
const rate: NumberRule = { integer: false, min: 0, max: 1 };
const penalty: NumberRule = { integer: false, min: 0, max: 1e6 };

/**
 * Ranges by parameter name, shared by the algorithms that use the name (svd, svd++, nmf, baseline,
 * knn-baseline): outside them a fit fails on a typed-array length or trains NaN, so they are refused
 * up front. A name not listed takes any finite number.
 */
const NUMBER_RULES: Readonly<Record<string, NumberRule>> = {
  factors: count(1, 1024),
  epochs: count(1, 10_000),
  k: count(1, 100_000),
  minK: count(1, 100_000),
  minSupport: count(0, 1_000_000),
  seed: count(0, 2 ** 32 - 1),
  lr: rate,
  learningRate: rate,
  lrBu: rate,
  lrBi: rate,
  reg: penalty,
  regUser: penalty,
  regItem: penalty,
  regPu: penalty,
  regQi: penalty,
  regBu: penalty,
  regBi: penalty,
  shrinkage: penalty,
  initStd: { integer: false, min: 0, max: 10 },
};

/** String parameters with a fixed set of values. */
const CHOICES: Readonly<Record<string, readonly string[]>> = { method: ['als', 'sgd'] };

function parseLike(example: unknown, key: string, raw: string): ParamValue {
  if (typeof example === 'number') {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n))
      throw new RangeError(`parameter ${key} needs a number, got '${raw}'`);
    const rule = NUMBER_RULES[key];
    if (rule !== undefined) {
      const low = rule.above === true ? n <= rule.min : n < rule.min;
      if ((rule.integer && !Number.isInteger(n)) || low || n > rule.max)
        throw new RangeError(
          `parameter ${key} needs ${rule.integer ? 'an integer' : 'a number'} ${rule.above === true ? `above ${rule.min}` : `from ${rule.min}`} to ${rule.max}, got '${raw}'`,
        );
    }
    return n;
  }
  if (typeof example === 'boolean') {
    if (raw !== 'true' && raw !== 'false')
      throw new RangeError(`parameter ${key} needs true or false, got '${raw}'`);
    return raw === 'true';
  }
  if (typeof example !== 'string')
    throw new RangeError(`parameter ${key} is a group of settings and cannot be set as one value`);
  const choices = CHOICES[key];
  if (choices !== undefined && !choices.includes(raw))
    throw new RangeError(`parameter ${key} needs one of ${choices.join(', ')}, got '${raw}'`);
  return raw;
}
