import type { Redis } from 'ioredis';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema.ts';

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
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([run(), timeout]);
    return { ok: true, latency_ms: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, latency_ms: Math.round(performance.now() - started), error: (error as Error).message || String(error) };
  } finally {
    clearTimeout(timer);
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
