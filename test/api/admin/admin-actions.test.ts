import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Hono } from 'hono';
import type { AdminDeps } from '../../../src/api/admin/admin-deps.ts';
import { type HttpServer, startHttpServer } from '../../../src/api/http-server.ts';
import type { Config } from '../../../src/config/schema.ts';
import { getMinerSlots } from '../../../src/db/tables/miner-slots.ts';
import type { TaskPool } from '../../../src/pool/task-pool.ts';
import { seedActiveMiners, seedSlots } from '../../helpers/seed.ts';
import { useTestDatabase } from '../../helpers/test-database.ts';
import { capturingLogger } from '../../helpers/test-logger.ts';
import { useTestRedis } from '../../helpers/test-redis.ts';
import { currentLists, ManualConsumer, openPoolInTerm, poolConfig, putList } from '../../pool/pool-fixture.ts';
import { ADMIN_TOKEN, AUTH, adminApp, answer, JSON_AUTH, ManualClock } from './admin-fixture.ts';

const database = useTestDatabase();
const redisHandle = useTestRedis();

type Counts = { pending: number; assigned: number; paused: number; in_flight: number };
type Stats = { total: Counts; by_env: Record<string, Counts>; by_miner: Record<string, Counts> };
type MinerView = {
  uid: number;
  hotkey: string;
  slots: { effective: number; adjusted: number | null; pinned: number | null; scheduling_paused: boolean };
};

