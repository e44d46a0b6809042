/**
 * Lets a message through only when it differs from the last one let through: a source that fails
 * on every retry (a Redis reconnect, a BullMQ worker, a heartbeat) is logged once per distinct
 * error, not once per attempt. `reset()` when the source recovers, so that the same error is
 * logged again the next time it happens.
 */
export class DistinctMessages {
  #last = '';

  /** Whether `message` differs from the last one let through; records it. */
  changed(message: string): boolean {
    if (message === this.#last) return false;
    this.#last = message;
    return true;
  }

  /** Forgets the last message; returns whether there was one (the source was failing). */
  reset(): boolean {
    const wasFailing = this.#last !== '';
    this.#last = '';
    return wasFailing;
  }
}
