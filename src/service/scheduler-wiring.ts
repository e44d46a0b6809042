import type { Kysely } from 'kysely';
import { minerSourceFromConfig } from '../chain/configured-miner-source.ts';
import type { Config } from '../config/schema.ts';
import type { Database } from '../db/schema.ts';
import type { Lifecycle } from '../runtime/lifecycle.ts';
import type { Logger } from '../runtime/logger.ts';
import { loadSamplingDefinitions } from '../sampling/definitions.ts';
import { ensureSamplingLists } from '../sampling/ensure-sampling-lists.ts';
import type { SchedulerOptions } from '../scheduler/scheduler.ts';

/** The scheduler's outside dependencies, as `serve` provides them. */
export type SchedulerSeams = Pick<SchedulerOptions, 'minerSource' | 'envIds'>;

/**
 * The scheduler's seams for `serve`: the sampling lists defined in `EVALPOOL_SAMPLING_LISTS_DIR`
 * (created in Postgres on first start, settings applied from the files) and the miner source
 * (chain or static file), closed by `lifecycle`. A broken definition file stops the start with a
 * message naming the file and field.
 */
export async function wireScheduler(config: Config, db: Kysely<Database>, logger: Logger, lifecycle: Lifecycle): Promise<SchedulerSeams> {
  const definitions = await loadSamplingDefinitions(config.scheduler.samplingListsDir);
  await ensureSamplingLists(db, definitions, logger.child({ component: 'sampling' }));
  const minerSource = minerSourceFromConfig(config, logger);
  lifecycle.defer('miner-source', () => minerSource.close());
  return { minerSource, envIds: definitions.map((d) => d.envId) };
}
