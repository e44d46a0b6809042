import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import type { Database } from '../db/schema.ts';
import type { EvalpoolMetrics, MetricsSource } from '../runtime/metrics.ts';
import type { AdminDeps } from './admin/admin-deps.ts';
import type { ApiReaders } from './readers.ts';

/** What the API needs; every part is created and closed by the caller. */
export interface ApiDeps {
  readonly config: Config;
  readonly db: Kysely<Database>;
  /** A fail-fast connection used for probes (see `createRedis(..., 'probe')`). */
  readonly redisProbe: Redis;
  readonly logger: Logger;
  /**
   * State outside Postgres (scheduler, pool, in-flight counts, circuit breakers), read through
   * injected functions so the API does not depend on BullMQ. See `readers.ts`; all optional.
   */
  readonly readers?: ApiReaders;
  /**
   * Redis and queue handles of the admin API and the queue view (see `admin/admin-deps.ts`);
   * needed only with `EVALPOOL_ADMIN_TOKEN` set.
   */
  readonly admin?: AdminDeps;
  /** Clock in ms of the rate limiter and admin sessions (default `Date.now`; tests inject one). */
  readonly now?: () => number;
  /**
   * This process's metrics: with them, every request is counted and timed and `GET /metrics`
   * serves them, refreshing `metricsSources` (pool, weights) first. Without them, no `/metrics`.
   */
  readonly metrics?: EvalpoolMetrics;
  readonly metricsSources?: readonly MetricsSource[];
  /** Tuning of the in-memory caches and reader calls; defaults in `config/constants.ts`. */
  readonly tuning?: {
    readonly cacheRefreshMs?: number;
    readonly readerTimeoutMs?: number;
  };
}
