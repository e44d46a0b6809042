/**
 * Where the miners come from: the subtensor chain or a static file. Every source returns the same
 * snapshot so the scheduler does not care which one it runs on.
 */

/** How a miner's endpoint was given. */
export type MinerEndpointForm = 'deployment' | 'url' | 'encrypted' | 'static';

/**
 * A miner as discovered on chain or in the static file. `revision` identifies the miner together
 * with the hotkey and changes whenever the endpoint changes (derivation per commitment form in
 * commitment.ts; static entries in static-miners-file.ts). Neither contains `:`.
 */
export interface DiscoveredMiner {
  readonly uid: number;
  readonly hotkey: string;
  readonly revision: string;
  readonly endpoint: string;
  /** Block of the commitment; orders miners for the first-commit advantage. */
  readonly committed_block: number;
  /** Which form the endpoint came in; `encrypted` endpoints must not be published. */
  readonly form: MinerEndpointForm;
}

/** A miner left out of the pool, and why (bad commitment, decryption failure, ...). */
export interface ExcludedMiner {
  readonly uid: number;
  readonly hotkey: string;
  readonly reason: string;
}

/** The miners known at one point in time. */
export interface MinerSnapshot {
  /** Usable miners, ordered by uid. */
  readonly miners: readonly DiscoveredMiner[];
  /** Block the miners were read at (the clock's block for the static source). */
  readonly block: number;
  readonly source: 'static' | 'subtensor';
  /** When these miners were read (for a stale snapshot: when the last good read happened). */
  readonly fetchedAt: Date;
  /** Set when the refresh failed and these are the last known miners. */
  readonly stale?: { readonly since: Date; readonly error: string };
  /** Miners excluded with a reason, ordered by uid. */
  readonly excluded: readonly ExcludedMiner[];
}

/**
 * A source of miners. `refresh()` reads the current miners; after the first success it never
 * rejects because of an I/O failure: it returns the last known miners with `stale` set instead
 * (a network problem must never empty the pool). The first refresh rejects when nothing is known.
 * Concurrent calls share one read. `close()` is idempotent; `refresh()` after `close()` rejects.
 */
export interface MinerSource {
  refresh(signal?: AbortSignal): Promise<MinerSnapshot>;
  /** Sources that learn of changes between refreshes (a watched file) tell here; returns the unsubscribe. */
  onChange?(listener: () => void): () => void;
  close(): Promise<void>;
}
