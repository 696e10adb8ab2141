import { createHmac } from 'node:crypto';

/** Noise on scores the JSON API returns, against model copying. */
export interface NoiseOptions {
  /** Standard deviation of the noise, in stars; 0 turns it off. */
  readonly scale: number;
  /** Decimal places scores are rounded to after the noise. */
  readonly decimals: number;
}

/** σ = 0.05 stars, two decimals. */
export const defaultNoiseOptions: NoiseOptions = { scale: 0.05, decimals: 2 };

/**
 * Adds Gaussian noise fixed per (user, movie), drawn from HMAC-SHA256 of the pair under a server-side
 * secret, then rounds. Repeated queries see the same perturbation, so averaging them recovers nothing,
 * and without the secret the noise cannot be predicted and subtracted.
 */
export function noisyScore(
  secret: string,
  userId: string,
  movieId: string,
  score: number,
  options: NoiseOptions,
): number {
  const digest = createHmac('sha256', secret).update(`${userId}\u0000${movieId}`).digest();
  const u1 = (digest.readUInt32LE(0) + 1) / 4294967297;
  const u2 = digest.readUInt32LE(4) / 4294967296;
  const gaussian = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  const factor = 10 ** options.decimals;
  return Math.round((score + options.scale * gaussian) * factor) / factor;
}
