/**
 * An experiment as the API and the stream see it (pure): arms bound to model versions, how users are
 * assigned, and each arm's label — `e<id>.<arm>`, the value of `X-AB-Arm`, of served lists' `arm`
 * and of the user actors' per-arm served lists, so lists of two experiments never mix.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

/** An arm: a name, the published model version it serves, its share of users. */
export interface ExperimentArm {
  readonly name: string;
  readonly version: string;
  readonly weight: number;
}

/** How users are split: by id parity (the seed's odd/even) or a salted hash against the weights. */
export type Assignment = 'parity' | 'hash';

/** The running experiment (what Redis's `experiment:running` holds). */
export interface RunningExperiment {
  readonly id: string;
  readonly arms: readonly ExperimentArm[];
  readonly assignment: Assignment;
  readonly salt: string;
}

/** An arm name: short, and safe inside a label, a metric label and a file name. */
export const ARM_NAME = /^[a-z0-9][a-z0-9_+-]{0,23}$/;

const armSchema = z.object({
  name: z.string().regex(ARM_NAME),
  version: z.string().min(1).max(40),
  weight: z.number().positive().finite(),
});

/** What a stored running experiment must look like before it is trusted. */
export const runningExperimentSchema = z
  .object({
    id: z.string().regex(/^\d+$/),
    arms: z.array(armSchema).min(2).max(8),
    assignment: z.enum(['parity', 'hash']),
    salt: z.string().max(100),
  })
  .refine((e) => e.assignment === 'hash' || e.arms.length === 2, 'parity assignment splits users into 2 arms')
  .refine((e) => new Set(e.arms.map((a) => a.name)).size === e.arms.length, 'arm names must differ');

/** The label of an arm of experiment `id`. */
export function armLabel(id: string, arm: string): string {
  return `e${id}.${arm}`;
}

/**
 * The seed's split: even numeric ids in the first arm, odd ones in the second; other ids by a hash
 * bucket (first byte of SHA-256). Stable across requests, processes and restarts.
 */
export function parityOf(userId: string): 0 | 1 {
  const last = userId.at(-1) ?? '';
  const n = /^\d+$/.test(userId) ? Number(last) : (createHash('sha256').update(userId).digest()[0] as number);
  return n % 2 === 0 ? 0 : 1;
}

/** FNV-1a, 32 bits, over UTF-16 code units (GrowthBook's SDK hash). */
function fnv32a(text: string): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < text.length; k++) {
    h ^= text.charCodeAt(k);
    h += (h << 1) + (h << 4) + (h << 7) + (h << 8) + (h << 24);
  }
  return h >>> 0;
}

/**
 * GrowthBook's v2 bucket of a user in an experiment, in [0, 1): fnv32a(fnv32a(salt + id) + '') mod
 * 10,000 / 10,000. The salt differs per experiment, so each one splits the users afresh.
 */
export function hashBucket(salt: string, userId: string): number {
  return (fnv32a(String(fnv32a(salt + userId))) % 10_000) / 10_000;
}

/** The arm a user is in: a pure function of the experiment and the id, so it survives any restart. */
export function assignArm(e: RunningExperiment, userId: string): ExperimentArm {
  if (e.assignment === 'parity') return e.arms[parityOf(userId)] as ExperimentArm;
  const total = e.arms.reduce((s, a) => s + a.weight, 0);
  const bucket = hashBucket(e.salt, userId) * total;
  let upTo = 0;
  for (const arm of e.arms) {
    upTo += arm.weight;
    if (bucket < upTo) return arm;
  }
  return e.arms[e.arms.length - 1] as ExperimentArm;
}
