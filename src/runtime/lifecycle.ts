import type { Logger } from 'pino';
import { REPEATED_SIGNAL_WINDOW_MS } from '../config/constants.ts';
import { DeadlineError, withDeadline } from './deadline.ts';

/** Something long-lived that must be closed: a pool, a connection, a server, a worker. */
export interface Stoppable {
  readonly name: string;
  stop(): Promise<void>;
}

/**
 * Resources of one process, stopped in reverse order of start. `stopAll` is idempotent: a second
 * call returns the first call's promise. Each resource's stop is awaited in turn within the
 * overall grace; a stop that throws is logged and the rest still stop.
 */
export class Lifecycle {
  readonly #resources: Stoppable[] = [];
  #stopping: Promise<boolean> | undefined;
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger.child({ component: 'lifecycle' });
  }

  /** Registers a started resource; returns it for chaining. */
  add<T extends Stoppable>(resource: T): T {
    if (this.#stopping) throw new Error(`cannot add ${resource.name}: the process is stopping`);
    this.#resources.push(resource);
    return resource;
  }

  /** Registers a stop function under a name. */
  defer(name: string, stop: () => Promise<void>): void {
    this.add({ name, stop });
  }

  get stopping(): boolean {
    return this.#stopping !== undefined;
  }

  /** Stops everything in reverse order; resolves true if all stopped within `graceMs`. */
  stopAll(graceMs: number): Promise<boolean> {
    this.#stopping ??= this.#stopInOrder(graceMs);
    return this.#stopping;
  }

  async #stopInOrder(graceMs: number): Promise<boolean> {
    const deadline = Date.now() + graceMs;
    let clean = true;
    for (const resource of this.#resources.toReversed()) {
      const left = deadline - Date.now();
      if (left <= 0) {
        this.#logger.warn({ resource: resource.name }, 'grace period over before this resource stopped');
        clean = false;
        continue;
      }
      // Told apart by identity: a stop may itself reject with some other DeadlineError.
      const timedOut = new DeadlineError('grace period over');
      const outcome = await withDeadline(resource.stop(), left, { timeoutError: () => timedOut }).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      if (outcome === timedOut) {
        this.#logger.warn({ resource: resource.name, graceMs }, 'resource did not stop within the grace period');
        clean = false;
      } else if (outcome !== undefined) {
        this.#logger.error({ resource: resource.name, err: outcome }, 'resource failed to stop');
        clean = false;
      } else {
        this.#logger.debug({ resource: resource.name }, 'stopped');
      }
    }
    return clean;
  }
}

/**
 * Makes SIGINT and SIGTERM stop the lifecycle: the first signal starts a graceful stop bounded by
 * `graceMs` (exit 0 if clean, 1 otherwise); a second signal (later than
 * {@link REPEATED_SIGNAL_WINDOW_MS} after the first), or the grace running out, forces exit 1.
 * Returns a function that removes the handlers.
 */
export function stopOnSignals(
  lifecycle: Lifecycle,
  logger: Logger,
  graceMs: number,
  exit: (code: number) => void = (c) => process.exit(c),
): () => void {
  let firstAt = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (lifecycle.stopping && Date.now() - firstAt < REPEATED_SIGNAL_WINDOW_MS) {
      logger.debug({ signal }, 'signal repeated right after the first: already stopping');
      return;
    }
    if (lifecycle.stopping) {
      logger.warn({ signal }, 'second signal: forcing exit');
      exit(1);
      return;
    }
    firstAt = Date.now();
    logger.info({ signal, graceMs }, 'shutting down');
    const force = setTimeout(() => {
      logger.error({ graceMs }, 'shutdown grace period over: forcing exit');
      exit(1);
    }, graceMs + 1_000);
    force.unref();
    void lifecycle.stopAll(graceMs).then((clean) => {
      clearTimeout(force);
      logger.info({ clean }, 'stopped');
      exit(clean ? 0 : 1);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
