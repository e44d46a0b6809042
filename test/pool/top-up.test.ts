import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Worker } from 'bullmq';
import { saveMinerDeclarations } from '../../src/db/tables/miner-declarations.ts';
import { bucketField, decodeBucket } from '../../src/pool/hourly-cap.ts';
import { poolWorkerOptions } from '../../src/pool/job-options.ts';
import { poolKeys } from '../../src/pool/pool-keys.ts';
import { parseTaskJobData, queueName } from '../../src/pool/task-job.ts';
import { closeRedis, createRedis } from '../../src/runtime/redis.ts';
import { minerEndpoint, range, seedActiveMiners, seedResult, seedSlots } from '../helpers/seed.ts';
import { useTestDatabase } from '../helpers/test-database.ts';
import { testLogger } from '../helpers/test-logger.ts';
import { useTestRedis } from '../helpers/test-redis.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { currentLists, inFlightByHotkey, poolConfig, poolTasks, putList, rotateList, usePoolPerTest } from './pool-fixture.ts';

const database = useTestDatabase();
const redisHandle = useTestRedis();
const ENVS = ['env-a', 'env-b'];

describe('pool top-up against real Redis, Postgres and BullMQ', () => {
  const { open } = usePoolPerTest(database, redisHandle);

  test('a tick from empty fills each miner exactly to its slots, spread over envs', async () => {
    await putList(database.db, { env_id: 'env-a', task_ids: range(0, 20) });
    await putList(database.db, { env_id: 'env-b', task_ids: range(100, 20) });
    await seedActiveMiners(database.db, [
      { uid: 1, hotkey: 'hk1', revision: 'r1' },
      { uid: 2, hotkey: 'hk2', revision: 'r1' },
      { uid: 3, hotkey: 'hk3', revision: 'r1' },
    ]);
    await seedSlots(database.db, 'hk1', 2);
    await seedSlots(database.db, 'hk2', 6);
    // hk3 has no slots row: EVALPOOL_SLOTS_DEFAULT (4)
    const { pool } = await open();
    const report = await pool.topUp(await currentLists(database.db));
    const tasks = await poolTasks(redisHandle.redis, redisHandle.prefix, ENVS);
    const load = inFlightByHotkey(tasks);
    assert.deepEqual(Object.fromEntries(load), { hk1: 2, hk2: 6, hk3: 4 });
    assert.equal(report.created, 12);
    for (const hotkey of ['hk1', 'hk2', 'hk3']) {
      const perEnv = ENVS.map((env) => tasks.filter((t) => t.hotkey === hotkey && t.env === env).length);
      assert.equal(perEnv[0], perEnv[1], `${hotkey} is spread evenly over the two envs`);
    }
    // Oldest ids first within an env.
    assert.deepEqual(
      tasks
        .filter((t) => t.hotkey === 'hk1')
        .map((t) => t.taskId)
        .sort((a, b) => a - b),
      [0, 100],
    );
    // A second tick with nothing finished creates nothing.
    assert.equal((await pool.topUp(await currentLists(database.db))).created, 0);
    // The job data is valid for workers.
    const job = await pool.queues.get('env-a').getJob(tasks.find((t) => t.env === 'env-a')!.jobId);
    const data = parseTaskJobData(job?.data);
    assert.equal(data.env, 'env-a');
    assert.equal(job?.opts.attempts, 1);
  });

  test('completing tasks (a real BullMQ worker writing results) frees slots that the next tick refills', async () => {
    await putList(database.db, { env_id: 'env-a', task_ids: range(0, 10) });
    await seedActiveMiners(database.db, [{ uid: 1, hotkey: 'hk1', revision: 'r1' }]);
    await seedSlots(database.db, 'hk1', 3);
    const { pool } = await open({ EVALPOOL_MAX_ENV_SHARE: '1' });
    await pool.topUp(await currentLists(database.db));
    assert.equal((await poolTasks(redisHandle.redis, redisHandle.prefix, ENVS)).length, 3);

    const connection = createRedis(redisHandle.url, 'bullmq', testLogger());
    let done = 0;
    const worker = new Worker(
      queueName('env-a'),
      async (job) => {
        await seedResult(database.db, parseTaskJobData(job.data));
        done++;
        return 'ok';
      },
      { connection, prefix: redisHandle.prefix, ...poolWorkerOptions(poolConfig(redisHandle.prefix).scheduler), autorun: true },
    );
    try {
      for (const [round, expected] of [3, 3, 1].entries()) {
        // The worker counts a job before BullMQ moves it to completed (which removes it): wait for both.
        await waitFor(
          `round ${round}'s jobs completed`,
          async () => done >= (round + 1) * 3 && (await poolTasks(redisHandle.redis, redisHandle.prefix, ENVS)).length === 0,
        );
        const report = await pool.topUp(await currentLists(database.db));
        assert.equal(report.created, expected, `round ${round}: the freed slots are refilled`);
      }
      await waitFor('all ten jobs done', () => done >= 10);
      await worker.close();
      const results = await database.db.selectFrom('results').select('task_id').orderBy('task_id').execute();
      assert.deepEqual(
        results.map((r) => r.task_id),
        range(0, 10),
      );
      assert.equal((await pool.topUp(await currentLists(database.db))).created, 0, 'evaluated ids are never created again');
      assert.deepEqual(await poolTasks(redisHandle.redis, redisHandle.prefix, ENVS), []);
    } finally {
      await worker.close();
      await closeRedis(connection);
    }
  });

  test('a rotation removes pending tasks of retired ids and adds the new ids; assigned ones finish', async () => {
    await putList(database.db, { env_id: 'env-a', task_ids: range(0, 6), rotation_count: 2 });
    await seedActiveMiners(database.db, [{ uid: 1, hotkey: 'hk1', revision: 'r1' }]);
    await seedSlots(database.db, 'hk1', 4);
    const { pool, consumer } = await open({ EVALPOOL_MAX_ENV_SHARE: '1' });
    await pool.topUp(await currentLists(database.db));
    const assigned = await consumer.take('env-a'); // id 0 becomes assigned
    assert.equal(assigned?.data.task_id, 0);
    const { out } = await rotateList(database.db, 'env-a', [50, 51]);
    assert.deepEqual(out, [0, 1]);
    const report = await pool.topUp(await currentLists(database.db));
    assert.equal(report.removed['id-retired'], 1, 'pending id 1 removed; assigned id 0 left to finish');
    const tasks = await poolTasks(redisHandle.redis, redisHandle.prefix, ENVS);
    assert.deepEqual(
      tasks.map((t) => [t.taskId, t.state]).sort((a, b) => Number(a[0]) - Number(b[0])),
      [
        [0, 'assigned'],
        [2, 'pending'],
        [3, 'pending'],
        [4, 'pending'],
      ],
    );
    await consumer.complete(database.db, assigned);
    await pool.topUp(await currentLists(database.db));
    const after = (await poolTasks(redisHandle.redis, redisHandle.prefix, ENVS)).map((t) => t.taskId).sort((a, b) => a - b);
    assert.deepEqual(after, [2, 3, 4, 5], 'the slot freed by the retired id goes to the list, oldest first');
  });

  test('a new revision loses the old identity’s queued tasks and starts fresh', async () => {
    await putList(database.db, { env_id: 'env-a', task_ids: range(0, 6) });
    await seedActiveMiners(database.db, [{ uid: 1, hotkey: 'hk1', revision: 'r1' }]);
    await seedSlots(database.db, 'hk1', 2);
    const { pool, consumer } = await open({ EVALPOOL_MAX_ENV_SHARE: '1' });
    await pool.topUp(await currentLists(database.db));
    const first = await consumer.take('env-a');
    await consumer.complete(database.db, first!); // id 0 done by r1
    await seedActiveMiners(database.db, [{ uid: 1, hotkey: 'hk1', revision: 'r2' }]);
    const report = await pool.topUp(await currentLists(database.db));
    assert.equal(report.removed['revision-changed'], 1);
    const tasks = await poolTasks(redisHandle.redis, redisHandle.prefix, ENVS);
    assert.deepEqual(
      tasks.map((t) => [t.revision, t.taskId]).sort(),
      [
        ['r2', 0],
        ['r2', 1],
      ],
      'r2 starts from the oldest id: r1’s result does not count',
    );
  });

  test('a deregistered miner’s pending tasks disappear; an assigned one finishes', async () => {
    await putList(database.db, { env_id: 'env-a', task_ids: range(0, 6) });
    await seedActiveMiners(database.db, [
      { uid: 1, hotkey: 'hk1', revision: 'r1' },
      { uid: 2, hotkey: 'hk2', revision: 'r1' },
    ]);
    const { pool, consumer } = await open({ EVALPOOL_MAX_ENV_SHARE: '1' });
    await pool.topUp(await currentLists(database.db));
    let taken = await consumer.take('env-a');
    while (taken && taken.data.hotkey !== 'hk2') taken = await consumer.take('env-a');
    assert.ok(taken);
    await seedActiveMiners(database.db, [{ uid: 1, hotkey: 'hk1', revision: 'r1' }]);
    const report = await pool.topUp(await currentLists(database.db));
    assert.equal(report.removed['miner-inactive'], 3);
    const left = await poolTasks(redisHandle.redis, redisHandle.prefix, ENVS);
    assert.deepEqual(
      left.filter((t) => t.hotkey === 'hk2').map((t) => t.state),
      ['assigned'],
    );
  });

  test('paused tasks hold no slot and are not created again until deleted', async () => {
    await putList(database.db, { env_id: 'env-a', task_ids: range(0, 4) });
    await seedActiveMiners(database.db, [{ uid: 1, hotkey: 'hk1', revision: 'r1' }]);
    await seedSlots(database.db, 'hk1', 1);
    const { pool, consumer } = await open({ EVALPOOL_MAX_ENV_SHARE: '1' });
    for (let i = 0; i < 3; i++) {
      await pool.topUp(await currentLists(database.db));
      await consumer.fail((await consumer.take('env-a'))!);
    }
    await pool.topUp(await currentLists(database.db));
    const tasks = await poolTasks(redisHandle.redis, redisHandle.prefix, ENVS);
    assert.deepEqual(tasks.map((t) => [t.taskId, t.state]).sort(), [
      [0, 'paused'],
      [1, 'paused'],
      [2, 'paused'],
      [3, 'pending'],
    ]);
  });

  test('miners with scheduling paused or an open circuit get nothing; the env share caps one env', async () => {
    await putList(database.db, { env_id: 'env-a', task_ids: range(0, 10) });
    await seedActiveMiners(database.db, [
      { uid: 1, hotkey: 'hk1', revision: 'r1' },
      { uid: 2, hotkey: 'hk2', revision: 'r1' },
      { uid: 3, hotkey: 'hk3', revision: 'r1' },
    ]);
    await seedSlots(database.db, 'hk1', 6, { scheduling_paused: true });
    await seedSlots(database.db, 'hk3', 6);
    const { pool } = await open({ EVALPOOL_MAX_ENV_SHARE: '0.5' });
    await redisHandle.redis.set(poolKeys(redisHandle.prefix).circuit('hk2'), String(Date.now() + 60_000), 'PX', 60_000);
    const report = await pool.topUp(await currentLists(database.db));
    assert.deepEqual(report.skipped, { schedulingPaused: 1, circuitOpen: 1, invalid: 0 });
    const load = inFlightByHotkey(await poolTasks(redisHandle.redis, redisHandle.prefix, ENVS));
    assert.deepEqual(Object.fromEntries(load), { hk3: 3 }, 'one env may hold at most half of 6 slots');
  });

  test('in flight ≤ min(slots, declared): no declaration means one; a lowered declaration trims pending tasks; a moved endpoint is one again', async () => {
    await putList(database.db, { env_id: 'env-a', task_ids: range(0, 10) });
    await putList(database.db, { env_id: 'env-b', task_ids: range(100, 10) });
    await seedActiveMiners(
      database.db,
      [
        { uid: 1, hotkey: 'hk1', revision: 'r1' },
        { uid: 2, hotkey: 'hk2', revision: 'r1' },
        { uid: 3, hotkey: 'hk3', revision: 'r1' },
      ],
      { declared: null },
    );
    await saveMinerDeclarations(
      database.db,
      [
        { hotkey: 'hk2', endpoint: minerEndpoint('hk2'), episodes: 3 },
        { hotkey: 'hk3', endpoint: minerEndpoint('hk3'), episodes: 32, problem: 'max_concurrent_episodes 1000000000 cut to 32' },
      ],
      new Date(),
    );
    for (const hotkey of ['hk1', 'hk2', 'hk3']) await seedSlots(database.db, hotkey, 6);
    const { pool } = await open({ EVALPOOL_MAX_ENV_SHARE: '1' });
    await pool.topUp(await currentLists(database.db));
    const load = async (): Promise<Record<string, number>> =>
      Object.fromEntries(inFlightByHotkey(await poolTasks(redisHandle.redis, redisHandle.prefix, ENVS)));
    assert.deepEqual(await load(), { hk1: 1, hk2: 3, hk3: 6 }, 'undeclared: one; declared 3: three; a huge declaration: the slots');
    // A pin does not lift the declaration.
    await seedSlots(database.db, 'hk1', 6, { pinned: 10 });
    await pool.topUp(await currentLists(database.db));
    assert.equal((await load()).hk1, 1);

    // The miner declares less: its pending tasks over the new cap leave at the next tick.
    await saveMinerDeclarations(database.db, [{ hotkey: 'hk2', endpoint: minerEndpoint('hk2'), episodes: 2 }], new Date());
    const report = await pool.topUp(await currentLists(database.db));
    assert.equal(report.removed['over-slots'], 1);
    assert.equal((await load()).hk2, 2);
    // A declaration read at another endpoint does not count: the miner moved and is one again.
    await database.db.updateTable('miners').set({ endpoint: 'http://127.0.0.1:9/moved' }).where('hotkey', '=', 'hk2').execute();
    await pool.topUp(await currentLists(database.db));
    assert.equal((await load()).hk2, 1);
  });

  test('the hourly cap never stops the first fill nor re-creation of ids a miner had; it holds new ids to the rotation rate × margin', async () => {
    // 4 ids, 1 rotated per hour, margin 1: capacity 4 tokens, refill 1 per hour.
    await putList(database.db, { env_id: 'env-a', task_ids: range(0, 4), rotation_count: 1, rotation_interval_seconds: 3_600 });
    await seedActiveMiners(database.db, [
      { uid: 1, hotkey: 'hk-back', revision: 'r1' },
      { uid: 2, hotkey: 'hk-fast', revision: 'r1' },
    ]);
    await seedSlots(database.db, 'hk-back', 10);
    await seedSlots(database.db, 'hk-fast', 10);
    const { pool, consumer } = await open({
      EVALPOOL_MAX_ENV_SHARE: '1',
      EVALPOOL_HOURLY_CAP_MARGIN: '1',
      EVALPOOL_PAUSED_TTL_SECONDS: '1',
    });
    const lists = () => currentLists(database.db);
    const idsOf = async (hotkey: string, state?: string) =>
      (await poolTasks(redisHandle.redis, redisHandle.prefix, ENVS))
        .filter((t) => t.hotkey === hotkey && (state === undefined || t.state === state))
        .map((t) => t.taskId)
        .sort((a, b) => a - b);
    const t0 = Date.now();
    assert.equal((await pool.topUp(await lists(), t0)).created, 8, 'the first fill is whole: every token spent');

    // hk-back goes away: every attempt of its tasks fails and they pause. hk-fast evaluates all 4.
    for (let taken = await consumer.take('env-a'); taken; taken = await consumer.take('env-a')) {
      if (taken.data.hotkey === 'hk-back') await consumer.fail(taken);
      else await consumer.complete(database.db, taken);
    }
    assert.deepEqual(await idsOf('hk-back', 'paused'), [0, 1, 2, 3]);
    // The paused TTL (1 s here) deletes them; the next tick wants them again.
    await waitFor('the paused TTL to delete hk-back’s 4 tasks', async () => {
      await pool.cleanPaused(await lists());
      return (await idsOf('hk-back')).length === 0;
    });
    // A forced rotation brings 2 new ids at once, more than the refill (1 per hour).
    await rotateList(database.db, 'env-a', [10, 11]);

    // hk-back, back: its ids still listed come back at once, though its bucket is empty...
    let report = await pool.topUp(await lists(), t0 + 1_000);
    assert.deepEqual(await idsOf('hk-back'), [2, 3], 'ids 2 and 3 are re-created without a token; no new id');
    // ...while no miner, hk-fast included, gets a new id without a token.
    assert.deepEqual(await idsOf('hk-fast'), [], 'hk-fast has free slots and missing ids but no token');
    assert.equal(report.created, 2);
    // Deleted again (ops, or another outage): they come back again, still free.
    for (let taken = await consumer.take('env-a'); taken; taken = await consumer.take('env-a')) await consumer.fail(taken);
    await waitFor('the paused TTL to delete them again', async () => {
      await pool.cleanPaused(await lists());
      return (await idsOf('hk-back')).length === 0;
    });
    report = await pool.topUp(await lists(), t0 + 2_000);
    assert.deepEqual(await idsOf('hk-back'), [2, 3]);
    assert.equal(report.created, 2);

    // An hour later, one new id each: the rotation rate × margin.
    report = await pool.topUp(await lists(), t0 + 3_600_000 + 3_000);
    assert.equal(report.created, 2);
    assert.deepEqual(await idsOf('hk-fast'), [10]);
    assert.deepEqual(await idsOf('hk-back'), [2, 3, 10]);
    // The record keeps only ids still listed without a result: 0 and 1 rotated out.
    const stored = decodeBucket(
      (await redisHandle.redis.hget(poolKeys(redisHandle.prefix).buckets, bucketField('hk-back', 'r1', 'env-a'))) ?? undefined,
    );
    assert.deepEqual(
      [...(stored?.paid ?? [])].sort((a, b) => a - b),
      [2, 3, 10],
    );
    const fast = decodeBucket(
      (await redisHandle.redis.hget(poolKeys(redisHandle.prefix).buckets, bucketField('hk-fast', 'r1', 'env-a'))) ?? undefined,
    );
    assert.deepEqual([...(fast?.paid ?? [])], [10], 'ids with a result leave the record');
  });

  test('tasks found in the pool count as given: after an upgrade from buckets without a record, they too come back for free', async () => {
    await putList(database.db, { env_id: 'env-a', task_ids: range(0, 3), rotation_count: 1, rotation_interval_seconds: 86_400 });
    await seedActiveMiners(database.db, [{ uid: 1, hotkey: 'hk1', revision: 'r1' }]);
    await seedSlots(database.db, 'hk1', 10);
    const { pool, consumer } = await open({
      EVALPOOL_MAX_ENV_SHARE: '1',
      EVALPOOL_HOURLY_CAP_MARGIN: '1',
      EVALPOOL_PAUSED_TTL_SECONDS: '1',
    });
    const lists = () => currentLists(database.db);
    const t0 = Date.now();
    assert.equal((await pool.topUp(await lists(), t0)).created, 3);
    // The bucket as an older leader stored it: no tokens, no record of the ids it paid for.
    const field = bucketField('hk1', 'r1', 'env-a');
    await redisHandle.redis.hset(poolKeys(redisHandle.prefix).buckets, field, `0.0000@${t0}`);
    for (let taken = await consumer.take('env-a'); taken; taken = await consumer.take('env-a')) await consumer.fail(taken);
    await pool.topUp(await lists(), t0 + 1_000);
    const stored = decodeBucket((await redisHandle.redis.hget(poolKeys(redisHandle.prefix).buckets, field)) ?? undefined);
    assert.deepEqual([...(stored?.paid ?? [])].sort(), [0, 1, 2], 'the paused tasks were recorded as given');
    await waitFor(
      'the paused TTL to delete the 3 tasks',
      async () =>
        (await pool.cleanPaused(await lists())).get('env-a') === 3 ||
        (await poolTasks(redisHandle.redis, redisHandle.prefix, ENVS)).length === 0,
    );
    assert.equal((await pool.topUp(await lists(), t0 + 2_000)).created, 3, 'created again without a token');
  });
});
