import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { Config } from '../config/schema.ts';
import type { Database } from '../db/schema.ts';
import { poolMetricsSource } from '../pool/pool-metrics-source.ts';
import type { EvalpoolMetrics, MetricsSource } from '../runtime/metrics.ts';
import { weightsMetricsSource } from '../scheduler/weights-metrics-source.ts';

/**
 * What `serve`'s `/metrics` refreshes at each scrape: the pool (Redis through the fail-fast
 * `redisProbe`, plus Postgres) and the latest weights (Postgres). Kept apart so that a Redis
 * outage leaves out the pool series only.
 */
export function serveMetricsSources(metrics: EvalpoolMetrics, config: Config, db: Kysely<Database>, redisProbe: Redis): MetricsSource[] {
  return [
    poolMetricsSource({ metrics, redis: redisProbe, prefix: config.storage.queuePrefix, db, defaultSlots: config.slots.default }),
    weightsMetricsSource(metrics, db),
  ];
}
