/**
 * The interface every built-in environment implements. An instance is one simulator that can
 * run many episodes in turn: `reset(seed)` starts an episode, `step(action)` advances it by one
 * control step, `close()` frees the simulator (idempotent).
 *
 * Contract: the seed is the task id; the same seed and the same actions give the same episode,
 * bit for bit. Observations are in the policy contract's format (policy-contract.ts).
 */

import type { ActionSpec } from './action-spec.ts';
import type { Action, Observation } from './policy-contract.ts';

/** What one control step produced. */
export interface StepResult {
  readonly observation: Observation;
  readonly reward: number;
  /** The episode is over: solved, or the env's own step limit reached. */
  readonly done: boolean;
  /** The task is solved (then `done` is true as well). */
  readonly success: boolean;
}

/** One simulator instance of a built-in environment. */
export interface Environment {
  /** e.g. `mujoco/reach-v1`: `<family>/<task name>`. */
  readonly id: string;
  readonly family: string;
  /** The env's own episode length; the runner may stop earlier, never later. */
  readonly maxTimesteps: number;
  readonly actionSpec: ActionSpec;
  /** Starts an episode; the seed is a non-negative safe integer (the task id). */
  reset(seed: number): Promise<Observation>;
  /**
   * Applies one action. Throws `InvalidActionError` when the action does not match the spec,
   * `EnvironmentError` when the simulator fails, and refuses to step before `reset` or after `done`.
   */
  step(action: Action): Promise<StepResult>;
  /** Frees the simulator's memory; idempotent. The instance is unusable afterwards. */
  close(): void;
}
