import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import { BlockClock } from '../chain/block-clock.ts';
import { StaticMinersFileError } from '../chain/static-miners-file.ts';
import { REDIS_START_TIMEOUT_MS } from '../config/constants.ts';
import type { Config } from '../config/schema.ts';
import type { Database } from '../db/schema.ts';
import { LeaseLostError } from '../pool/fenced-create.ts';
import { poolKeys } from '../pool/pool-keys.ts';
import { TaskPool } from '../pool/task-pool.ts';
import { DistinctMessages } from '../runtime/distinct-messages.ts';
import { errorMessage } from '../runtime/error-message.ts';
import type { Stoppable } from '../runtime/lifecycle.ts';
import type { Logger } from '../runtime/logger.ts';
import type { EvalpoolMetrics } from '../runtime/metrics.ts';
import { closeRedis, createRedis } from '../runtime/redis.ts';
import { sleep } from '../runtime/sleep.ts';
import { waitForRedis } from '../runtime/wait-ready.ts';
import { LeaderLease } from './leader-lease.ts';
import { type LeaderMinerSource, leaderTasks } from './leader-tasks.ts';
import { type PeriodicTask, runPeriodicTasks } from './periodic-task.ts';
import { StatusWriter } from './scheduler-status.ts';

/** Options of a {@link Scheduler}. */
export interface SchedulerOptions {
  readonly config: Pick<Config, 'scheduler' | 'slots' | 'storage' | 'chain' | 'scoring'>;
  readonly db: Kysely<Database>;
  readonly logger: Logger;
  /** Miner discovery (chain or static file), closed by its creator; absent = the `miners` table is managed elsewhere and only read. */
  readonly minerSource?: LeaderMinerSource;
  /** The block weights are stamped with when miners do not come from the chain (default: a {@link BlockClock}). */
  readonly blockClock?: Pick<BlockClock, 'currentBlock'>;
  /** Envs with a sampling-list definition (the pool schedules only these); absent = every stored list. */
  readonly envIds?: readonly string[];
  /**
   * The tasks a term runs, from the leader's tasks (leader-tasks.ts); default: all of them. For
   * tests that run the leader without some of them, or with a probe task.
   */
  readonly tasks?: (listed: readonly PeriodicTask[]) => readonly PeriodicTask[];
  /** Name of this replica in the lease and the status (default `<hostname>-<pid>-<random>`). */
  readonly instanceId?: string;
  /** Where leadership, ticks, rotations and task failures are recorded; absent = not recorded. */
  readonly metrics?: EvalpoolMetrics;
}

/**
 * The scheduler of a `serve` replica: campaigns for the Redis lease and, while it holds it, runs
 * the leader loop (the tasks listed in leader-tasks.ts). Losing the lease (renewal refused,
 * or not confirmed before it would expire) aborts the running task at once and ends the term;
 * the replica then campaigns again. `stop()` ends the term and releases the lease so that
 * another replica takes over without waiting for it to expire.
 */
export class Scheduler implements Stoppable {
  readonly name = 'scheduler';
  readonly instanceId: string;
  readonly #options: SchedulerOptions;
  readonly #logger: Logger;
  readonly #stopping = new AbortController();
  readonly #blockClock: Pick<BlockClock, 'currentBlock'>;
  #redis: Redis | undefined;
  #pool: TaskPool | undefined;
  #lease: LeaderLease | undefined;
  #term: AbortController | undefined;
  #loop: Promise<void> | undefined;
  #started: Promise<void> | undefined;
  #stopped: Promise<void> | undefined;

  constructor(options: SchedulerOptions) {
    this.#options = options;
    this.instanceId = options.instanceId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.#logger = options.logger.child({ component: 'scheduler', instance: this.instanceId });
    this.#blockClock = options.blockClock ?? new BlockClock();
  }

  /** Whether this replica leads now. */
  get isLeader(): boolean {
    return this.#term !== undefined && !this.#term.signal.aborted;
  }

  /** Opens the connections and starts campaigning (idempotent); resolves once connected. */
  start(): Promise<void> {
    this.#started ??= this.#start();
    return this.#started;
  }

  async #start(): Promise<void> {
    const { config, db, logger } = this.#options;
    const prefix = config.storage.queuePrefix;
    this.#redis = createRedis(config.storage.redisUrl, 'command', logger);
    await waitForRedis(this.#redis, REDIS_START_TIMEOUT_MS);
    this.#pool = await TaskPool.open({ redisUrl: config.storage.redisUrl, prefix, db, config, logger });
    this.#lease = new LeaderLease(this.#redis, poolKeys(prefix).lease, config.scheduler.leaseMs, this.instanceId);
    this.#loop = this.#campaign();
  }

