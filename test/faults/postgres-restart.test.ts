import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import type { Config } from '../../src/config/schema.ts';
import { connectClient } from '../../src/db/connection-loss.ts';
import { createDatabase } from '../../src/db/database.ts';
import { ensureDatabase, splitDatabaseUrl } from '../../src/db/ensure-database.ts';
import { migrateToLatest } from '../../src/db/migrator.ts';
import type { Database } from '../../src/db/schema.ts';
import type { TaskJobData } from '../../src/pool/task-job.ts';
import { privatePostgresUnavailable, startPrivatePostgres, type PrivatePostgres } from '../helpers/private-postgres.ts';
import { spawnCli, type CliProcess } from '../helpers/spawn-cli.ts';
import { makeTask, TestQueues } from '../helpers/task-jobs.ts';
import { testConfig } from '../helpers/test-config.ts';
import { testLogger } from '../helpers/test-logger.ts';
import { useTestRedis } from '../helpers/test-redis.ts';
import { waitFor } from '../helpers/wait-for.ts';

/**
 * Postgres goes away under load, the way operators and failovers make it: every backend of the
 * service terminated (`pg_terminate_backend`), and the server restarted (fast shutdown), round
 * after round, while a `serve` with inline workers and a separate `worker` write results and the
 * API is read. Every process stays up, and the books hold: each task has exactly one result and
 * none is lost.
 */

const ENV = 'noop/pg-faults';
const HOTKEY = '5PgFaults';
const WAVE = 40;
const redis = useTestRedis();

describe('Postgres restarted and its backends terminated under load', { skip: privatePostgresUnavailable() }, () => {
  let postgres: PrivatePostgres;
  let db: Kysely<Database>;
  let admin: pg.Client | undefined;
  let config: Config;
  let queues: TestQueues;
  const processes: CliProcess[] = [];

  before(async () => {
    postgres = await startPrivatePostgres();
    await ensureDatabase(postgres.url);
    db = createDatabase({ url: postgres.url, poolSize: 2, logger: testLogger() });
    const run = await migrateToLatest(db);
    if (run.error) throw run.error;
    config = testConfig({ EVALPOOL_QUEUE_PREFIX: redis.prefix, EVALPOOL_DATABASE_URL: postgres.url });
    queues = TestQueues.open(config);
  });

  after(async () => {
    for (const p of processes) await p.kill();
    await queues?.close();
    await admin?.end().catch(() => undefined);
    await db?.destroy();
    await postgres?.destroy();
  });

  function spawn(args: string[], extra: Record<string, string>): CliProcess {
    const p = spawnCli(args, {
      EVALPOOL_DATABASE_URL: postgres.url,
      EVALPOOL_QUEUE_PREFIX: redis.prefix,
      EVALPOOL_RESULT_FLUSH_MS: '5',
      EVALPOOL_RESULT_RETRY_MAX_MS: '500',
      EVALPOOL_LOG_LEVEL: 'info',
      ...extra,
    });
    processes.push(p);
    return p;
  }

  /** A connection to the maintenance database that terminates the service's backends. */
  async function terminateBackends(): Promise<number> {
    admin ??= await connectClient(splitDatabaseUrl(postgres.url).adminUrl);
    const { name } = splitDatabaseUrl(postgres.url);
    const { rows } = await admin.query<{ pid: number }>('select pg_terminate_backend(pid), pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name]);
    return rows.length;
  }

  async function restart(): Promise<void> {
    await admin?.end().catch(() => undefined);
    admin = undefined;
    await postgres.stop();
    await postgres.start();
  }

  const stored = async (): Promise<number> => {
    const row = await db.selectFrom('results').select((eb) => eb.fn.countAll<number>().as('n')).where('hotkey', '=', HOTKEY).executeTakeFirst();
    return Number(row?.n ?? 0);
  };

  test('every process stays up; each task has exactly one result', async () => {
    const serve = spawn(['serve'], { EVALPOOL_PORT: '0', EVALPOOL_SCHEDULER_ENABLED: 'false', EVALPOOL_INLINE_WORKERS: '3', EVALPOOL_WORKER_ENVS: ENV });
    const worker = spawn(['worker', '--envs', ENV, '--concurrency', '3'], {});
    const url = String((await serve.waitForLog((l) => l.msg === 'evalpool serve is listening')).url);
    await serve.waitForLog((l) => l.msg === 'inline workers are running');
    await worker.waitForLog((l) => l.msg === 'evalpool worker is running');

    // Readers of the API hold connections too (checked out while a query runs).
    let reading = true;
    const readers = Array.from({ length: 3 }, async () => {
      for (let i = 0; reading; i++) {
        await fetch(`${url}${i % 2 === 0 ? '/v1/miners' : '/v1/status'}`, { signal: AbortSignal.timeout(10_000) })
          .then((r) => r.arrayBuffer())
          .catch(() => undefined);
      }
    });

    const alive = (): void => {
      for (const [name, p] of [['serve', serve], ['worker', worker]] as const) {
        assert.equal(p.child.exitCode ?? p.child.signalCode, null, `${name} exited:\n${p.stderr()}\n${p.stdout().slice(-4_000)}`);
      }
    };

    const tasks: TaskJobData[] = [];
    const faults: (() => Promise<unknown>)[] = [terminateBackends, terminateBackends, restart, terminateBackends, terminateBackends, restart, terminateBackends, terminateBackends];
    try {
      for (const fault of faults) {
        // A wave of tasks, and the fault as soon as some of it is being written.
        const before = await waitFor('Postgres answering the test', () => stored().catch(() => undefined), 30_000);
        const wave = Array.from({ length: WAVE }, () => makeTask({ env: ENV, hotkey: HOTKEY }));
        tasks.push(...wave);
        for (const t of wave) await queues.add(t);
        await waitFor('results of the wave being written', async () => {
          alive();
          return (await stored().catch(() => before)) > before;
        }, 30_000);
        await fault();
        alive();
      }
      await waitFor(
        `all ${tasks.length} tasks completed`,
        async () => {
          alive();
          return (await Promise.all(tasks.map((t) => queues.getJob(t)))).every((j) => j === undefined);
        },
        120_000,
      );
      alive();
    } finally {
      reading = false;
      await Promise.all(readers);
    }

    const rows = await db.selectFrom('results').select(['task_id']).where('hotkey', '=', HOTKEY).orderBy('task_id').execute();
    assert.deepEqual(
      rows.map((r) => r.task_id),
      tasks.map((t) => t.task_id).sort((a, b) => a - b),
      'exactly one result per task',
    );
    assert.ok(serve.logs().some((l) => l.msg === 'a Postgres connection was lost; the pool opens a new one'));

    serve.child.kill('SIGTERM');
    worker.child.kill('SIGTERM');
    assert.equal(await serve.exited(), 0, serve.stderr());
    assert.equal(await worker.exited(), 0, worker.stderr());
  });
});
