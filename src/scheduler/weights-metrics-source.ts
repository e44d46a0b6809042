import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { getLatestWeightsHead } from '../db/tables/weights.ts';
import type { EvalpoolMetrics, MetricsSource } from '../runtime/metrics.ts';

/**
 * `evalpool_weights_age_seconds` and `evalpool_weights_last_block` from the latest weights row
 * (one probe of the unique index on `block_number`), at each scrape. Both are absent before the
 * first weights: alert on `absent(...)` as well as on the age.
 */
export function weightsMetricsSource(metrics: EvalpoolMetrics, db: Kysely<Database>, now: () => number = Date.now): MetricsSource {
  const clear = (): void => {
    // remove(), not reset(): a gauge without labels resets to 0, which would read as fresh weights.
    metrics.weightsAge.remove();
    metrics.weightsLastBlock.remove();
  };
  return {
    name: 'weights',
    async refresh() {
      const head = await getLatestWeightsHead(db);
      if (!head) return clear();
      metrics.weightsAge.set(Math.max(0, (now() - head.created_at.getTime()) / 1_000));
      metrics.weightsLastBlock.set(head.block_number);
    },
    clear,
  };
}
