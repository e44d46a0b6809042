import type { Redis } from 'ioredis';
import { knownQueues } from './paused-tasks.ts';
import { readPoolSnapshot } from './pool-snapshot.ts';

/** Pending tasks (waiting or delayed for a retry) of every env queue the pool has used, and of `alsoEnvs`, by env id. */
export async function pendingByEnv(
  redis: Redis,
  prefix: string,
  alsoEnvs: Iterable<string> = [],
): Promise<Record<string, { pending: number }>> {
  const envs = [...new Set([...(await knownQueues(redis, prefix)), ...alsoEnvs])].sort();
  const counts: Record<string, { pending: number }> = Object.fromEntries(envs.map((env) => [env, { pending: 0 }]));
  for (const task of (await readPoolSnapshot(redis, prefix, envs)).tasks) if (task.state === 'pending') counts[task.env]!.pending++;
  return counts;
}
