import assert from 'node:assert/strict';
import { after, before, type TestContext } from 'node:test';
import type { Kysely } from 'kysely';
import type { Config } from '../../src/config/schema.ts';
import { createDatabase } from '../../src/db/database.ts';
import { ensureDatabase } from '../../src/db/ensure-database.ts';
import { migrateToLatest } from '../../src/db/migrator.ts';
import type { Database } from '../../src/db/schema.ts';
import type { TaskJobData } from '../../src/pool/task-job.ts';
import { type PrivatePostgres, startPrivatePostgres } from '../helpers/private-postgres.ts';
import { type PrivateRedis, startPrivateRedis } from '../helpers/private-redis.ts';
import { type CliProcess, spawnCli } from '../helpers/spawn-cli.ts';
import { TestQueues } from '../helpers/task-jobs.ts';
import { testConfig } from '../helpers/test-config.ts';
import { testLogger } from '../helpers/test-logger.ts';
import { useTestRedis } from '../helpers/test-redis.ts';
import { auditBooks, type Books, booksHold, describeBooks, violations } from './books-audit.ts';
import { recordScenario } from './fault-summary.ts';
import { type SlotAudit, SlotSampler } from './slot-sampler.ts';

/** Starting a process takes long on a loaded machine (tsx compiles the sources): room for it. */
export const STARTUP_MS = 180_000;

/**
 * The live system of a fault scenario: a private Postgres (migrated), a Redis prefix (on the shared
 * server, or on a private server the scenario may flush and kill), queues to add tasks through,
 * and the evalpool processes it spawns (killed in `after`).
 */
export interface FaultSystem {
  readonly postgres: PrivatePostgres;
  /** The private Redis server, when the scenario asked for one. */
  readonly redisServer: PrivateRedis | undefined;
  readonly db: Kysely<Database>;
  readonly config: Config;
  readonly queues: TestQueues;
  readonly prefix: string;
  /** `evalpool <args>` on this system's Postgres and Redis (fast result flush); killed in `after`. */
  spawn(args: readonly string[], variables?: Readonly<Record<string, string>>): CliProcess;
  /** Result rows stored for `hotkey`. */
  stored(hotkey: string): Promise<number>;
  /** Starts sampling the slot law (stopped by `stop()`, or in `after`). */
  startSlotSampler(): SlotSampler;
}

/** Registers the hooks of a scenario's system (call inside its `describe`). */
export function useFaultSystem(options: { readonly privateRedis?: { readonly appendonly: boolean } } = {}): FaultSystem {
  const shared = options.privateRedis ? undefined : useTestRedis();
  const prefix = shared?.prefix ?? 'evalpool-faults';
  let postgres: PrivatePostgres | undefined;
  let redisServer: PrivateRedis | undefined;
  let db: Kysely<Database> | undefined;
  let config: Config | undefined;
  let queues: TestQueues | undefined;
  const processes: CliProcess[] = [];
  const samplers: SlotSampler[] = [];

  before(async () => {
    if (options.privateRedis) redisServer = await startPrivateRedis(options.privateRedis);
    postgres = await startPrivatePostgres();
    await ensureDatabase(postgres.url);
    db = createDatabase({ url: postgres.url, poolSize: 2, logger: testLogger() });
    const run = await migrateToLatest(db);
    if (run.error) throw run.error;
    config = testConfig({
      EVALPOOL_QUEUE_PREFIX: prefix,
      EVALPOOL_DATABASE_URL: postgres.url,
      ...(redisServer && { EVALPOOL_REDIS_URL: redisServer.url }),
    });
    queues = TestQueues.open(config);
  });

  after(async () => {
    for (const s of samplers) await s.stop();
    for (const p of processes) await p.kill();
    await queues?.close();
    await db?.destroy();
    await postgres?.destroy();
    await redisServer?.destroy();
  });

  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the fault system's ${what} exists only inside tests`);
    return value;
  };
  return {
    get postgres() {
      return ready(postgres, 'Postgres');
    },
    get redisServer() {
      return redisServer;
    },
    get db() {
      return ready(db, 'database');
    },
    get config() {
      return ready(config, 'config');
    },
    get queues() {
      return ready(queues, 'queues');
    },
    prefix,
    spawn(args, variables = {}) {
      const p = spawnCli(args, {
        EVALPOOL_DATABASE_URL: ready(postgres, 'Postgres').url,
        EVALPOOL_QUEUE_PREFIX: prefix,
        ...(redisServer && { EVALPOOL_REDIS_URL: redisServer.url }),
        EVALPOOL_RESULT_FLUSH_MS: '5',
        EVALPOOL_RESULT_RETRY_MAX_MS: '500',
        EVALPOOL_LOG_LEVEL: 'info',
        ...variables,
      });
      processes.push(p);
      return p;
    },
    async stored(hotkey) {
      const row = await ready(db, 'database')
        .selectFrom('results')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('hotkey', '=', hotkey)
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },
    startSlotSampler() {
      const c = ready(config, 'config');
      const sampler = SlotSampler.start({ redisUrl: c.storage.redisUrl, db: ready(db, 'database'), prefix, defaultSlots: c.slots.default });
      samplers.push(sampler);
      return sampler;
    },
  };
}

/** Asserts that none of `processes` has exited (its output explains it when one did). */
export function assertAlive(processes: Readonly<Record<string, CliProcess>>): void {
  for (const [label, p] of Object.entries(processes)) {
    assert.equal(p.child.exitCode ?? p.child.signalCode, null, `${label} exited:\n${p.stderr()}\n${p.stdout().slice(-4_000)}`);
  }
}

/**
 * Audits the books of `tasks` straight from Postgres and Redis (with the slot sampler's record,
 * when the scenario ran one), records and prints the scenario's row of the fault-suite table
 * (`extra` is appended to the books), and asserts that they hold with every task evaluated.
 */
export async function assertBooks(
  t: TestContext,
  system: FaultSystem,
  row: { readonly scenario: string; readonly injected: string; readonly extra?: string },
  tasks: readonly TaskJobData[],
  options: { readonly slots?: SlotAudit } = {},
): Promise<Books> {
  const books = await auditBooks(system.db, system.queues.connection, system.prefix, tasks, options.slots);
  const described = `${describeBooks(books)}${row.extra ? `; ${row.extra}` : ''}`;
  recordScenario({
    scenario: row.scenario,
    injected: row.injected,
    books: described,
    holds: booksHold(books),
    violations: violations(books),
    detail: books,
    finishedAt: new Date().toISOString(),
  });
  t.diagnostic(
    `| ${row.scenario} | ${row.injected} | ${described} | ${booksHold(books) ? 'holds' : `VIOLATED: ${violations(books).join(', ')}`} |`,
  );
  assert.deepEqual(books.duplicates, [], 'one result per task');
  assert.deepEqual(books.lost, [], 'nothing lost');
  assert.equal(books.evaluated, tasks.length, 'every task evaluated');
  assert.equal(books.infrastructureScored, 0, 'no infrastructure fault scored');
  assert.deepEqual(books.strayJobs, [], 'no job for a retired id or revision, nor for an unknown or inactive miner');
  assert.deepEqual(books.weights.violations, [], 'weights published only from full coverage');
  if (books.slots) assert.deepEqual(books.slots.violations, [], 'in flight ≤ slots in every sample');
  return books;
}
