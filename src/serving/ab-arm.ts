import { createHash } from 'node:crypto';

/**
 * The A/B arm of a user: by id parity for numeric ids (DESIGN.md: even → `a`, odd → `b`), by a hash
 * bucket otherwise, so the arm is stable across requests and processes.
 */
export function armOf(userId: string): 'a' | 'b' {
  const last = userId.at(-1) ?? '';
  const n = /^\d+$/.test(userId) ? Number(last) : (createHash('sha256').update(userId).digest()[0] as number);
  return n % 2 === 0 ? 'a' : 'b';
}
