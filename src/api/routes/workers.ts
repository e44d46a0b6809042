import type { Hono } from 'hono';
import * as v from 'valibot';
import { API_READER_TIMEOUT_MS } from '../../config/constants.ts';
import type { ApiDeps } from '../api-deps.ts';
import { ApiError } from '../api-error.ts';
import { readWithin, type WorkerStatus } from '../readers.ts';
import { type UnconsumedEnv, unconsumedEnvs, unconsumedSentence } from '../unconsumed-envs.ts';

const WORKER_STATES = ['live', 'stale', 'gone'] as const;
const stateQuery = v.optional(v.picklist(WORKER_STATES, `state must be one of ${WORKER_STATES.join(', ')}`));

/** A worker as the API shows it (snake_case, ISO times). */
export function workerView(w: WorkerStatus, now: number) {
  return {
    id: w.id,
    state: w.state,
    kind: w.kind,
    host: w.host,
    pid: w.pid,
    envs: w.envs,
    concurrency: w.concurrency,
    version: w.version,
    started_at: w.startedAt.toISOString(),
    last_seen_at: w.lastSeenAt.toISOString(),
    last_seen_seconds_ago: Math.max(0, Math.round((now - w.lastSeenAt.getTime()) / 100) / 10),
    stopped_at: w.stoppedAt ? w.stoppedAt.toISOString() : null,
    heartbeat_ms: w.heartbeatMs,
    episodes: w.episodes,
    in_flight: w.inFlight,
  };
}

/** Unconsumed envs as the API shows them. */
export function unconsumedView(envs: readonly UnconsumedEnv[]) {
  return envs.map((e) => ({ env_id: e.envId, pending: e.pending, last_consumed_by: e.lostWorkers }));
}

/**
 * `GET /v1/workers[?state=live|stale|gone]`: the worker registry (503 when Redis cannot be read),
 * counts by state, and the envs whose pending tasks no live worker consumes (null, with the
 * reason in `unavailable`, when the pool cannot be read).
 */
export function registerWorkersRoutes(app: Hono, deps: ApiDeps): void {
  const timeoutMs = deps.tuning?.readerTimeoutMs ?? API_READER_TIMEOUT_MS;
  app.get('/v1/workers', async (c) => {
    const query = v.safeParse(stateQuery, c.req.query('state'));
    if (!query.success)
      throw new ApiError(400, 'invalid_parameter', `${query.issues[0].message}, got ${JSON.stringify(c.req.query('state'))}`);
    const [workers, stats] = await Promise.all([
      readWithin('worker registry', deps.readers?.workers, timeoutMs, deps.logger),
      readWithin('task statistics', deps.readers?.taskStats, timeoutMs, deps.logger),
    ]);
    if (!workers.ok) throw new ApiError(503, 'unavailable', workers.error);
    const now = Date.now();
    const counts = Object.fromEntries(WORKER_STATES.map((s) => [s, workers.value.filter((w) => w.state === s).length]));
    const unconsumed = stats.ok ? unconsumedEnvs(workers.value, stats.value.byEnv) : null;
    return c.json({
      workers: workers.value.filter((w) => query.output === undefined || w.state === query.output).map((w) => workerView(w, now)),
      counts,
      envs_without_consumer: unconsumed && unconsumedView(unconsumed),
      warning: unconsumed && unconsumedSentence(unconsumed),
      unavailable: { envs_without_consumer: stats.ok ? null : stats.error },
    });
  });
}
