import type { Action, Observation, TaskConfig } from './contract.ts';

/** Per-call options of {@link MinerApi}. */
export interface MinerCallOptions {
  /** Fires on shutdown; the call then rejects with a `MinerRequestError` of kind `aborted`. */
  readonly signal?: AbortSignal;
  /** Overrides the client's default read timeout for this call. */
  readonly timeoutMs?: number;
}

/**
 * What an episode needs from a miner: the HTTP client implements it, and so does the in-process
 * demo policy adapter used by tests and statistics.
 */
export interface MinerApi {
  reset(taskConfig: TaskConfig, options?: MinerCallOptions): Promise<void>;
  act(observation: Observation, options?: MinerCallOptions): Promise<Action>;
}
