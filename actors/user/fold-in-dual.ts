/**
 * The fold-in of src/model/algorithms/fold-in.ts solved in its dual form. Ridge regression
 * min ‖Ax − y‖² + λ‖x‖² has x = Aᵀ(AAᵀ + λI)⁻¹y: with n ratings and k factors that is an n×n system
 * instead of a (k+1)×(k+1) one. A user is folded in after a handful of ratings (n ≈ 5, k = 100), so
 * the dual costs microseconds where the primal Cholesky costs about a millisecond — per new user,
 * on the stream's hot path. Same solution (tested against foldInUser).
 */

/** One rating seen by a cold user: the movie's factors as read, and the target r − μ − b_i. */
export interface FoldInRow {
  readonly vector: Float32Array;
  readonly target: number;
}

/** (b_u, p_u) minimising Σ (b_u + p_u·q_j − target_j)² + λ(b_u² + ‖p_u‖²). */
export function foldInDual(
  rows: readonly FoldInRow[],
  k: number,
  lambda: number,
): { bias: number; vector: Float32Array } {
  const n = rows.length;
  // G = AAᵀ + λI with rows a_j = [1, q_j]; solved by Cholesky (SPD for λ > 0).
  const g = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const qj = (rows[j] as FoldInRow).vector;
    for (let l = 0; l <= j; l++) {
      const ql = (rows[l] as FoldInRow).vector;
      let dot = 1;
      for (let f = 0; f < k; f++) dot += (qj[f] as number) * (ql[f] as number);
      g[j * n + l] = dot + (j === l ? lambda : 0);
    }
  }
  const chol = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    for (let l = 0; l <= j; l++) {
      let s = g[j * n + l] as number;
      for (let m = 0; m < l; m++) s -= (chol[j * n + m] as number) * (chol[l * n + m] as number);
      chol[j * n + l] = j === l ? Math.sqrt(s) : s / (chol[l * n + l] as number);
    }
  }
  const alpha = Float64Array.from(rows, (r) => r.target);
  for (let j = 0; j < n; j++) {
    let s = alpha[j] as number;
    for (let m = 0; m < j; m++) s -= (chol[j * n + m] as number) * (alpha[m] as number);
    alpha[j] = s / (chol[j * n + j] as number);
  }
  for (let j = n - 1; j >= 0; j--) {
    let s = alpha[j] as number;
    for (let m = j + 1; m < n; m++) s -= (chol[m * n + j] as number) * (alpha[m] as number);
    alpha[j] = s / (chol[j * n + j] as number);
  }
  let bias = 0;
  const acc = new Float64Array(k);
  rows.forEach((r, j) => {
    const a = alpha[j] as number;
    bias += a;
    for (let f = 0; f < k; f++) acc[f] = (acc[f] as number) + a * (r.vector[f] as number);
  });
  return { bias, vector: Float32Array.from(acc) };
}
