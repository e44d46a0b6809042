// Env containers of a worker gone for good. A worker removes leftovers of dead processes of its
// own host when it starts (ContainerManager), but a container worker killed (-9) and never
// replaced, or whose host is gone, would leave its containers running forever. So every running
// container worker sweeps its pool: a container of the pool (label evalpool.pool) is removed when
// its worker (label evalpool.worker) has had no liveness key in the worker registry for the
// whole grace period, as seen by this worker's consecutive sweeps, and the container is at least
// that old. What makes it safe:
// - a live or stale worker (its key present: beating, or fewer than 3 beats late) is never swept;
//   the grace, far beyond a key's expiry, covers a worker stalled or cut from Redis for a while;
// - the registry is believed only when it shows this worker itself alive (after Redis lost its
//   data, no worker is listed until its next beat); when Redis cannot be read, nothing is removed
//   and the observations start over;
// - only this pool's containers (Redis server and prefix): never those of another pool sharing
//   the engine, nor of `evalpool eval` (they carry no pool), nor this worker's own.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ContainerManager, PoolContainer } from '../../envs/container/container-manager.ts';
import { workersWithLiveness } from '../../pool/worker-registry.ts';
import { DeadlineError, withDeadline } from '../../runtime/deadline.ts';
import { DistinctMessages } from '../../runtime/distinct-messages.ts';
import { errorMessage } from '../../runtime/error-message.ts';
import type { Logger } from '../../runtime/logger.ts';

/** The `evalpool.pool` label of a pool's containers: the queue prefix and a digest of the Redis server (no credentials). */
export function containerPool(redisUrl: string, prefix: string): string {
  let server = redisUrl;
  try {
    const url = new URL(redisUrl);
    server = `${url.hostname}:${url.port || '6379'}/${url.pathname.replace(/^\//, '') || '0'}`;
  } catch {
    // Not a URL: the whole string names the server.
  }
  return `${prefix}@${createHash('sha256').update(server).digest('hex').slice(0, 12)}`;
}

/** Options of {@link ContainerSweep}. */
export interface ContainerSweepOptions {
  readonly containers: Pick<ContainerManager, 'othersInPool' | 'removeAbandoned'>;
  /** The worker registry's Redis (the pool's). */
  readonly redis: Redis;
  readonly prefix: string;
  /** This worker: the registry must show it alive for anything to be removed. */
  readonly workerId: string;
  readonly intervalMs: number;
  readonly graceMs: number;
  readonly logger: Logger;
}

/** The periodic sweep of a container worker (see the top of this file). Idempotent start and stop. */
export class ContainerSweep {
  readonly name = 'container-sweep';
  readonly #o: ContainerSweepOptions;
  readonly #log: Logger;
  /** Since when each worker with containers in the pool has been seen without its liveness key. */
  readonly #notLiveSince = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #sweeping = false;
  #stopped = false;
  readonly #problems = new DistinctMessages();

  constructor(options: ContainerSweepOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'container-sweep' });
  }

  start(): void {
    if (this.#timer || this.#stopped) return;
    this.#timer = setInterval(() => void this.sweep(), this.#o.intervalMs);
    this.#timer.unref();
  }

  /** Stops the timer; a sweep under way removes nothing more. */
  stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    return Promise.resolve();
  }

  /** One sweep: the names of the containers it removed (one at a time: a sweep never overlaps itself). */
  async sweep(now: number = Date.now()): Promise<string[]> {
    if (this.#sweeping || this.#stopped) return [];
    this.#sweeping = true;
    try {
      const abandoned = await this.#abandoned(now);
      const removed: string[] = [];
      for (const container of abandoned) {
        if (this.#stopped) break;
        if (await this.#o.containers.removeAbandoned(container)) removed.push(container.name);
      }
      return removed;
    } finally {
      this.#sweeping = false;
    }
  }

  async #abandoned(now: number): Promise<PoolContainer[]> {
    let containers: PoolContainer[];
    try {
      containers = await this.#o.containers.othersInPool();
    } catch (error) {
      this.#problem(`the container engine could not list the pool's env containers: ${errorMessage(error)}`);
      return [];
    }
    const ids = [...new Set(containers.map((c) => c.workerId))];
    for (const id of this.#notLiveSince.keys()) if (!ids.includes(id)) this.#notLiveSince.delete(id);
    if (ids.length === 0) return [];
    let live: Set<string>;
    try {
      // BullMQ's connection queues commands while Redis is away: never wait longer than a period.
      if (this.#o.redis.status !== 'ready') throw new Error(`Redis is ${this.#o.redis.status}`);
      const ms = this.#o.intervalMs;
      live = await withDeadline(workersWithLiveness(this.#o.redis, this.#o.prefix, [this.#o.workerId, ...ids]), ms, {
        timeoutError: () => new DeadlineError(`the worker registry did not answer within ${ms} ms`),
      });
    } catch (error) {
      this.#notLiveSince.clear();
      this.#problem(`the worker registry cannot be read (${errorMessage(error)}): no env container is swept`);
      return [];
    }
    if (!live.has(this.#o.workerId)) {
      this.#notLiveSince.clear();
      this.#problem(
        'the worker registry does not list this worker (Redis lost its data, or the heartbeat lags): no env container is swept',
      );
      return [];
    }
    if (this.#problems.reset()) this.#log.info('sweeping env containers again');
    for (const id of ids) {
      if (live.has(id)) this.#notLiveSince.delete(id);
      else if (!this.#notLiveSince.has(id)) this.#notLiveSince.set(id, now);
    }
    const { graceMs } = this.#o;
    return containers.filter(
      (c) => !live.has(c.workerId) && now - this.#notLiveSince.get(c.workerId)! >= graceMs && now - c.createdMs >= graceMs,
    );
  }

  /** One line per distinct problem, at info: the worker goes on, and the heartbeat or the tasks report an outage. */
  #problem(message: string): void {
    if (this.#problems.changed(message)) this.#log.info(message);
  }
}