  /** Ends the term, releases the lease, closes everything (idempotent). */
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      this.#stopping.abort();
      await this.#started?.catch(() => undefined);
      await this.#loop;
      await this.#pool?.close();
      if (this.#redis) await closeRedis(this.#redis);
    })();
    return this.#stopped;
  }

  async #campaign(): Promise<void> {
    const lease = this.#lease!;
    const retryMs = Math.max(50, Math.floor(lease.leaseMs / 3));
    while (!this.#stopping.signal.aborted) {
      let waitMs = retryMs;
      try {
        const token = await lease.tryAcquire();
        if (token) {
          await this.#lead(token);
          continue;
        }
        // Try again right after the holder's lease would expire (or sooner, to notice a release).
        const holder = await lease.holder();
        if (holder && holder.ttlMs >= 0) waitMs = Math.min(holder.ttlMs + 5, retryMs);
        else if (!holder) waitMs = 0;
      } catch (error) {
        this.#logger.warn({ err: errorMessage(error) }, 'campaign for the scheduler lease failed; retrying');
      }
      if (waitMs > 0) await sleep(waitMs, this.#stopping.signal);
    }
  }

  async #lead(token: string): Promise<void> {
    const { config, db, metrics, minerSource, envIds } = this.#options;
    const lease = this.#lease!;
    const pool = this.#pool!;
    const term = new AbortController();
    this.#term = term;
    // stop() may come while the lease was being taken: the term ends with it either way.
    const onStop = (): void => term.abort(new Error('the scheduler is stopping'));
    if (this.#stopping.signal.aborted) onStop();
    else this.#stopping.signal.addEventListener('abort', onStop, { once: true });
    const since = new Date();
    const status = new StatusWriter(this.#redis!, config.storage.queuePrefix);
    this.#logger.info({ leaseMs: lease.leaseMs }, 'became the scheduler leader');
    metrics?.schedulerLeader.set(1);

    // Renew every third of the lease; a renewal refused, or none confirmed before the lease would
    // have expired (minus one renewal period of margin), ends the term.
    const renewMs = Math.max(50, Math.floor(lease.leaseMs / 3));
    let validUntil = Date.now() + lease.leaseMs;
    let renewing = false;
    const checkConfirmed = (): void => {
      if (!term.signal.aborted && Date.now() > validUntil - renewMs) term.abort(new LeaseLostError('renewal not confirmed in time'));
    };
    const renewal = setInterval(() => {
      // Checked on every period, also while a renewal hangs (a half-open socket answers nothing).
      checkConfirmed();
      if (renewing || term.signal.aborted) return;
      renewing = true;
      const sentAt = Date.now();
      lease
        .renew(token)
        .then((held) => {
          if (held) validUntil = sentAt + lease.leaseMs;
          else term.abort(new LeaseLostError('renewal refused: another replica holds the lease'));
        })
        .catch((error: Error) => this.#logger.warn({ err: error.message }, 'lease renewal failed'))
        .finally(() => {
          renewing = false;
          checkConfirmed();
        });
    }, renewMs);

    try {
      pool.beginTerm(token);
      await status.leader(this.instanceId, since).catch(() => undefined);
      const listed = leaderTasks({
        config,
        db,
        pool,
        status,
        logger: this.#logger,
        rootLogger: this.#options.logger,
        blockClock: this.#blockClock,
        ...(minerSource ? { minerSource } : {}),
        ...(envIds ? { envIds } : {}),
        ...(metrics ? { metrics } : {}),
      });
      const tasks = this.#options.tasks?.(listed) ?? listed;
      // Every task's failure counter exists from the start (at 0), so that `increase()` sees the first failure.
      for (const t of tasks) metrics?.schedulerTaskFailures.inc({ task: t.name }, 0);
      // One log line per change of a task's failure (a missing miners file fails every minute:
      // once, then silence until it changes or recovers); the counter counts every run.
      const failing = new Map<string, DistinctMessages>();
      const failuresOf = (name: string): DistinctMessages => {
        let messages = failing.get(name);
        if (!messages) failing.set(name, (messages = new DistinctMessages()));
        return messages;
      };
      await runPeriodicTasks(tasks, term.signal, ({ name, startedAt, durationMs, error }) => {
        // A task meeting the new leader's fencing is a takeover, not a failure: the term ends below.
        if (error && !term.signal.aborted && !(error instanceof LeaseLostError)) {
          if (failuresOf(name).changed(errorMessage(error)))
            this.#logger.error(
              // A miners file the operator fixes is its one sentence; other failures keep their stack.
              { task: name, err: error instanceof StaticMinersFileError ? error.message : error },
              'scheduler task failed (logged again only when the error changes)',
            );
          metrics?.schedulerTaskFailures.inc({ task: name });
        } else if (!error && failuresOf(name).reset()) this.#logger.info({ task: name }, 'scheduler task succeeds again');
        if (error instanceof LeaseLostError) term.abort(error);
        void status.taskRun(name, startedAt, durationMs, term.signal.aborted ? undefined : error).catch(() => undefined);
      });
    } finally {
      clearInterval(renewal);
      metrics?.schedulerLeader.set(0);
      this.#stopping.signal.removeEventListener('abort', onStop);
      const reason: unknown = term.signal.reason;
      if (!term.signal.aborted) term.abort();
      this.#term = undefined;
      await pool.endTerm();
      if (this.#stopping.signal.aborted) {
        await lease.release(token).catch(() => false);
        this.#logger.info('released the scheduler lease');
      } else if (reason instanceof LeaseLostError) {
        // Expected in a failover: another replica leads now, this one campaigns again.
        this.#logger.info({ reason: reason.message }, 'scheduler term ended: the lease was lost; campaigning again');
      } else {
        this.#logger.warn({ reason: errorMessage(reason) }, 'lost the scheduler lease: scheduling stopped');
      }
    }
  }
}
