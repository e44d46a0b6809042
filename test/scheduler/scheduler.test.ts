import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { sql } from 'kysely';
import pino from 'pino';
import { LeaseLostError } from '../../src/pool/fenced-create.ts';
import { poolKeys } from '../../src/pool/pool-keys.ts';
import { Scheduler } from '../../src/scheduler/scheduler.ts';
import { readSchedulerStatus } from '../../src/scheduler/scheduler-status.ts';
import { coreLeaderTasks } from '../helpers/core-leader-tasks.ts';
import { seedActiveMiners, seedSlots } from '../helpers/seed.ts';
import { startTcpProxy } from '../helpers/tcp-proxy.ts';
import { useTestDatabase } from '../helpers/test-database.ts';
import { capturingLogger, capturingStream, testLogger } from '../helpers/test-logger.ts';
import { deletePrefix, useTestRedis } from '../helpers/test-redis.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { inFlightByHotkey, poolConfig, poolTasks, putList } from '../pool/pool-fixture.ts';

const database = useTestDatabase();
const redisHandle = useTestRedis();
/**
 * The lease is part of the behaviour under test, so its length is set here with room for a
 * loaded machine: a leader whose event loop stalls for seconds must not lose a term the test
 * expects it to keep. Renewals come every third of it.
 */
const LEASE_MS = 9_000;
const LEADER_SETTINGS = { EVALPOOL_SCHEDULER_TICK_MS: '50', EVALPOOL_LEADER_LEASE_MS: String(LEASE_MS), EVALPOOL_MAX_ENV_SHARE: '1' };

