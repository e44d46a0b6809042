/** Exponential delay `base·2^(n−1)` for the n-th retry (n ≥ 1), capped at `maxMs`. */
export function backoffDelay(n: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(n - 1, 30)));
}

/** Settings of a {@link Backoff}. */
export interface BackoffOptions {
  readonly minMs: number;
  readonly maxMs: number;
  /** Uniform [0, 1) source for the jitter (default `Math.random`); injectable for tests. */
  readonly random?: () => number;
}

/**
 * Exponential backoff with jitter for reconnection attempts: after the n-th consecutive failure
 * the next attempt waits min(max, min·2^(n-1)) scaled by a factor in [0.8, 1.2), so that many
 * replicas do not hammer a recovering node in step. A success resets it.
 */
export class Backoff {
  readonly #options: BackoffOptions;
  #failures = 0;
  #readyAt = 0;

  constructor(options: BackoffOptions) {
    if (!(options.minMs >= 0 && options.maxMs >= options.minMs))
      throw new RangeError(`backoff needs 0 ≤ min ≤ max, got ${options.minMs}..${options.maxMs}`);
    this.#options = options;
  }

  /** Records a failure at `nowMs`; returns the delay before the next attempt. */
  fail(nowMs: number): number {
    this.#failures += 1;
    const { minMs, maxMs, random = Math.random } = this.#options;
    const base = backoffDelay(this.#failures, minMs, maxMs);
    const delay = Math.round(Math.min(maxMs, base * (0.8 + 0.4 * random())));
    this.#readyAt = nowMs + delay;
    return delay;
  }

  succeed(): void {
    this.#failures = 0;
    this.#readyAt = 0;
  }

  /** Consecutive failures so far. */
  get failures(): number {
    return this.#failures;
  }

  /** Milliseconds left before the next attempt is allowed (0 when allowed now). */
  waitMs(nowMs: number): number {
    return Math.max(0, this.#readyAt - nowMs);
  }
}
