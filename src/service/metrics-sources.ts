import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { getSamplingLists } from '../db/tables/sampling-lists.ts';
import { poolMetricsSource } from '../pool/pool-metrics-source.ts';
import type { PoolStats } from '../pool/pool-stats.ts';
import { workersMetricsSource } from '../pool/workers-metrics-source.ts';
import type { EvalpoolMetrics, MetricsSource } from '../runtime/metrics.ts';
import { scoresMetricsSource } from '../scheduler/scores-metrics-source.ts';
import { weightsMetricsSource } from '../scheduler/weights-metrics-source.ts';

/**
 * What `serve`'s `/metrics` refreshes at each scrape: the pool (the shared snapshot, read
 * through the fail-fast `redisProbe`, plus Postgres), the latest weights (Postgres) and the worker
 * registry (Redis, through the same probe). Kept apart so that a Redis
 * outage leaves out the pool series only.
 */
export function serveMetricsSources(
  metrics: EvalpoolMetrics,
  db: Kysely<Database>,
  poolStats: () => Promise<PoolStats>,
  workers: { redis: Redis; prefix: string },
): MetricsSource[] {
  return [
    poolMetricsSource({ metrics, stats: poolStats }),
    weightsMetricsSource(metrics, db),
    scoresMetricsSource(metrics, db),
    workersMetricsSource({ metrics, ...workers, envs: async () => (await getSamplingLists(db)).map((l) => l.env_id) }),
  ];
}
