import { type ContainerOwner, formatOwner, parseOwner } from './container-owner.ts';

/** The labels of every container evalpool manages. */
export const LABELS = Object.freeze({
  /** `true` on every managed container: what leftover cleanup looks for. */
  managed: 'evalpool.managed',
  /** The worker id (`EVALPOOL_WORKER_ID`, or `<hostname>-<pid>`). */
  worker: 'evalpool.worker',
  /** The env ids the container serves, comma-separated (one container per image). */
  env: 'evalpool.env',
  /** The owning process, `<host>/<pid>/<start>` (see `ContainerOwner`). */
  owner: 'evalpool.owner',
  /** The manager instance that created it: what shutdown removes. */
  instance: 'evalpool.instance',
  /** Which of the image's containers (replicas) of the manager it is: 0, 1, ... */
  replica: 'evalpool.replica',
  /**
   * The pool (Redis server and queue prefix) of the worker, on the containers of pool workers
   * only: what the sweep of containers left by workers gone for good looks at (a worker judges
   * liveness only of its own pool's workers, never of another pool's or of `evalpool eval`).
   */
  pool: 'evalpool.pool',
});

/** The labels of a container created by one manager. */
export interface ContainerLabelValues {
  readonly workerId: string;
  readonly envs: readonly string[];
  readonly owner: ContainerOwner;
  readonly instance: string;
  readonly replica?: number;
  readonly pool?: string;
}

export function containerLabels(values: ContainerLabelValues): Record<string, string> {
  return {
    [LABELS.managed]: 'true',
    [LABELS.worker]: values.workerId,
    [LABELS.env]: values.envs.join(','),
    [LABELS.owner]: formatOwner(values.owner),
    [LABELS.instance]: values.instance,
    ...(values.replica !== undefined && { [LABELS.replica]: String(values.replica) }),
    ...(values.pool !== undefined && { [LABELS.pool]: values.pool }),
  };
}

/** The owner written on a container, if its labels name one. */
export function ownerOf(labels: Readonly<Record<string, string>> | undefined): ContainerOwner | undefined {
  return parseOwner(labels?.[LABELS.owner]);
}
