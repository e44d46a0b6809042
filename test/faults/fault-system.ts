import assert from 'node:assert/strict';
import { after, before, type TestContext } from 'node:test';
import type { Kysely } from 'kysely';
import type { Config } from '../../src/config/schema.ts';
import { createDatabase } from '../../src/db/database.ts';
import { ensureDatabase } from '../../src/db/ensure-database.ts';
import { migrateToLatest } from '../../src/db/migrator.ts';
import type { Database } from '../../src/db/schema.ts';
import type { TaskJobData } from '../../src/pool/task-job.ts';
import { startPrivatePostgres, type PrivatePostgres } from '../helpers/private-postgres.ts';
import { startPrivateRedis, type PrivateRedis } from '../helpers/private-redis.ts';
import { spawnCli, type CliProcess } from '../helpers/spawn-cli.ts';
import { TestQueues } from '../helpers/task-jobs.ts';
import { testConfig } from '../helpers/test-config.ts';
import { testLogger } from '../helpers/test-logger.ts';
import { useTestRedis } from '../helpers/test-redis.ts';
import { auditBooks, booksHold, type Books } from './books-audit.ts';

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

  before(async () => {
    if (options.privateRedis) redisServer = await startPrivateRedis(options.privateRedis);
    postgres = await startPrivatePostgres();
    await ensureDatabase(postgres.url);
    db = createDatabase({ url: postgres.url, poolSize: 2, logger: testLogger() });
    const run = await migrateToLatest(db);
    if (run.error) throw run.error;
    config = testConfig({ EVALPOOL_QUEUE_PREFIX: prefix, EVALPOOL_DATABASE_URL: postgres.url, ...(redisServer && { EVALPOOL_REDIS_URL: redisServer.url }) });
    queues = TestQueues.open(config);
  });

  after(async () => {
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
      const row = await ready(db, 'database').selectFrom('results').select((eb) => eb.fn.countAll<number>().as('n')).where('hotkey', '=', hotkey).executeTakeFirst();
      return Number(row?.n ?? 0);
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
 * Audits the books of `tasks` straight from Postgres and Redis, prints the scenario's row of the
 * README's fault-suite table (`extra` is appended to the books), and asserts that they hold with
 * every task evaluated.
 */
export async function assertBooks(t: TestContext, system: FaultSystem, row: { readonly scenario: string; readonly injected: string; readonly extra?: string }, tasks: readonly TaskJobData[]): Promise<Books> {
  const books = await auditBooks(system.db, system.queues.connection, system.prefix, tasks);
  t.diagnostic(
    `| ${row.scenario} | ${row.injected} | ${books.tasks} tasks, ${books.evaluated} evaluated, ${books.pooled} pooled, ${books.duplicates.length} duplicates, ${books.lost.length} lost, ${books.infrastructureScored} infrastructure faults scored${row.extra ? `; ${row.extra}` : ''} | ${booksHold(books) ? 'holds' : 'VIOLATED'} |`,
  );
  assert.deepEqual(books.duplicates, [], 'one result per task');
  assert.deepEqual(books.lost, [], 'nothing lost');
  assert.equal(books.evaluated, tasks.length, 'every task evaluated');
  assert.equal(books.infrastructureScored, 0, 'no infrastructure fault scored');
  return books;
}
