import type { Hono } from 'hono';
import { API_READER_TIMEOUT_MS } from '../../config/constants.ts';
import type { ApiDeps } from '../api-deps.ts';
import { ApiError } from '../api-error.ts';
import { type PoolCounts, readWithin } from '../readers.ts';

const counts = (p: PoolCounts) => ({ pending: p.pending, assigned: p.assigned, paused: p.paused, in_flight: p.pending + p.assigned });
const mapCounts = (byKey: Readonly<Record<string, PoolCounts>>) =>
  Object.fromEntries(Object.entries(byKey).map(([k, p]) => [k, counts(p)]));

/**
 * `GET /v1/tasks/stats`: the pool's counts per state, overall, per env and per miner hotkey, from
 * the injected `taskStats` reader; 503 when it is missing or fails (the pool lives in Redis).
 */
export function registerTasksRoutes(app: Hono, deps: ApiDeps): void {
  const timeoutMs = deps.tuning?.readerTimeoutMs ?? API_READER_TIMEOUT_MS;
  app.get('/v1/tasks/stats', async (c) => {
    const stats = await readWithin('task statistics', deps.readers?.taskStats, timeoutMs, deps.logger);
    if (!stats.ok) throw new ApiError(503, 'unavailable', stats.error);
    return c.json({ total: counts(stats.value.total), by_env: mapCounts(stats.value.byEnv), by_miner: mapCounts(stats.value.byMiner) });
  });
}
