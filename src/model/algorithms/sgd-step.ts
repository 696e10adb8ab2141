/**
 * One SGD step of biased matrix factorisation, r̂ = μ + b_u + b_i + p_u·q_i, exactly as Surprise's SVD
 * takes it: the error comes from the pre-step values, and each factor pair is snapshotted before either
 * side is updated. The stream splits the step in two (user actor owns p_u, movie actor owns q_i), so the
 * step is also exported as a half that needs only the error and the other side's pre-step vector.
 */

/** Learning rate and L2 regularisation of one step (Surprise's lr_all and reg_all). */
export interface SgdRates {
  readonly lr: number;
  readonly reg: number;
}

/** Dot product of two k-long vectors stored at offsets in flat Float32Arrays. */
export function dotAt(a: Float32Array, aOffset: number, b: Float32Array, bOffset: number, k: number): number {
  let s = 0;
  for (let f = 0; f < k; f++) s += (a[aOffset + f] as number) * (b[bOffset + f] as number);
  return s;
}

/**
 * Updates one side of a rating in place — the user half (own = p_u, other = q_i) or the movie half
 * (own = q_i, other = p_u) — and returns that side's new bias. `other` must hold the other side's
 * pre-step vector and is only read; `err` is r − r̂ computed before either half ran. Writes only `own`.
 */
export function sgdHalfStep(
  own: Float32Array,
  ownOffset: number,
  other: Float32Array,
  otherOffset: number,
  k: number,
  bias: number,
  err: number,
  rates: SgdRates,
): number {
  const { lr, reg } = rates;
  for (let f = 0; f < k; f++) {
    const o = own[ownOffset + f] as number;
    own[ownOffset + f] = o + lr * (err * (other[otherOffset + f] as number) - reg * o);
  }
  return bias + lr * (err - reg * bias);
}

/** The mutable state a sequential SGD pass updates: global mean, biases and flat factor matrices. */
export interface FactorState {
  readonly mu: number;
  readonly factors: number;
  readonly userBias: Float32Array;
  readonly itemBias: Float32Array;
  /** nUsers × factors, row-major. */
  readonly userFactors: Float32Array;
  /** nItems × factors, row-major. */
  readonly itemFactors: Float32Array;
}

/**
 * One full step on rating r of (user, item): both halves at once, snapshotting p_uf and q_if before
 * updating either (so it equals the two halves applied to pre-step vectors). Returns the pre-step error.
 */
export function sgdStep(state: FactorState, user: number, item: number, r: number, rates: SgdRates): number {
  const { lr, reg } = rates;
  const k = state.factors;
  const p = state.userFactors;
  const q = state.itemFactors;
  const pu = user * k;
  const qi = item * k;
  const bu = state.userBias[user] as number;
  const bi = state.itemBias[item] as number;
  const err = r - (state.mu + bu + bi + dotAt(p, pu, q, qi, k));
  state.userBias[user] = bu + lr * (err - reg * bu);
  state.itemBias[item] = bi + lr * (err - reg * bi);
  for (let f = 0; f < k; f++) {
    const puf = p[pu + f] as number;
    const qif = q[qi + f] as number;
    p[pu + f] = puf + lr * (err * qif - reg * puf);
    q[qi + f] = qif + lr * (err * puf - reg * qif);
  }
  return err;
}
