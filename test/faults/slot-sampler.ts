import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import { REDIS_START_TIMEOUT_MS } from '../../src/config/constants.ts';
import type { Database } from '../../src/db/schema.ts';
import { getMinerDeclarations } from '../../src/db/tables/miner-declarations.ts';
import { getMinerSlots } from '../../src/db/tables/miner-slots.ts';
import { minerCapOf } from '../../src/pool/miner-cap.ts';
import { poolKeys } from '../../src/pool/pool-keys.ts';
import { readPoolSnapshot } from '../../src/pool/pool-snapshot.ts';
import { waitForRedis } from '../../src/runtime/wait-ready.ts';

/** What the slot sampler saw while a scenario ran. */
export interface SlotAudit {
  /** Samples of the whole pool taken (each one MULTI of every queue's lists). */
  readonly samples: number;
  /** Samples that failed (Redis or Postgres down during the fault): not counted as samples. */
  readonly failedSamples: number;
  /** Highest in flight of any miner in any sample. */
  readonly peak: number;
  /** One line per violating sample (at most 20 kept). */
  readonly violations: readonly string[];
}

const KEPT = 20;

/**
 * Samples the slot law, **in flight(miner) ≤ min(slots, declared)** (docs/design.md, "Per-miner slots"),
 * from Redis and Postgres directly, every `everyMs` while a scenario runs, in the test process. In
 * flight is a miner's pending + assigned jobs in one MULTI (pool-snapshot.ts); the cap is read
 * from Postgres with the pool's own rule (miner-cap.ts) right after.
 *
 * A cap that was lowered (an ops pin, the adjuster) cannot pull back an assigned task, and
 * removal trims pending ones on the next tick: so a sample over its cap is a violation only
 * when the miner holds more than the highest cap read in the last two samples *and* a job was
 * created meanwhile (a job id not in the previous sample, or more jobs than then), or when it
 * holds more than the highest cap ever read for it.
 */
export class SlotSampler {
  readonly #redis: Redis;
  readonly #db: Kysely<Database>;
  readonly #prefix: string;
  readonly #defaultSlots: number;
  readonly #everyMs: number;
  readonly #stopped = new AbortController();
  readonly #loop: Promise<void>;
  #samples = 0;
  #failed = 0;
  #peak = 0;
  #violations: string[] = [];
  #violationCount = 0;
  #previous = new Map<string, { jobs: Set<string>; cap: number }>();
  #highest = new Map<string, number>();

  private constructor(redisUrl: string, db: Kysely<Database>, prefix: string, defaultSlots: number, everyMs: number) {
    // Its own connection: fails fast while Redis is down (the sample is skipped), reconnects after.
    this.#redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: () => 200 });
    this.#redis.on('error', () => undefined);
    this.#db = db;
    this.#prefix = prefix;
    this.#defaultSlots = defaultSlots;
    this.#everyMs = everyMs;
    this.#loop = this.#run();
  }

  /** Starts sampling; `stop()` ends it and returns what it saw. */
  static start(options: {
    readonly redisUrl: string;
    readonly db: Kysely<Database>;
    readonly prefix: string;
    readonly defaultSlots: number;
    readonly everyMs?: number;
  }): SlotSampler {
    return new SlotSampler(options.redisUrl, options.db, options.prefix, options.defaultSlots, options.everyMs ?? 100);
  }

  async #run(): Promise<void> {
    for (;;) {
      try {
        await sleep(this.#everyMs, undefined, { signal: this.#stopped.signal });
      } catch {
        return; // stopped
      }
      try {
        await this.sample();
      } catch {
        this.#failed++;
      }
    }
  }

  /** Resolves once the sampler's own connection is up (its commands fail fast until then). */
  async ready(): Promise<void> {
    await waitForRedis(this.#redis, REDIS_START_TIMEOUT_MS);
  }

  /** One sample (also called by tests of the sampler itself: await `ready()` first). */
  async sample(): Promise<void> {
    const envs = await this.#redis.smembers(poolKeys(this.#prefix).queues);
    const snapshot = await readPoolSnapshot(this.#redis, this.#prefix, envs);
    const [miners, slots, declarations] = await Promise.all([
      this.#db.selectFrom('miners').select(['hotkey', 'endpoint']).where('active', '=', true).execute(),
      getMinerSlots(this.#db),
      getMinerDeclarations(this.#db),
    ]);
    const capOf = minerCapOf(miners, slots, declarations, this.#defaultSlots);
    const jobs = new Map<string, Set<string>>();
    for (const task of snapshot.tasks) {
      if (task.state === 'paused') continue;
      let set = jobs.get(task.hotkey);
      if (!set) jobs.set(task.hotkey, (set = new Set()));
      set.add(`${task.env}\u0000${task.jobId}`);
    }
    const current = new Map<string, { jobs: Set<string>; cap: number }>();
    for (const hotkey of new Set([...jobs.keys(), ...this.#previous.keys()])) {
      const held = jobs.get(hotkey) ?? new Set<string>();
      const cap = capOf(hotkey);
      current.set(hotkey, { jobs: held, cap });
      const highest = Math.max(this.#highest.get(hotkey) ?? 0, cap);
      this.#highest.set(hotkey, highest);
      this.#peak = Math.max(this.#peak, held.size);
      const before = this.#previous.get(hotkey);
      const recentCap = Math.max(cap, before?.cap ?? 0);
      const created = [...held].some((j) => !before?.jobs.has(j)) || held.size > (before?.jobs.size ?? 0);
      if ((held.size > recentCap && created) || held.size > highest) {
        this.#violationCount++;
        if (this.#violations.length < KEPT)
          this.#violations.push(
            `${hotkey}: ${held.size} in flight > cap ${cap} (previous sample: ${before?.jobs.size ?? 0} in flight, cap ${before?.cap ?? 'none'}) at sample ${this.#samples + 1}`,
          );
      }
    }
    this.#previous = current;
    this.#samples++;
  }

  /** Stops sampling (after the sample under way) and returns the record. */
  async stop(): Promise<SlotAudit> {
    this.#stopped.abort();
    await this.#loop;
    this.#redis.disconnect();
    const extra = this.#violationCount - this.#violations.length;
    return {
      samples: this.#samples,
      failedSamples: this.#failed,
      peak: this.#peak,
      violations: extra > 0 ? [...this.#violations, `... and ${extra} more`] : this.#violations,
    };
  }
}
