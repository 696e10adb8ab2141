/**
 * A bounded min-heap of (index, score) pairs that keeps the `capacity` highest scores seen: the top-N
 * selector. Preallocated once and reused across users, so selecting allocates nothing.
 */
export class TopHeap {
  private readonly indices: Int32Array;
  private readonly scores: Float32Array;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!(Number.isInteger(capacity) && capacity >= 1))
      throw new RangeError(`capacity must be ≥ 1, got ${capacity}`);
    this.indices = new Int32Array(capacity);
    this.scores = new Float32Array(capacity);
  }

  /** How many pairs the heap holds now. */
  get size(): number {
    return this.count;
  }

  /** Empties the heap for the next user. */
  clear(): void {
    this.count = 0;
  }

  /**
   * Offers a pair; kept if the heap is not full or the score beats the current minimum. Non-finite
   * scores are ignored: a NaN at the top would compare false against everything and block better scores.
   */
  push(index: number, score: number): void {
    if (!Number.isFinite(score)) return;
    if (this.count < this.capacity) {
      let at = this.count++;
      while (at > 0) {
        const parent = (at - 1) >> 1;
        const ps = this.scores[parent] as number;
        if (ps < score || (ps === score && (this.indices[parent] as number) > index)) break;
        this.indices[at] = this.indices[parent] as number;
        this.scores[at] = this.scores[parent] as number;
        at = parent;
      }
      this.indices[at] = index;
      this.scores[at] = score;
    } else if (score > (this.scores[0] as number)) {
      this.siftDown(index, score, this.count);
    }
  }

  /**
   * Writes the kept pairs best first into `outIndices`/`outScores` (ties: lower index first) and
   * empties the heap; returns how many were written.
   */
  drainDescending(outIndices: Int32Array, outScores?: Float32Array): number {
    const n = this.count;
    for (let end = n - 1; end >= 0; end--) {
      const index = this.indices[0] as number;
      const score = this.scores[0] as number;
      outIndices[end] = index;
      if (outScores !== undefined) outScores[end] = score;
      const lastIndex = this.indices[end] as number;
      const lastScore = this.scores[end] as number;
      this.count = end;
      if (end > 0) this.siftDown(lastIndex, lastScore, end);
    }
    this.count = 0;
    return n;
  }

  private siftDown(index: number, score: number, size: number): void {
    let at = 0;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= size) break;
      const right = child + 1;
      if (right < size && this.less(right, child)) child = right;
      const cs = this.scores[child] as number;
      const ci = this.indices[child] as number;
      if (cs > score || (cs === score && ci < index)) break;
      this.indices[at] = ci;
      this.scores[at] = cs;
      at = child;
    }
    this.indices[at] = index;
    this.scores[at] = score;
  }

  /** Heap order: lower score first; among equal scores the higher index is "smaller" (evicted first). */
  private less(a: number, b: number): boolean {
    const sa = this.scores[a] as number;
    const sb = this.scores[b] as number;
    return sa < sb || (sa === sb && (this.indices[a] as number) > (this.indices[b] as number));
  }
}
