import type { Redis } from 'ioredis';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema.ts';
import { withDeadline } from '../runtime/deadline.ts';
import { errorMessage } from '../runtime/error-message.ts';

/** One dependency's state as `/health` reports it. */
export interface ProbeResult {
  readonly ok: boolean;
  readonly latency_ms: number;
  readonly error?: string;
}

/** The body of `GET /health`. */
export interface HealthReport {
  readonly status: 'ok' | 'degraded';
  readonly database: ProbeResult;
  readonly redis: ProbeResult;
}

async function probe(run: () => Promise<unknown>, timeoutMs: number): Promise<ProbeResult> {
  const started = performance.now();
  try {
    await withDeadline(run(), timeoutMs);
    return { ok: true, latency_ms: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, latency_ms: Math.round(performance.now() - started), error: errorMessage(error) };
  }
}

/** Really asks Postgres (`select 1`) and Redis (`PING`), each within `timeoutMs`, in parallel. */
export async function checkHealth(db: Kysely<Database>, redis: Redis, timeoutMs: number): Promise<HealthReport> {
  const [database, redisResult] = await Promise.all([
    probe(() => sql`select 1`.execute(db), timeoutMs),
    probe(() => redis.ping(), timeoutMs),
  ]);
  return { status: database.ok && redisResult.ok ? 'ok' : 'degraded', database, redis: redisResult };
}
