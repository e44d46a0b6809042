import {
  CIRCUIT_COOLDOWN_MS,
  CIRCUIT_COOLDOWN_MULTIPLIER,
  CIRCUIT_FAILURE_THRESHOLD,
  CIRCUIT_MAX_COOLDOWN_MS,
} from '../config/constants.ts';

/** `closed`: calls go through; `open`: calls are refused until `openUntil`; `half_open`: one probe may go. */
export type CircuitState = 'closed' | 'open' | 'half_open';

export interface CircuitBreakerOptions {
  /** Consecutive failures (`miner_unavailable` attempts) that open the circuit. */
  readonly failureThreshold?: number;
  /** Cool-down of the first opening. */
  readonly baseCooldownMs?: number;
  /** Each re-open (a failed probe) multiplies the cool-down by this... */
  readonly cooldownMultiplier?: number;
  /** ...up to this. */
  readonly maxCooldownMs?: number;
  /** Milliseconds clock; injectable for tests. */
  readonly now?: () => number;
}

/** What the scheduler reads to skip a miner. */
export interface CircuitSnapshot {
  readonly state: CircuitState;
  /** While open: when a probe will be allowed (ms, clock of `now`); otherwise null. */
  readonly openUntil: number | null;
  readonly consecutiveFailures: number;
  /** Openings since the circuit was last closed (drives the cool-down growth). */
  readonly openings: number;
}

/**
 * A per-miner circuit breaker.
 *
 * closed ──N consecutive failures──► open ──cool-down elapsed──► half_open ──probe succeeds──► closed
 *                                     ▲                              │
 *                                     └──────probe fails (cool-down × multiplier, capped)─────┘
 *
 * Callers ask `tryAcquire()` before an attempt and settle the permit it returns with exactly
 * one of `success()` (the miner answered: success or scored failure), `failure()`
 * (miner_unavailable) or `release()` (no verdict about the miner: env or worker error,
 * shutdown); later calls on the same permit are ignored. In half-open state one probe at a time
 * is let through.
 */
export class CircuitBreaker {
  private readonly threshold: number;
  private readonly baseCooldownMs: number;
  private readonly multiplier: number;
  private readonly maxCooldownMs: number;
  private readonly now: () => number;
  private failures = 0;
  private openings = 0;
  private openedUntil: number | null = null;
  private probing = false;
  private lastFailureReason: string | null = null;

  constructor(options: CircuitBreakerOptions = {}) {
    this.threshold = options.failureThreshold ?? CIRCUIT_FAILURE_THRESHOLD;
    this.baseCooldownMs = options.baseCooldownMs ?? CIRCUIT_COOLDOWN_MS;
    this.multiplier = options.cooldownMultiplier ?? CIRCUIT_COOLDOWN_MULTIPLIER;
    this.maxCooldownMs = options.maxCooldownMs ?? CIRCUIT_MAX_COOLDOWN_MS;
    this.now = options.now ?? Date.now;
    if (!(this.threshold >= 1)) throw new RangeError('failureThreshold must be >= 1');
    if (!(this.baseCooldownMs >= 0 && this.maxCooldownMs >= this.baseCooldownMs))
      throw new RangeError('need 0 <= baseCooldownMs <= maxCooldownMs');
    if (!(this.multiplier >= 1)) throw new RangeError('cooldownMultiplier must be >= 1');
  }

  get state(): CircuitState {
    if (this.openedUntil === null) return 'closed';
    return this.now() < this.openedUntil ? 'open' : 'half_open';
  }

  /**
   * Why the last failure counted against the miner (what opened the circuit), so that an attempt
   * the open circuit refuses still says what is wrong with the miner; null once it succeeded.
   */
  get lastFailure(): string | null {
    return this.lastFailureReason;
  }

  /** While open, when the next probe may go; null when closed or half-open. */
  get openUntil(): number | null {
    return this.state === 'open' ? this.openedUntil : null;
  }

  snapshot(): CircuitSnapshot {
    return { state: this.state, openUntil: this.openUntil, consecutiveFailures: this.failures, openings: this.openings };
  }

  /** A permit for an attempt, or undefined when the circuit refuses one now. */
  tryAcquire(): CircuitPermit | undefined {
    const state = this.state;
    if (state === 'open' || (state === 'half_open' && this.probing)) return undefined;
    const probe = state === 'half_open';
    if (probe) this.probing = true;
    let settled = false;
    const settle = (verdict: (probe: boolean) => void) => () => {
      if (settled) return;
      settled = true;
      verdict(probe);
    };
    return {
      probe,
      success: settle((p) => this.onSuccess(p)),
      failure: (reason?: string) => settle((p) => this.onFailure(p, reason))(),
      release: settle((p) => {
        if (p) this.probing = false;
      }),
    };
  }

  private onSuccess(probe: boolean): void {
    if (probe) this.probing = false;
    this.lastFailureReason = null;
    this.failures = 0;
    this.openings = 0;
    this.openedUntil = null;
  }

  private onFailure(probe: boolean, reason: string | undefined): void {
    this.failures++;
    if (reason !== undefined) this.lastFailureReason = reason;
    if (probe) this.probing = false;
    // A failed probe re-opens; otherwise open once the threshold is reached (not again while open).
    if (probe || (this.openedUntil === null && this.failures >= this.threshold)) {
      const cooldown = Math.min(this.maxCooldownMs, this.baseCooldownMs * this.multiplier ** this.openings);
      this.openings++;
      this.openedUntil = this.now() + cooldown;
    }
  }
}

/** Permission for one attempt; settle it once (later calls are ignored). */
export interface CircuitPermit {
  /** This attempt is the half-open probe. */
  readonly probe: boolean;
  /** The miner answered (success or scored failure). */
  success(): void;
  /** The miner was unavailable (`reason`: why, kept as the circuit's last failure). */
  failure(reason?: string): void;
  /** No verdict about the miner. */
  release(): void;
}
