import { BLOCK_TIME_MS, STATIC_CLOCK_GENESIS_MS } from '../config/constants.ts';

/** Settings of a {@link BlockClock}; all optional. */
export interface BlockClockOptions {
  /** Time of block 0 in ms since the epoch (default {@link STATIC_CLOCK_GENESIS_MS}). */
  readonly genesisMs?: number;
  /** Block time in ms (default {@link BLOCK_TIME_MS}). */
  readonly blockTimeMs?: number;
  /** Current time in ms since the epoch (default `Date.now`); injectable for tests. */
  readonly now?: () => number;
}

/**
 * Block numbers without a chain: `floor((now - genesis) / blockTime)`, never below 0. Every
 * replica with the same settings computes the same number at the same time.
 */
export class BlockClock {
  readonly #genesisMs: number;
  readonly #blockTimeMs: number;
  readonly #now: () => number;

  constructor(options: BlockClockOptions = {}) {
    this.#genesisMs = options.genesisMs ?? STATIC_CLOCK_GENESIS_MS;
    this.#blockTimeMs = options.blockTimeMs ?? BLOCK_TIME_MS;
    this.#now = options.now ?? Date.now;
    if (!(this.#blockTimeMs > 0)) throw new RangeError(`block time must be > 0 ms, got ${this.#blockTimeMs}`);
  }

  /** The block current at `timeMs`. */
  blockAt(timeMs: number): number {
    return Math.max(0, Math.floor((timeMs - this.#genesisMs) / this.#blockTimeMs));
  }

  /** The current block. */
  currentBlock(): number {
    return this.blockAt(this.#now());
  }

  /** The current time in ms, from the injected clock. */
  now(): number {
    return this.#now();
  }
}
