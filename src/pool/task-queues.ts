import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { queueName } from './task-job.ts';

/**
 * One BullMQ `Queue` per env, created on first use, all on one shared connection with the pool's
 * prefix. The connection belongs to the caller: closing the queues leaves it open.
 */
export class TaskQueues {
  readonly #queues = new Map<string, Queue>();
  readonly #connection: Redis;
  readonly #prefix: string;
  #closed = false;

  constructor(connection: Redis, prefix: string) {
    this.#connection = connection;
    this.#prefix = prefix;
  }

  /** The BullMQ prefix of every queue. */
  get prefix(): string {
    return this.#prefix;
  }

  /** The queue of an env. */
  get(env: string): Queue {
    if (this.#closed) throw new Error('the task queues are closed');
    let queue = this.#queues.get(env);
    if (!queue) {
      queue = new Queue(queueName(env), { connection: this.#connection, prefix: this.#prefix });
      // A shared connection reports its errors once through its own listener (runtime/redis.ts).
      queue.on('error', () => undefined);
      this.#queues.set(env, queue);
    }
    return queue;
  }

  /** Closes every queue handle (idempotent); the shared connection stays open. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#queues.values()].map((q) => q.close()));
    this.#queues.clear();
  }
}
