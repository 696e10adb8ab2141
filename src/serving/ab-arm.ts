import { parityOf } from '../experiments/experiment.ts';

/**
 * The A/B label of a user when no experiment runs: by id parity for numeric ids (DESIGN.md: even → `a`,
 * odd → `b`), by a hash bucket otherwise, so the label is stable across requests and processes. A
 * running experiment labels its users with their arm instead (experiment-follower.ts).
 */
export function armOf(userId: string): 'a' | 'b' {
  return parityOf(userId) === 0 ? 'a' : 'b';
}
