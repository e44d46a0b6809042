import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Redis } from 'ioredis';
import { REDIS_START_TIMEOUT_MS } from '../../src/config/constants.ts';
import { createTasksFenced, type NewTask } from '../../src/pool/fenced-create.ts';
import { taskJobOptions } from '../../src/pool/job-options.ts';
import { poolKeys } from '../../src/pool/pool-keys.ts';
import { TaskQueues } from '../../src/pool/task-queues.ts';
import { closeRedis, createRedis } from '../../src/runtime/redis.ts';
import { waitForRedis } from '../../src/runtime/wait-ready.ts';
import { testLogger } from '../helpers/test-logger.ts';
import { useTestRedis } from '../helpers/test-redis.ts';
import { poolConfig, poolTasks } from './pool-fixture.ts';

const redisHandle = useTestRedis();

function task(taskId: number): NewTask {
  return {
    data: {
      env: 'env-f',
      task_id: taskId,
      task_uuid: randomUUID(),
      uid: 1,
      hotkey: 'hk',
      revision: 'r',
      endpoint: 'http://127.0.0.1:9/',
      created_at: Date.now(),
    },
  };
}

describe('guarded task creation (laws L1–L4)', () => {
  let connection: Redis;
  let queues: TaskQueues;
  const prefix = redisHandle.prefix;
  const leaseKey = poolKeys(prefix).lease;
  const jobOptions = taskJobOptions(poolConfig(prefix).scheduler);

  before(async () => {
    connection = createRedis(redisHandle.url, 'fenced', testLogger(), 'evalpool-scheduler');
    await waitForRedis(connection, REDIS_START_TIMEOUT_MS);
    queues = new TaskQueues(connection, prefix);
  });
  after(async () => {
    await queues.close();
    await closeRedis(connection);
  });

  test('BullMQ runs the creation on the fenced connection itself (same Redis client id)', async () => {
    const client = (await queues.get('env-f').getBackend().client) as unknown as Redis;
    assert.equal(await client.client('ID'), await connection.client('ID'));
  });

  test('the holder creates; the same task twice stays one job (L4)', async () => {
    await connection.set(leaseKey, 'me');
    const outcome = await createTasksFenced({ connection, queues, prefix, token: 'me', tasks: [task(1), task(2)], jobOptions });
    assert.deepEqual(outcome, { status: 'created', created: 2, transactions: 1 });
    await createTasksFenced({ connection, queues, prefix, token: 'me', tasks: [task(1)], jobOptions });
    assert.deepEqual((await poolTasks(connection, prefix, ['env-f'])).map((t) => t.taskId).sort(), [1, 2]);
  });

  test('a stale leader creates nothing: the lease holds another token', async () => {
    await connection.set(leaseKey, 'successor');
    const outcome = await createTasksFenced({ connection, queues, prefix, token: 'me', tasks: [task(3)], jobOptions });
    assert.deepEqual(outcome, { status: 'lease-lost' });
    assert.equal(
      (await poolTasks(connection, prefix, ['env-f'])).some((t) => t.taskId === 3),
      false,
    );
  });

  test('the lease changing hands between the token check and EXEC aborts the whole transaction (L1)', async () => {
    await connection.set(leaseKey, 'me');
    const other = redisHandle.redis;
    // Hand the lease to a successor at the last moment: after WATCH + token check, before EXEC.
    // BullMQ's client is a proxy over this very connection: wrap the connection's own multi().
    const client = connection as unknown as { multi: () => { exec: () => Promise<unknown> } };
    const originalMulti = client.multi.bind(client);
    client.multi = () => {
      const multi = originalMulti();
      const exec = multi.exec.bind(multi);
      multi.exec = async () => {
        await other.set(leaseKey, 'successor');
        return exec();
      };
      return multi;
    };
    try {
      const outcome = await createTasksFenced({ connection, queues, prefix, token: 'me', tasks: [task(4), task(5)], jobOptions });
      assert.deepEqual(outcome, { status: 'lease-lost' });
    } finally {
      client.multi = originalMulti;
    }
    const ids = (await poolTasks(connection, prefix, ['env-f'])).map((t) => t.taskId);
    assert.equal(ids.includes(4) || ids.includes(5), false, 'nothing of the aborted transaction exists');
  });

  test('a renewal of the own lease during the transaction is retried, not mistaken for a loss', async () => {
    await connection.set(leaseKey, 'me');
    const other = redisHandle.redis;
    const client = connection as unknown as { multi: () => { exec: () => Promise<unknown> } };
    const originalMulti = client.multi.bind(client);
    let touched = 0;
    client.multi = () => {
      const multi = originalMulti();
      const exec = multi.exec.bind(multi);
      multi.exec = async () => {
        if (touched++ === 0) await other.pexpire(leaseKey, 60_000);
        return exec();
      };
      return multi;
    };
    try {
      const outcome = await createTasksFenced({ connection, queues, prefix, token: 'me', tasks: [task(6)], jobOptions });
      assert.deepEqual(outcome, { status: 'created', created: 1, transactions: 2 });
    } finally {
      client.multi = originalMulti;
    }
  });
});
