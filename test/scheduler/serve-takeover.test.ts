import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { seedSlots } from '../helpers/seed.ts';
import { type CliProcess, spawnCli } from '../helpers/spawn-cli.ts';
import { useTestDatabase } from '../helpers/test-database.ts';
import { useTestRedis } from '../helpers/test-redis.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { makeTempDir, removeTempDir } from '../helpers/with-temp-dir.ts';
import { startTestServer, type TestServer } from '../miners/test-server.ts';
import { inFlightByHotkey, ManualConsumer, poolConfig, poolTasks } from '../pool/pool-fixture.ts';

const database = useTestDatabase();
const redisHandle = useTestRedis();
// The lease is the behaviour under test: room for a leader process that a loaded machine stalls
// for seconds (it must not lose its term before the kill).
const LEASE_MS = 9_000;
const TICK_MS = 100;
const BECAME = 'became the scheduler leader';
const ENV = 'mujoco/env-t';

describe('two `evalpool serve` processes against the same Redis', () => {
  const processes: CliProcess[] = [];
  let consumer: ManualConsumer | undefined;
  // What `serve` reads on start: one sampling-list definition and a static miners file.
  const dir = makeTempDir('takeover');
  mkdirSync(path.join(dir, 'lists'));
  writeFileSync(
    path.join(dir, 'lists', 'mujoco__env-t.json'),
    JSON.stringify({
      env_id: ENV,
      family: 'mujoco',
      dataset: { start: 0, end: 1000 },
      list_size: 30,
      rotation: { count: 1, interval_seconds: 86_400 },
      scored: true,
      initial_list: Array.from({ length: 30 }, (_, i) => i),
    }),
  );
  // The miners' /health declares more episodes than their slots, so that slots alone decide here.
  let health: TestServer | undefined;
  after(async () => {
    await health?.close();
    await consumer?.close();
    await Promise.all(processes.map((p) => p.kill()));
    removeTempDir(dir);
  });

  test('exactly one schedules; after kill -9 the other takes over once the lease expires; the slot law holds', async () => {
    health = await startTestServer((_request, response) =>
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"max_concurrent_episodes": 16}'),
    );
    writeFileSync(
      path.join(dir, 'miners.json'),
      JSON.stringify({
        miners: [
          { uid: 1, hotkey: 'hk1', endpoint: `${health.url}/hk1` },
          { uid: 2, hotkey: 'hk2', endpoint: `${health.url}/hk2` },
        ],
      }),
    );
    await seedSlots(database.db, 'hk1', 3);
    await seedSlots(database.db, 'hk2', 5);
    const slots = new Map([
      ['hk1', 3],
      ['hk2', 5],
    ]);
    const vars = {
      EVALPOOL_DATABASE_URL: database.url,
      EVALPOOL_QUEUE_PREFIX: redisHandle.prefix,
      EVALPOOL_PORT: '0',
      EVALPOOL_SCHEDULER_TICK_MS: String(TICK_MS),
      EVALPOOL_LEADER_LEASE_MS: String(LEASE_MS),
      EVALPOOL_MAX_ENV_SHARE: '1',
      EVALPOOL_TASK_ATTEMPTS: '1',
      EVALPOOL_SAMPLING_LISTS_DIR: path.join(dir, 'lists'),
      EVALPOOL_MINERS_FILE: path.join(dir, 'miners.json'),
    };
    const first = spawnCli(['serve'], vars);
    const second = spawnCli(['serve'], vars);
    processes.push(first, second);
    await Promise.all([first, second].map((p) => p.waitForLog((l) => l.msg === 'evalpool serve is listening')));
    const leader = await waitFor('a leader', () => [first, second].find((p) => p.logs().some((l) => l.msg === BECAME)));
    const follower = leader === first ? second : first;
    const assertLaw = async (): Promise<void> => {
      const load = inFlightByHotkey(await poolTasks(redisHandle.redis, redisHandle.prefix, [ENV]));
      for (const [hotkey, n] of load) assert.ok(n <= slots.get(hotkey)!, `${hotkey}: ${n} in flight ≤ ${slots.get(hotkey)}`);
    };
    await waitFor('the pool filled', async () =>
      (await poolTasks(redisHandle.redis, redisHandle.prefix, [ENV])).length === 8 ? true : undefined,
    );
    // A window of several ticks in which the follower must not schedule: the absence is what is asserted.
    await new Promise((r) => setTimeout(r, 5 * TICK_MS));
    assert.equal(
      follower.logs().some((l) => l.msg === BECAME),
      false,
      'the other replica does not schedule',
    );
    await assertLaw();

    leader.child.kill('SIGKILL');
    await leader.exited();
    // Once the dead leader's lease expires. How soon is not asserted: on a loaded machine the
    // follower process may not run for seconds (the lease logic's timing is unit-tested).
    await follower.waitForLog((l) => l.msg === BECAME);
    await assertLaw();

    // The new leader keeps the pool topped up: evaluate a few tasks, their slots are refilled.
    consumer = ManualConsumer.open(redisHandle.url, redisHandle.prefix, poolConfig(redisHandle.prefix));
    for (let i = 0; i < 4; i++) await consumer.complete(database.db, (await consumer.take(ENV))!);
    await waitFor('refilled by the new leader', async () =>
      (await poolTasks(redisHandle.redis, redisHandle.prefix, [ENV])).length === 8 ? true : undefined,
    );
    await assertLaw();
    const results = await database.db.selectFrom('results').select('task_id').execute();
    assert.equal(results.length, 4);

    // A graceful stop releases the lease at once (no wait for it to expire) and exits 0.
    follower.child.kill('SIGTERM');
    assert.equal(await follower.exited(), 0);
    assert.ok(follower.logs().some((l) => l.msg === 'released the scheduler lease'));
    assert.equal(await redisHandle.redis.exists(`${redisHandle.prefix}:scheduler:lease`), 0);
  });
});
