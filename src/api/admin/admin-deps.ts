import type { Redis } from 'ioredis';
import type { TaskQueues } from '../../pool/task-queues.ts';

/**
 * What the admin API needs beyond the read API's deps: Redis for the pool's paused tasks and env
 * queue registry, and BullMQ queue handles for deleting tasks and for the queue view. Created and
 * closed by the caller (`serve` opens them only when `EVALPOOL_ADMIN_TOKEN` is set). Without them
 * the Redis-backed admin routes answer 503; the Postgres-backed ones still work.
 */
export interface AdminDeps {
  readonly redis: Redis;
  readonly queues: TaskQueues;
}
