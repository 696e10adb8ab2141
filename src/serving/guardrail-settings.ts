import { defaultAgePolicy, type AgePolicy } from '../guardrails/age-policy.ts';
import { defaultDebiasOptions, type DebiasOptions } from '../guardrails/debias.ts';
import { defaultDiversifyOptions, type DiversifyOptions } from '../guardrails/diversify.ts';
import { defaultNoiseOptions, type NoiseOptions } from '../guardrails/score-noise.ts';

/** The serving pipeline's policy knobs, each with the default. */
export interface GuardrailSettings {
  readonly agePolicy: AgePolicy;
  readonly diversify: DiversifyOptions;
  readonly debias: DebiasOptions;
  readonly noise: NoiseOptions;
  /** Best-scored candidates kept for the re-rank (plus the best of every genre). */
  readonly poolSize: number;
}

/** Defaults: the age rules, 10 genres in 20, head capped at half a list, σ 0.05 noise. */
export const defaultGuardrailSettings: GuardrailSettings = {
  agePolicy: defaultAgePolicy,
  diversify: defaultDiversifyOptions,
  debias: defaultDebiasOptions,
  noise: defaultNoiseOptions,
  poolSize: 200,
};
