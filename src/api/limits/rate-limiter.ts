/** Options of {@link RateLimiter}. */
export interface RateLimiterOptions {
  /** Requests allowed per key and window (> 0). */
  readonly limit: number;
  /** Length of the window in ms (a minute for `EVALPOOL_RATE_LIMIT_PER_MINUTE`). */
  readonly windowMs: number;
  /** Most keys remembered per window; past it, the key seen first in the window is forgotten. */
  readonly maxKeys: number;
}

/** What the limiter decided for one request. */
export interface RateDecision {
  readonly allowed: boolean;
  /** When refused: whole seconds after which the same key is allowed again (≥ 1); 0 when allowed. */
  readonly retryAfterSeconds: number;
}

const ALLOWED: RateDecision = Object.freeze({ allowed: true, retryAfterSeconds: 0 });

/**
 * A per-key sliding-window limiter in memory (the "sliding window counter": the previous fixed
 * window's count, weighted by how much of it still overlaps the last `windowMs`, plus the current
 * window's count). O(1) per request: two map reads and one write. Memory is bounded: only the
 * current and the previous window are kept (a key idle for two windows is gone), each holding at
 * most `maxKeys` keys. Refused requests are not counted, so a client that waits `Retry-After`
 * always gets through; and within any fixed window no key gets more than `limit` requests.
 */
export class RateLimiter {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #maxKeys: number;
  #window = Number.NEGATIVE_INFINITY;
  #current = new Map<string, number>();
  #previous = new Map<string, number>();

  constructor(options: RateLimiterOptions) {
    if (!(options.limit > 0) || !(options.windowMs > 0) || !(options.maxKeys > 0))
      throw new RangeError('rate limiter: limit, windowMs and maxKeys must be positive');
    this.#limit = options.limit;
    this.#windowMs = options.windowMs;
    this.#maxKeys = options.maxKeys;
  }

  /** Keys remembered now (both windows). */
  get size(): number {
    return this.#current.size + this.#previous.size;
  }

  /** Counts one request of `key` at `nowMs` if it is within the limit. */
  hit(key: string, nowMs: number): RateDecision {
    const window = Math.floor(nowMs / this.#windowMs);
    if (window > this.#window) {
      // One window on: the current counts become the previous ones. Further: both are stale.
      this.#previous = window === this.#window + 1 ? this.#current : new Map<string, number>();
      this.#current = new Map<string, number>();
      this.#window = window;
    }
    // A clock that steps back stays in the window already reached.
    const elapsed = Math.max(0, nowMs - this.#window * this.#windowMs);
    const previous = this.#previous.get(key) ?? 0;
    const current = this.#current.get(key) ?? 0;
    const overlap = (this.#windowMs - elapsed) / this.#windowMs;
    if (previous * overlap + current < this.#limit) {
      if (current === 0 && this.#current.size >= this.#maxKeys) {
        const oldest = this.#current.keys().next().value;
        if (oldest !== undefined) this.#current.delete(oldest);
      }
      this.#current.set(key, current + 1);
      return ALLOWED;
    }
    return { allowed: false, retryAfterSeconds: this.#retryAfter(elapsed, previous, current) };
  }

  /**
   * The least wait after which the estimate drops below the limit with no other request: within
   * this window when the previous window's weight fading is enough, else in the next one (where
   * this window's count is the one fading). Rounded up to whole seconds, plus a millisecond so
   * that the boundary itself (where the estimate equals the limit) is passed.
   */
  #retryAfter(elapsed: number, previous: number, current: number): number {
    const w = this.#windowMs;
    const waitMs =
      current < this.#limit
        ? w - elapsed - (w * (this.#limit - current)) / previous
        : w - elapsed + Math.max(0, w * (1 - this.#limit / current));
    return Math.max(1, Math.ceil((Math.max(0, waitMs) + 1) / 1_000));
  }
}
