import type { PoolCounts, WorkerStatus } from './readers.ts';

/** An env whose tasks wait with nobody to run them. */
export interface UnconsumedEnv {
  readonly envId: string;
  readonly pending: number;
  /** Workers that did consume it but are stale or gone now (what to restart). */
  readonly lostWorkers: readonly string[];
}

/**
 * Envs with pending tasks and no live worker consuming them, by env id. A stale worker does not
 * count: it missed its heartbeat, so it is not known to be taking tasks.
 */
export function unconsumedEnvs(
  workers: readonly Pick<WorkerStatus, 'id' | 'state' | 'envs'>[],
  byEnv: Readonly<Record<string, Pick<PoolCounts, 'pending'>>>,
): UnconsumedEnv[] {
  const live = new Set(workers.filter((w) => w.state === 'live').flatMap((w) => w.envs));
  return Object.entries(byEnv)
    .filter(([env, counts]) => counts.pending > 0 && !live.has(env))
    .map(([envId, counts]) => ({
      envId,
      pending: counts.pending,
      lostWorkers: workers.filter((w) => w.envs.includes(envId)).map((w) => w.id),
    }))
    .sort((a, b) => a.envId.localeCompare(b.envId));
}

/** The operator's sentence for unconsumed envs, or null when every waiting env has a consumer. */
export function unconsumedSentence(envs: readonly UnconsumedEnv[]): string | null {
  if (envs.length === 0) return null;
  const list = envs
    .map((e) => `${e.envId} (${e.pending} pending${e.lostWorkers.length > 0 ? `; last consumed by ${e.lostWorkers.join(', ')}` : ''})`)
    .join(', ');
  return `no live worker consumes ${list}: start \`evalpool worker --envs ${envs.map((e) => e.envId).join(',')}\``;
}
