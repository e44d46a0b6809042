import type { ContainerManager } from '../envs/container/container-manager.ts';
import type { Stoppable } from '../runtime/lifecycle.ts';
import type { EvalpoolMetrics } from '../runtime/metrics.ts';
import type { Evaluator } from '../worker/evaluation/evaluator.ts';
import type { EnvLimits } from '../worker/evaluation/evaluators.ts';

/** What a worker runs and on which queues. */
export interface WorkerServiceOptions {
  /** Env ids to consume; empty = every env with a sampling list that `supports` accepts. */
  readonly envs: readonly string[];
  /** Evaluations at once per env queue. */
  readonly concurrency: number;
  readonly evaluator: Evaluator;
  /** Which envs `evaluator` can run (default: all). Explicit envs it cannot run are an error. */
  readonly supports?: (env: string) => boolean;
  /** What the evaluator holds open (miner connections, timers): stopped after the consumers, and if the start fails. */
  readonly resources?: readonly Stoppable[];
  /**
   * Where the consumers count attempts (pass the same object to the evaluators). A standalone
   * worker serves it on `EVALPOOL_WORKER_METRICS_PORT` (one is created if that is set and none is
   * given); serve's inline workers share serve's.
   */
  readonly metrics?: EvalpoolMetrics;
  /** Each env's limits (steps, setup time), from which the hard timeout of an evaluation is derived; default: the built-in envs'. */
  readonly limits?: (env: string) => EnvLimits | undefined;
  /**
   * Called with the envs to consume before the consumers start (e.g. to check the container engine); a
   * throw stops the start with its message.
   */
  readonly prepare?: (envs: readonly string[]) => Promise<void>;
  /** How the worker registry lists it: a process of its own (default) or `serve`'s inline set. */
  readonly kind?: 'worker' | 'inline';
  /** The evaluator's env containers: when it runs a consumed env, the workers sweep their pool's containers of workers gone for good. */
  readonly containers?: ContainerManager;
}
