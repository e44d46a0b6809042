import type { AdminDeps } from '../api/admin/admin-deps.ts';
import type { Config } from '../config/schema.ts';
import { TaskQueues } from '../pool/task-queues.ts';
import type { Lifecycle } from '../runtime/lifecycle.ts';
import type { Logger } from '../runtime/logger.ts';
import { closeRedis, createRedis } from '../runtime/redis.ts';

/**
 * The admin API's Redis connection and queue handles, opened only when `EVALPOOL_ADMIN_TOKEN` is
 * set (otherwise the admin routes answer 404 and need nothing). Closed by `lifecycle` after the
 * HTTP server that uses them: queues first, then their connection.
 */
export function openAdminResources(config: Config, logger: Logger, lifecycle: Lifecycle): AdminDeps | undefined {
  if (config.server.adminToken === undefined) return undefined;
  const redis = createRedis(config.storage.redisUrl, 'command', logger);
  lifecycle.defer('admin-redis', () => closeRedis(redis));
  const queues = new TaskQueues(redis, config.storage.queuePrefix);
  lifecycle.defer('admin-queues', () => queues.close());
  return { redis, queues };
}
