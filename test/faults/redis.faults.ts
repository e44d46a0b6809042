import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type DemoMiner, startDemoMiner } from '../../src/demo/miners/demo-miner.ts';
import type { TaskJobData } from '../../src/pool/task-job.ts';
import { privatePostgresUnavailable } from '../helpers/private-postgres.ts';
import { privateRedisUnavailable } from '../helpers/private-redis.ts';
import { makeTask } from '../helpers/task-jobs.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { makeTempDir, removeTempDir } from '../helpers/with-temp-dir.ts';
import { assertAlive, assertBooks, type FaultSystem, STARTUP_MS, useFaultSystem } from './fault-system.ts';

/**
 * Redis loses the pool mid-run while the scheduler fills it from Postgres (static miners, a small
 * list) and `serve` with an inline worker plus a `worker` evaluate it:
 * - `flush`: FLUSHALL (no persistence: everything is gone);
 * - `restart-empty`: kill -9 and started again with no persistence: empty;
 * - `restart-aof`: kill -9 and started again with the AOF (`appendonly yes`): the pool comes back as
 *   it was a second before, jobs that were active included.
 * The scheduler rebuilds the pool from Postgres; every wanted task ends with exactly one result.
 */
type RedisFault = 'flush' | 'restart-empty' | 'restart-aof';

const ENV = 'mujoco/reach-v1';
const LIST_SIZE = 16;
const POLICIES = ['expert', 'noisy'] as const;

function redisFaultScenario(name: string, fault: RedisFault): void {
  describe(`Redis faults under load: ${name}`, { skip: privatePostgresUnavailable() ?? privateRedisUnavailable() }, () => {
    const system: FaultSystem = useFaultSystem({ privateRedis: { appendonly: fault === 'restart-aof' } });
    const miners: DemoMiner[] = [];
    let dir: string | undefined;
    before(async () => {
      dir = makeTempDir('redis-faults');
      for (const policy of POLICIES) miners.push(await startDemoMiner({ policy, misbehaviour: { mode: 'slow', on: 'act', delayMs: 5 } }));
      writeFileSync(
        path.join(dir, 'miners.json'),
        JSON.stringify({
          miners: miners.map((m, uid) => ({ uid, hotkey: `5RedisFaults${POLICIES[uid]}`, endpoint: m.url, committed_block: uid })),
        }),
      );
      mkdirSync(path.join(dir, 'lists'));
      writeFileSync(
        path.join(dir, 'lists', `${ENV.replace('/', '__')}.json`),
        JSON.stringify({
          env_id: ENV,
          family: 'mujoco',
          dataset: { start: 0, end: 100_000 },
          list_size: LIST_SIZE,
          rotation: { count: 1, interval_seconds: 86_400 },
          scored: true,
        }),
      );
    });
    after(async () => {
      for (const m of miners) await m.close();
      if (dir) removeTempDir(dir);
    });

    /** The wanted tasks, read from Postgres: every active miner × the current list. */
    const wanted = async (): Promise<TaskJobData[]> => {
      const active = await system.db
        .selectFrom('miners')
        .select(['uid', 'hotkey', 'revision', 'endpoint'])
        .where('active', '=', true)
        .execute();
      const lists = await system.db.selectFrom('sampling_lists').select(['env_id', 'task_ids']).execute();
      return active.flatMap((m) =>
        lists.flatMap((l) =>
          l.task_ids.map((task_id) =>
            makeTask({ env: l.env_id, task_id, uid: m.uid, hotkey: m.hotkey, revision: m.revision, endpoint: m.endpoint }),
          ),
        ),
      );
    };
    const storedAll = async (): Promise<number> =>
      (await Promise.all(POLICIES.map((p) => system.stored(`5RedisFaults${p}`)))).reduce((a, b) => a + b, 0);

    test(`${fault} mid-run: the pool is rebuilt from Postgres, every wanted task evaluated once`, async (t) => {
      const common = {
        EVALPOOL_MINERS_FILE: path.join(dir!, 'miners.json'),
        EVALPOOL_SAMPLING_LISTS_DIR: path.join(dir!, 'lists'),
        EVALPOOL_LOCK_DURATION_MS: '6000',
        EVALPOOL_STALLED_INTERVAL_MS: '2000',
        EVALPOOL_TASK_BACKOFF_MS: '100',
      };
      const sampler = system.startSlotSampler();
      const serve = system.spawn(['serve'], {
        ...common,
        EVALPOOL_PORT: '0',
        EVALPOOL_INLINE_WORKERS: '1',
        EVALPOOL_WORKER_ENVS: ENV,
        EVALPOOL_MINERS_REFRESH_SECONDS: '1',
        EVALPOOL_SCHEDULER_TICK_MS: '200',
      });
      await serve.waitForLog((l) => l.msg === 'inline workers are running', STARTUP_MS);
      const worker = system.spawn(['worker', '--envs', ENV, '--concurrency', '3'], common);
      await worker.waitForLog((l) => l.msg === 'evalpool worker is running', STARTUP_MS);
      const total = POLICIES.length * LIST_SIZE;
      await waitFor(
        'results being written',
        async () => {
          assertAlive({ serve, worker });
          return (await storedAll()) > 0;
        },
        STARTUP_MS,
      );
      const before = await storedAll();
      if (fault === 'flush') {
        await system.queues.connection.flushall();
      } else {
        await system.redisServer!.kill();
        await system.redisServer!.start();
      }
      await waitFor(
        `all ${total} wanted tasks evaluated`,
        async () => {
          assertAlive({ serve, worker });
          return (await storedAll()) >= total;
        },
        300_000,
      );
      const tasks = await wanted();
      assert.equal(tasks.length, total);
      await assertBooks(
        t,
        system,
        {
          scenario: `Redis ${name}`,
          injected: `${fault === 'flush' ? 'FLUSHALL' : fault === 'restart-empty' ? 'kill -9 + restart, no persistence' : 'kill -9 + restart with the AOF'} after ${before}/${total} results`,
        },
        tasks,
        { slots: await sampler.stop() },
      );
      serve.child.kill('SIGTERM');
      worker.child.kill('SIGTERM');
      assert.equal(await serve.exited(), 0, serve.stderr());
      assert.equal(await worker.exited(), 0, worker.stderr());
    });
  });
}

// `npm run test:faults`: Redis flushed, killed and restarted empty, killed and restarted with the AOF.
redisFaultScenario('flushed', 'flush');
redisFaultScenario('restarted empty', 'restart-empty');
redisFaultScenario('restarted with AOF', 'restart-aof');
