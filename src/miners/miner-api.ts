import type { Action, Observation, TaskConfig } from '../envs/policy-contract.ts';

/** Per-call options of {@link MinerApi}. */
export interface MinerCallOptions {
  /** Fires on shutdown; the call then rejects with a `MinerRequestError` of kind `aborted`. */
  readonly signal?: AbortSignal;
  /** Overrides the client's default read timeout for this call. */
  readonly timeoutMs?: number;
}

/**
 * What an episode needs from a miner: the HTTP client implements it, and so does the in-process
 * demo policy adapter used by tests and statistics. Every call names its episode, so that a miner
 * serving several episodes at once can tell them apart.
 */
export interface MinerApi {
  /** `episodeId` names the episode in every call of it (docs/design.md, "Contracts with the outside"): the task uuid. */
  reset(episodeId: string, taskConfig: TaskConfig, options?: MinerCallOptions): Promise<void>;
  act(episodeId: string, observation: Observation, options?: MinerCallOptions): Promise<Action>;
}