describe('the scheduler: one leader among replicas', () => {
  const schedulers: Scheduler[] = [];
  const config = poolConfig(redisHandle.prefix, LEADER_SETTINGS);

  beforeEach(async () => {
    await deletePrefix(redisHandle.redis, redisHandle.prefix);
    await sql`truncate miners, sampling_lists, results, miner_slots cascade`.execute(database.db);
    await putList(database.db, { env_id: 'env-s', task_ids: Array.from({ length: 20 }, (_, i) => i) });
    await seedActiveMiners(database.db, [
      { uid: 1, hotkey: 'hk1', revision: 'r1' },
      { uid: 2, hotkey: 'hk2', revision: 'r1' },
    ]);
    await seedSlots(database.db, 'hk1', 3);
  });
  afterEach(async () => {
    await Promise.all(schedulers.splice(0).map((s) => s.stop()));
  });

  function replica(name: string, extra: Partial<ConstructorParameters<typeof Scheduler>[0]> = {}): Scheduler {
    const scheduler = new Scheduler({
      config,
      db: database.db,
      logger: testLogger(),
      tasks: coreLeaderTasks(),
      instanceId: name,
      ...extra,
    });
    schedulers.push(scheduler);
    return scheduler;
  }

  test('exactly one of two replicas schedules; it fills the pool; on stop it hands over at once', async () => {
    const ran: string[] = [];
    const a = replica('a', {
      tasks: coreLeaderTasks({ name: 'weights', intervalMs: 10_000, run: () => Promise.resolve(void ran.push('a')) }),
    });
    const b = replica('b', {
      tasks: coreLeaderTasks({ name: 'weights', intervalMs: 10_000, run: () => Promise.resolve(void ran.push('b')) }),
    });
    await Promise.all([a.start(), b.start()]);
    await waitFor('a leader', () => a.isLeader || b.isLeader);
    const [leader, follower] = a.isLeader ? [a, b] : [b, a];
    await waitFor(
      'the pool filled to the slots (3 + default 4)',
      async () => (await poolTasks(redisHandle.redis, redisHandle.prefix, ['env-s'])).length === 7,
    );
    assert.equal(follower.isLeader, false);
    await waitFor('the plugged-in task ran', () => ran.length > 0);
    assert.deepEqual(ran, [leader.instanceId], 'plugged-in tasks run in the leader only');
    await waitFor('a tick recorded', async () => (await readSchedulerStatus(redisHandle.redis, redisHandle.prefix)).lastTick !== null);
    const status = await readSchedulerStatus(redisHandle.redis, redisHandle.prefix);
    assert.equal(status.leader?.id, leader.instanceId);
    assert.equal(status.lastLeader?.id, leader.instanceId);
    assert.ok(status.tasks.tick && status.tasks.reconcile);

    await leader.stop();
    await waitFor('the follower takes over after a release', () => follower.isLeader);
    const load = inFlightByHotkey(await poolTasks(redisHandle.redis, redisHandle.prefix, ['env-s']));
    assert.deepEqual(Object.fromEntries(load), { hk1: 3, hk2: 4 });
  });

  test('a lost lease stops scheduling at once, the running tick included; the replica campaigns again', async () => {
    // Counts the runs of every task that reads the sampling lists (tick, reconcile, paused TTL).
    let ticks = 0;
    const countingTicks = (listed: Parameters<ReturnType<typeof coreLeaderTasks>>[0]) =>
      coreLeaderTasks()(listed).map((t) =>
        t.name === 'tick' || t.name === 'reconcile' || t.name === 'paused-ttl'
          ? {
              ...t,
              run(signal: AbortSignal) {
                ticks++;
                return t.run(signal);
              },
            }
          : t,
      );
    const a = replica('a', { tasks: countingTicks });
    await a.start();
    await waitFor('leader', () => a.isLeader);
    await waitFor('filled', async () => (await poolTasks(redisHandle.redis, redisHandle.prefix, ['env-s'])).length === 7);
    // Another replica "takes" the lease (as after a network partition).
    // Its lease outlives several of the leader's renewal periods, so the leader sees it.
    await redisHandle.redis.set(poolKeys(redisHandle.prefix).lease, 'intruder#1', 'PX', LEASE_MS);
    await waitFor('the lease loss noticed', () => !a.isLeader);
    const jobs = await poolTasks(redisHandle.redis, redisHandle.prefix, ['env-s']);
    await redisHandle.redis.del(`${redisHandle.prefix}:env-s:wait`); // free every slot...
    for (const j of jobs) await redisHandle.redis.del(`${redisHandle.prefix}:env-s:${j.jobId}`);
    const ticksThen = ticks;
    // A window of several ticks in which nothing may be created: the absence is what is asserted.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(
      (await poolTasks(redisHandle.redis, redisHandle.prefix, ['env-s'])).length,
      0,
      '...nothing is created while another holds the lease',
    );
    assert.ok(ticks - ticksThen <= 1, 'no tick runs without the lease');
    await waitFor('leader again after the intruder’s lease expired', () => a.isLeader);
    await waitFor('filled again', async () => (await poolTasks(redisHandle.redis, redisHandle.prefix, ['env-s'])).length === 7);
  });

  test('a task that meets the new leader (LeaseLostError) ends the term with one info line, not a task failure', async () => {
    const { logger, lines } = capturingLogger();
    let takenOver = false;
    const a = replica('a', {
      logger,
      tasks: coreLeaderTasks({
        name: 'weights',
        intervalMs: 50,
        async run() {
          // Another replica takes over while this task runs; its fenced write finds out first.
          if (takenOver) return;
          takenOver = true;
          await redisHandle.redis.set(poolKeys(redisHandle.prefix).lease, 'successor#1', 'PX', 60_000);
          throw new LeaseLostError('the lease key holds another token');
        },
      }),
    });
    await a.start();
    await waitFor('the term ended', () => takenOver && !a.isLeader, 5_000);
    await waitFor(
      'the end of the term logged',
      () => lines.some((l) => l.msg !== 'became the scheduler leader' && l.level !== 20 && String(l.msg).includes('term')),
      5_000,
    );
    const notable = lines.filter((l) => (l.level as number) >= 30 && l.msg !== 'became the scheduler leader');
    assert.deepEqual(
      notable.map((l) => ({ level: l.level, msg: l.msg })),
      [{ level: 30, msg: 'scheduler term ended: the lease was lost; campaigning again' }],
      JSON.stringify(notable),
    );
  });

  test("the weights task's log lines carry its component once (a child of a child repeated the key)", async () => {
    const { stream, text } = capturingStream();
    const a = replica('a', { logger: pino({ level: 'debug' }, stream), tasks: (listed) => listed.filter((t) => t.name === 'weights') });
    await a.start();
    const weightsLines = (): string[] =>
      text()
        .split('\n')
        .filter((l) => l.includes('"component":"weights"'));
    await waitFor('a line of the weights task', () => weightsLines().length > 0, 10_000);
    for (const line of weightsLines()) assert.equal(line.split('"component":').length - 1, 1, line);
  });

  test('a renewal that never comes back (Redis answers nothing, the socket stays open) ends the term; leadership returns with Redis', async () => {
    const redisUrl = new URL(config.storage.redisUrl);
    const proxy = await startTcpProxy({ host: redisUrl.hostname, port: Number(redisUrl.port || 6379) });
    const frozen = new Scheduler({
      config: poolConfig(redisHandle.prefix, { ...LEADER_SETTINGS, EVALPOOL_REDIS_URL: `redis://127.0.0.1:${proxy.port}` }),
      db: database.db,
      logger: testLogger(),
      tasks: coreLeaderTasks(),
      instanceId: 'behind-a-proxy',
    });
    try {
      await frozen.start();
      await waitFor('leader', () => frozen.isLeader);
      proxy.freeze();
      await waitFor('the term ended while the renewal is still unanswered', () => !frozen.isLeader);
      proxy.thaw();
      await waitFor('leader again once Redis answers', () => frozen.isLeader);
    } finally {
      proxy.thaw();
      await frozen.stop();
      await proxy.close();
    }
  });

  test('miner discovery drives the pool: a new revision replaces the old one’s queued tasks, a deregistered miner’s disappear', async () => {
    let discovered = [
      { uid: 1, hotkey: 'hk1', revision: 'r1', endpoint: 'http://127.0.0.1:9/a', committed_block: 10, form: 'static' as const },
      { uid: 2, hotkey: 'hk2', revision: 'r1', endpoint: 'http://127.0.0.1:9/b', committed_block: 11, form: 'static' as const },
    ];
    const minerSource = {
      refresh: () => Promise.resolve({ miners: discovered, block: 1, source: 'static' as const, fetchedAt: new Date(), excluded: [] }),
    };
    const fast = poolConfig(redisHandle.prefix, {
      EVALPOOL_SCHEDULER_TICK_MS: '50',
      EVALPOOL_LEADER_LEASE_MS: '900',
      EVALPOOL_MAX_ENV_SHARE: '1',
      EVALPOOL_MINERS_REFRESH_SECONDS: '1',
    });
    // No slots row yet for either miner: the leader must ensure both.
    await sql`truncate miner_slots`.execute(database.db);
    const a = new Scheduler({
      config: fast,
      db: database.db,
      logger: testLogger(),
      tasks: coreLeaderTasks(),
      minerSource,
      instanceId: 'a',
    });
    schedulers.push(a);
    await a.start();
    const revisions = async (): Promise<string[]> =>
      [...new Set((await poolTasks(redisHandle.redis, redisHandle.prefix, ['env-s'])).map((t) => `${t.hotkey}@${t.revision}`))].sort();
    await waitFor('both miners scheduled', async () => (await revisions()).join() === 'hk1@r1,hk2@r1');
    const ensured = await database.db.selectFrom('miner_slots').select('hotkey').orderBy('hotkey').execute();
    assert.deepEqual(
      ensured.map((r) => r.hotkey),
      ['hk1', 'hk2'],
      'slots rows are ensured for discovered miners',
    );
    discovered = [{ ...discovered[0]!, revision: 'r2' }];
    await waitFor('only the new revision left', async () => (await revisions()).join() === 'hk1@r2');
  });
});
