import { BLOCK_SECONDS } from '../config/constants.ts';

/**
 * The block number derived from the clock when there is no chain: whole `BLOCK_SECONDS` periods
 * since the Unix epoch. It increases by one every 12 s, like the chain, but is not the chain's.
 */
export function blockFromClock(now: Date): number {
  return Math.floor(now.getTime() / (BLOCK_SECONDS * 1_000));
}

/** A block provider over {@link blockFromClock}, for the weights task without a chain. */
export function clockBlockProvider(clock: () => Date = () => new Date()): () => Promise<number> {
  return () => Promise.resolve(blockFromClock(clock()));
}
