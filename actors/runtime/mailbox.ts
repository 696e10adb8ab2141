/**
 * A serial mailbox: the messages of one actor are received one at a time, in the order they were
 * posted. A message posted while a turn runs waits for the next turn, so a turn never interleaves
 * with another turn of the same actor, even when the receive function is asynchronous.
 */
export class Mailbox<M> {
  #queue: M[] = [];
  #head = 0;
  #draining = false;

  /** Messages waiting. */
  get size(): number {
    return this.#queue.length - this.#head;
  }

  /** Queues a message. */
  post(message: M): void {
    this.#queue.push(message);
  }

  /**
   * Receives every queued message, one at a time. A second drain while one runs is refused: two
   * drains would be two concurrent turns of one actor. Stops at the first failing turn and keeps
   * the failed message at the head, so the caller decides between retry and dead letter.
   */
  async drain(receive: (message: M) => void | Promise<void>): Promise<number> {
    if (this.#draining) throw new Error('mailbox is already draining: one turn at a time per actor');
    this.#draining = true;
    let received = 0;
    try {
      while (this.#head < this.#queue.length) {
        const result = receive(this.#queue[this.#head] as M);
        if (result instanceof Promise) await result;
        this.#head++;
        received++;
      }
      this.#queue = [];
      this.#head = 0;
      return received;
    } finally {
      this.#draining = false;
    }
  }

  /** Receives every queued message synchronously (for pure turns); same order and failure rule. */
  drainSync(receive: (message: M) => void): number {
    if (this.#draining) throw new Error('mailbox is already draining: one turn at a time per actor');
    let received = 0;
    while (this.#head < this.#queue.length) {
      receive(this.#queue[this.#head] as M);
      this.#head++;
      received++;
    }
    this.#queue = [];
    this.#head = 0;
    return received;
  }
}
