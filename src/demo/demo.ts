import type { Kysely } from 'kysely';
import type { StaticMinerEntry } from '../chain/static-miners-file.ts';
import { DEMO_MINERS_STOP_RESERVE_MS } from '../config/constants.ts';
import type { Config } from '../config/schema.ts';
import type { Database } from '../db/schema.ts';
import { Lifecycle } from '../runtime/lifecycle.ts';
import type { Logger } from '../runtime/logger.ts';
import { startServe } from '../service/serve.ts';
import { planDemoMiners, readDemoMinersFile, type StartedDemoMiner, startDemoMiners } from './demo-miners.ts';
import { DemoSetupError } from './demo-setup-error.ts';

/** A running demo: serve's URL and database, the demo miners, and the lifecycle that stops it all. */
export interface RunningDemo {
  readonly url: string;
  readonly db: Kysely<Database>;
  readonly lifecycle: Lifecycle;
  /** The demo miners this process serves, in file order. */
  readonly miners: readonly StartedDemoMiner[];
  /** Entries of the miners file the demo does not serve (expected to run on their own). */
  readonly others: readonly StaticMinerEntry[];
}

/**
 * Starts the whole system on one machine: a demo miner for every local `demo-<policy>` entry of
 * `EVALPOOL_MINERS_FILE` (see demo-miners.ts), then `serve` (database created and migrated,
 * scheduler, API, inline workers as configured). Stopping the returned lifecycle stops `serve`
 * first, so that the episodes in flight finish against the miners, then the miners. If anything
 * fails to start, what did start is stopped before the error is thrown. `minerPorts`: the
 * `--miner-ports` the operator passed (the miners file is then the copy with the ports moved).
 */
export async function startDemo(config: Config, logger: Logger, options: { minerPorts?: number } = {}): Promise<RunningDemo> {
  if (config.chain.endpoint !== undefined) {
    throw new DemoSetupError('the demo takes its miners from EVALPOOL_MINERS_FILE, not from a chain: unset EVALPOOL_CHAIN_ENDPOINT');
  }
  const file = config.chain.minersFile;
  const plan = planDemoMiners(await readDemoMinersFile(file));
  const lifecycle = new Lifecycle(logger);
  try {
    const ports = options.minerPorts === undefined ? { file } : { first: options.minerPorts };
    const miners = await startDemoMiners(plan.local, { ports, maxConcurrentEpisodes: config.slots.max }, lifecycle, logger);
    const serve = await startServe(config, logger);
    const graceMs = Math.max(100, config.server.shutdownGraceMs - DEMO_MINERS_STOP_RESERVE_MS);
    lifecycle.defer('serve', async () => {
      if (!(await serve.lifecycle.stopAll(graceMs))) throw new Error('serve did not stop cleanly');
    });
    return { url: serve.url, db: serve.db, lifecycle, miners, others: plan.others };
  } catch (error) {
    await lifecycle.stopAll(config.server.shutdownGraceMs);
    throw error;
  }
}
