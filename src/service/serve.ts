import type { Kysely } from 'kysely';
import { createApp } from '../api/app.ts';
import { startHttpServer } from '../api/http-server.ts';
import { API_CACHE_REFRESH_MS, REDIS_START_TIMEOUT_MS } from '../config/constants.ts';
import type { Config } from '../config/schema.ts';
import { createConfiguredDatabase } from '../db/database.ts';
import { ensureDatabase } from '../db/ensure-database.ts';
import { migrateToLatest } from '../db/migrator.ts';
import type { Database } from '../db/schema.ts';
import { sharedPoolStats } from '../pool/shared-pool-stats.ts';
import { Lifecycle } from '../runtime/lifecycle.ts';
import type { Logger } from '../runtime/logger.ts';
import { createMetrics, Registry } from '../runtime/metrics.ts';
import { checkEvictionPolicy, closeRedis, createRedis } from '../runtime/redis.ts';
import { waitForRedis } from '../runtime/wait-ready.ts';
import { Scheduler } from '../scheduler/scheduler.ts';
import { openAdminResources } from './admin-resources.ts';
import { apiReaders } from './api-readers.ts';
import { serveMetricsSources } from './metrics-sources.ts';
import { wireScheduler } from './scheduler-wiring.ts';
import { startInlineWorkers } from './worker-service.ts';

/** Options of {@link startServe} beyond the config. */
export interface ServeOptions {
  /** Create the database if missing and apply pending migrations (default: config). */
  readonly migrate?: boolean;
}

/** A running `serve`: its URL, its database handle, and the lifecycle that stops it. */
export interface RunningServe {
  readonly url: string;
  readonly db: Kysely<Database>;
  readonly lifecycle: Lifecycle;
}

/**
 * Starts `evalpool serve`: database (created and migrated unless disabled), Redis, the scheduler
 * (campaigning for the leader lease, when enabled), HTTP API.
 * Resources are registered in start order on the returned lifecycle, which stops them in reverse.
 * If anything fails to start, what did start is stopped before the error is thrown.
 */
export async function startServe(config: Config, logger: Logger, options: ServeOptions = {}): Promise<RunningServe> {
  const lifecycle = new Lifecycle(logger);
  // One registry for the process: API, scheduler and inline workers record into it; `/metrics`
  // serves it. Without inline workers, no worker-side series (see CreateMetricsOptions.workers).
  const metrics = createMetrics(new Registry(), { workers: config.worker.inlineWorkers > 0 });
  try {
    if (options.migrate ?? config.server.migrateOnStart) {
      if (await ensureDatabase(config.storage.databaseUrl)) logger.info('created the database');
    }
    const db = createConfiguredDatabase(config.storage, config.storage.databasePoolSize, logger);
    lifecycle.defer('database', () => db.destroy());
    if (options.migrate ?? config.server.migrateOnStart) {
      const run = await migrateToLatest(db);
      for (const r of run.results) logger.info({ migration: r.migrationName, status: r.status }, 'migration');
      if (run.error) throw run.error;
    }

    const redisProbe = createRedis(config.storage.redisUrl, 'probe', logger);
    lifecycle.defer('redis-probe', () => closeRedis(redisProbe));
    await waitForRedis(redisProbe, REDIS_START_TIMEOUT_MS);
    const eviction = await checkEvictionPolicy(redisProbe);
    if (eviction) logger.warn(eviction);

    if (config.scheduler.enabled) {
      const seams = await wireScheduler(config, db, logger, lifecycle);
      // Registered before the HTTP server so that it stops after it: stop releases the lease.
      const scheduler = lifecycle.add(new Scheduler({ config, db, logger, ...seams, metrics }));
      await scheduler.start();
    }

    const admin = openAdminResources(config, logger, lifecycle);
    // One pool snapshot per period for the read API and /metrics alike, through the fail-fast probe.
    const poolStats = sharedPoolStats(
      { redis: redisProbe, prefix: config.storage.queuePrefix, db, defaultSlots: config.slots.default },
      API_CACHE_REFRESH_MS,
    );
    const metricsSources = serveMetricsSources(metrics, db, poolStats, { redis: redisProbe, prefix: config.storage.queuePrefix });
    const app = createApp({
      config,
      db,
      redisProbe,
      logger,
      readers: apiReaders(config, redisProbe, poolStats),
      ...(admin ? { admin } : {}),
      metrics,
      metricsSources,
    });
    const server = lifecycle.add(await startHttpServer(app, config.server.host, config.server.port));
    logger.info({ url: server.url }, 'evalpool serve is listening');
    if (config.worker.inlineWorkers > 0) await startInlineWorkers(config, logger, lifecycle, db, metrics);
    return { url: server.url, db, lifecycle };
  } catch (error) {
    await lifecycle.stopAll(config.server.shutdownGraceMs);
    throw error;
  }
}