describe('admin actions change what they say, as the read API shows', () => {
  let config: Config;
  let app: Hono;
  let deps: AdminDeps;
  let pool: TaskPool | undefined;
  let consumer: ManualConsumer | undefined;
  const clock = new ManualClock();
  const { logger, lines } = capturingLogger('info');

  const stats = async () => (await answer<Stats>(app.request('/v1/tasks/stats'))).body;
  const miner = async (hotkey: string) =>
    (await answer<{ miners: MinerView[] }>(app.request('/v1/miners'))).body.miners.find((m) => m.hotkey === hotkey)!;
  const adminLines = (action: string) => lines.filter((l) => l.component === 'admin' && l.action === action);

  before(async () => {
    config = poolConfig(redisHandle.prefix, { EVALPOOL_ADMIN_TOKEN: ADMIN_TOKEN, EVALPOOL_MAX_ENV_SHARE: '1', EVALPOOL_LOG_LEVEL: 'info' });
    ({ app, deps } = adminApp(database.db, redisHandle, config, { logger, now: clock.now }));
    await putList(database.db, { env_id: 'env-a', task_ids: [1, 2, 3, 4] });
    await putList(database.db, { env_id: 'env-b', task_ids: [5, 6, 7, 8] });
    await seedActiveMiners(database.db, [
      { uid: 1, hotkey: 'hk1', revision: 'r1' },
      { uid: 2, hotkey: 'hk2', revision: 'r1' },
    ]);
    await seedSlots(database.db, 'hk1', 2);
    await seedSlots(database.db, 'hk2', 2);
    ({ pool } = await openPoolInTerm(redisHandle.url, redisHandle.prefix, database.db, config));
    consumer = ManualConsumer.open(redisHandle.url, redisHandle.prefix, config);
  });
  after(async () => {
    await consumer?.close();
    await pool?.close();
    await deps.queues.close();
  });

  test('paused tasks: list by filter, dry run, delete by filter; /v1/tasks/stats follows', async () => {
    await pool!.topUp(await currentLists(database.db));
    // Fail every task of env-a for good: each miner ends with paused tasks there.
    for (let taken = await consumer!.take('env-a'); taken; taken = await consumer!.take('env-a')) await consumer!.fail(taken);
    const before = await stats();
    const pausedOf = (s: Stats, hk: string) => s.by_miner[hk]?.paused ?? 0;
    assert.ok(pausedOf(before, 'hk1') > 0 && pausedOf(before, 'hk2') > 0, JSON.stringify(before));

    const all = await answer<{
      count: number;
      truncated: boolean;
      tasks: { env: string; hotkey: string; task_id: number; reason: string; age_seconds: number }[];
    }>(app.request('/v1/admin/paused-tasks', { headers: AUTH }));
    assert.equal(all.status, 200);
    assert.equal(all.body.count, before.total.paused);
    assert.equal(all.body.truncated, false);
    assert.ok(all.body.tasks.every((t) => t.env === 'env-a' && /env_error: simulated/.test(t.reason)));

    // Filters that name nothing are errors naming what, not "0 paused tasks".
    for (const method of ['GET', 'DELETE']) {
      const env = await answer<{ detail: string }>(app.request('/v1/admin/paused-tasks?env=env-typo', { method, headers: AUTH }));
      assert.deepEqual([env.status, env.body.detail], [404, 'unknown env "env-typo": the pool has no queue for it (known: env-a, env-b)']);
      const hotkey = await answer<{ detail: string }>(app.request('/v1/admin/paused-tasks?hotkey=hk-typo', { method, headers: AUTH }));
      assert.deepEqual([hotkey.status, hotkey.body.detail], [404, 'unknown hotkey hk-typo: the scheduler has never seen it']);
    }
    assert.deepEqual(await stats(), before, 'nothing deleted by a filter that names nothing');
    const ofHk1 = await answer<{ count: number }>(app.request('/v1/admin/paused-tasks?hotkey=hk1&env=env-a', { headers: AUTH }));
    assert.equal(ofHk1.body.count, pausedOf(before, 'hk1'));
    const limited = await answer<{ count: number; truncated: boolean; tasks: unknown[] }>(
      app.request('/v1/admin/paused-tasks?limit=1', { headers: AUTH }),
    );
    assert.deepEqual([limited.body.tasks.length, limited.body.truncated], [1, before.total.paused > 1]);
    // Age filter against the injected clock: nothing is an hour old now, everything is two hours on.
    assert.equal(
      (await answer<{ count: number }>(app.request('/v1/admin/paused-tasks?older_than_seconds=3600', { headers: AUTH }))).body.count,
      0,
    );

    const dry = await answer(app.request('/v1/admin/paused-tasks?hotkey=hk1&dry_run=true', { method: 'DELETE', headers: AUTH }));
    assert.deepEqual(dry.body, {
      filter: { hotkey: 'hk1' },
      dry_run: true,
      matched: pausedOf(before, 'hk1'),
      deleted: 0,
      by_env: { 'env-a': pausedOf(before, 'hk1') },
    });
    assert.deepEqual(await stats(), before, 'a dry run changes nothing');

    const deleted = await answer(app.request('/v1/admin/paused-tasks?hotkey=hk1', { method: 'DELETE', headers: AUTH }));
    assert.equal(deleted.status, 200);
    assert.equal(deleted.body.deleted, pausedOf(before, 'hk1'));
    const afterOne = await stats();
    assert.equal(pausedOf(afterOne, 'hk1'), 0);
    assert.equal(pausedOf(afterOne, 'hk2'), pausedOf(before, 'hk2'), "the other miner's paused tasks stay");

    clock.advance(2 * 3_600_000);
    const old = await answer(app.request('/v1/admin/paused-tasks?older_than_seconds=3600', { method: 'DELETE', headers: AUTH }));
    assert.equal(old.body.deleted, pausedOf(before, 'hk2'));
    assert.equal((await stats()).total.paused, 0);

    const [line] = adminLines('paused_tasks.delete');
    assert.equal(adminLines('paused_tasks.delete').length, 2, 'each delete is logged; the dry run is not');
    assert.equal(line!.deleted, pausedOf(before, 'hk1'));
    assert.equal(line!.matched, pausedOf(before, 'hk1'));
    assert.deepEqual(line!.filter, { hotkey: 'hk1' });
    assert.equal(typeof line!.ip, 'string');
  });

  test('rotation: the list rotates now, as /v1/environments shows; unknown env 404, too-small dataset 409', async () => {
    const envs = async () =>
      (await answer<{ environments: { env_id: string; rotation: { rotations: number } }[] }>(app.request('/v1/environments'))).body
        .environments;
    const rotationsOf = async (env: string) => (await envs()).find((e) => e.env_id === env)!.rotation.rotations;
    const before = await rotationsOf('env-b');
    const rotated = await answer(
      app.request('/v1/admin/rotations', { method: 'POST', headers: JSON_AUTH, body: JSON.stringify({ env: 'env-b' }) }),
    );
    assert.equal(rotated.status, 200);
    assert.deepEqual(
      { ...rotated.body, rotated_at: undefined },
      { env: 'env-b', version_before: before, version: before + 1, ids_out: 1, ids_in: 1, rotated_at: undefined, reason: 'ops' },
    );
    assert.equal(await rotationsOf('env-b'), before + 1);
    assert.equal(JSON.stringify(rotated.body).includes('['), false, 'no task id is shown');
    const [line] = adminLines('sampling.rotate');
    assert.deepEqual([line!.env, line!.version_before, line!.version, line!.ids_out], ['env-b', before, before + 1, 1]);

    const unknown = await answer<{ error: string; detail: string }>(
      app.request('/v1/admin/rotations', { method: 'POST', headers: JSON_AUTH, body: '{"env":"none/such-v1"}' }),
    );
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.detail, /no sampling list for "none\/such-v1" \(known: env-a, env-b\)/);

    await database.db
      .insertInto('sampling_lists')
      .values({
        env_id: 'env-tiny',
        family: 'test',
        task_ids: [0, 1],
        dataset_start: 0,
        dataset_end: 2,
        list_size: 2,
        rotation_count: 1,
        rotation_interval_seconds: 60,
        scored: false,
        version: 0,
        last_rotated_at: new Date(),
      })
      .execute();
    const tooSmall = await answer<{ error: string; detail: string }>(
      app.request('/v1/admin/rotations', { method: 'POST', headers: JSON_AUTH, body: '{"env":"env-tiny"}' }),
    );
    assert.equal(tooSmall.status, 409);
    assert.match(tooSmall.body.detail, /dataset is too small/);
  });

  test('slots: pin and unpin, as /v1/miners shows; a pin of 0 stops new tasks', async () => {
    const pinned = await answer(app.request('/v1/admin/miners/hk1/slots', { method: 'PUT', headers: JSON_AUTH, body: '{"pinned": 0}' }));
    assert.equal(pinned.status, 200);
    assert.deepEqual(pinned.body, { hotkey: 'hk1', pinned: 0, slots_before: 2, slots_after: 0 });
    assert.deepEqual((await miner('hk1')).slots, { effective: 0, adjusted: 2, pinned: 0, scheduling_paused: false });
    // The scheduler honours it: hk1 gets nothing new once its tasks are gone.
    for (let taken = await consumer!.take('env-b'); taken; taken = await consumer!.take('env-b'))
      await consumer!.complete(database.db, taken);
    await pool!.topUp(await currentLists(database.db));
    assert.equal((await stats()).by_miner.hk1?.in_flight ?? 0, 0);

    const unpinned = await answer(
      app.request('/v1/admin/miners/hk1/slots', { method: 'PUT', headers: JSON_AUTH, body: '{"pinned": null}' }),
    );
    assert.deepEqual(unpinned.body, { hotkey: 'hk1', pinned: null, slots_before: 0, slots_after: 2 });
    assert.deepEqual((await miner('hk1')).slots, { effective: 2, adjusted: 2, pinned: null, scheduling_paused: false });
    assert.deepEqual(
      adminLines('slots.pin').map((l) => [l.hotkey, l.slots_before, l.slots_after]),
      [['hk1', 2, 0]],
    );
    assert.deepEqual(
      adminLines('slots.unpin').map((l) => [l.hotkey, l.slots_before, l.slots_after]),
      [['hk1', 0, 2]],
    );

    // A hotkey never seen is a typo until said otherwise: 404 naming it, nothing pinned.
    const typo = await answer<{ detail: string }>(
      app.request('/v1/admin/miners/hk-new/slots', { method: 'PUT', headers: JSON_AUTH, body: '{"pinned": 7}' }),
    );
    assert.equal(typo.status, 404);
    assert.match(typo.body.detail, /^unknown hotkey hk-new: the scheduler has never seen it; send "new": true to pin it anyway$/);
    assert.equal((await getMinerSlots(database.db)).has('hk-new'), false);
    const newcomer = await answer(
      app.request('/v1/admin/miners/hk-new/slots', { method: 'PUT', headers: JSON_AUTH, body: '{"pinned": 7, "new": true}' }),
    );
    assert.deepEqual(newcomer.body, { hotkey: 'hk-new', pinned: 7, slots_before: null, slots_after: 7 });
    const nobody = await answer<{ error: string }>(
      app.request('/v1/admin/miners/hk-nobody/slots', { method: 'PUT', headers: JSON_AUTH, body: '{"pinned": null}' }),
    );
    assert.equal(nobody.status, 404);
  });

  describe('over a real connection', () => {
    let server: HttpServer | undefined;
    after(() => server?.stop());

    test('pause and resume scheduling, as /v1/miners shows; the log names the caller IP and never the token', async () => {
      server = await startHttpServer(app, '127.0.0.1', 0);
      const post = (path: string) => fetch(`${server!.url}${path}`, { method: 'POST', headers: AUTH });
      const paused = await answer(post('/v1/admin/miners/hk2/pause'));
      assert.equal(paused.status, 200);
      assert.deepEqual(paused.body, { hotkey: 'hk2', scheduling_paused: true, was_paused: false, changed: true });
      assert.equal((await miner('hk2')).slots.scheduling_paused, true);
      assert.deepEqual((await answer(post('/v1/admin/miners/hk2/pause'))).body, {
        hotkey: 'hk2',
        scheduling_paused: true,
        was_paused: true,
        changed: false,
      });

      // Paused: the scheduler creates nothing for hk2 even with its slots free.
      for (const env of ['env-a', 'env-b'])
        for (let taken = await consumer!.take(env); taken; taken = await consumer!.take(env)) await consumer!.complete(database.db, taken);
      await pool!.topUp(await currentLists(database.db));
      assert.equal((await stats()).by_miner.hk2?.in_flight ?? 0, 0);

      const resumed = await answer(post('/v1/admin/miners/hk2/resume'));
      assert.deepEqual(resumed.body, { hotkey: 'hk2', scheduling_paused: false, was_paused: true, changed: true });
      assert.equal((await miner('hk2')).slots.scheduling_paused, false);
      assert.equal((await answer(post('/v1/admin/miners/hk-nobody/pause'))).status, 404);

      const [pause] = adminLines('scheduling.pause');
      assert.equal(pause!.ip, '127.0.0.1');
      assert.equal(pause!.hotkey, 'hk2');
      assert.equal(pause!.was_paused, false);
      assert.equal(adminLines('scheduling.resume')[0]!.ip, '127.0.0.1');
      assert.equal(JSON.stringify(lines).includes(ADMIN_TOKEN), false, 'the token is never logged');
    });
  });
});
