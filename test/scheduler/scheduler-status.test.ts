import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { poolKeys } from '../../src/pool/pool-keys.ts';
import { readSchedulerStatus, StatusWriter } from '../../src/scheduler/scheduler-status.ts';
import { useTestRedis } from '../helpers/test-redis.ts';

const redisHandle = useTestRedis();

describe('scheduler status in Redis', () => {
  test('any replica reads the leader, last tick, last error, rotations and task runs; junk fields are ignored', async () => {
    const { redis, prefix } = redisHandle;
    assert.deepEqual(await readSchedulerStatus(redis, prefix), {
      leader: null,
      lastLeader: null,
      lastTick: null,
      lastError: null,
      rotations: {},
      tasks: {},
      miners: null,
    });
    const writer = new StatusWriter(redis, prefix);
    const since = new Date('2026-02-01T00:00:00Z');
    await redis.set(poolKeys(prefix).lease, 'host-1-abc#token', 'PX', 10_000);
    await writer.leader('host-1-abc', since);
    await writer.tick(Date.parse('2026-02-01T00:00:02Z'), 42, { created: 3 });
    await writer.taskRun('tick', Date.parse('2026-02-01T00:00:02Z'), 42);
    await writer.taskRun('reconcile', Date.parse('2026-02-01T00:00:03Z'), 7, new Error('Postgres is down'));
    await writer.rotations([{ envId: 'mujoco/reach-v1', version: 5, idsOut: [1, 2], idsIn: [8, 9] }], new Date('2026-02-01T00:00:04Z'));
    await redis.hset(poolKeys(prefix).status, 'task:broken', '{not json');
    const status = await readSchedulerStatus(redis, prefix);
    assert.equal(status.leader?.id, 'host-1-abc');
    assert.ok(status.leader.ttlMs > 0);
    assert.deepEqual(status.lastLeader, { id: 'host-1-abc', since: since.toISOString() });
    assert.deepEqual(status.lastTick, { at: '2026-02-01T00:00:02.000Z', durationMs: 42, summary: { created: 3 } });
    assert.deepEqual(status.lastError, { at: '2026-02-01T00:00:03.000Z', task: 'reconcile', message: 'Postgres is down' });
    assert.deepEqual(status.rotations['mujoco/reach-v1'], { at: '2026-02-01T00:00:04.000Z', version: 5, idsOut: 2, idsIn: 2 });
    assert.deepEqual(Object.keys(status.tasks).sort(), ['reconcile', 'tick']);
    assert.equal(status.tasks.reconcile?.error, 'Postgres is down');
  });

  test('the last miner discovery, with its staleness while the source fails', async () => {
    const { redis, prefix } = redisHandle;
    const writer = new StatusWriter(redis, prefix);
    const report = {
      at: '2026-02-01T00:01:00.000Z',
      block: 1234,
      active: 3,
      excluded: 1,
      stale: { since: '2026-02-01T00:00:30.000Z', error: 'timeout' },
    };
    await writer.miners(report);
    assert.deepEqual((await readSchedulerStatus(redis, prefix)).miners, report);
  });
});
