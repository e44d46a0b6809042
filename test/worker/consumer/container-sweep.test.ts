// The sweep of env containers left by workers gone for good, on the real engine (podman's Docker
// API, the test image) and the real worker registry in Redis. The containers are made here with
// the labels a worker writes, owned by a process of another host: the start-time cleanup of a
// manager (dead processes of this host) never touches them, only the sweep does; the sweep's
// clock is driven explicitly (`sweep(now)`), the engine and Redis are real.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { containerLabels, LABELS } from '../../../src/envs/container/container-labels.ts';
import { ContainerManager } from '../../../src/envs/container/container-manager.ts';
import { DockerEngine } from '../../../src/envs/container/docker-engine.ts';
import { freePort } from '../../../src/envs/container/free-port.ts';
import { publishHeartbeat } from '../../../src/pool/worker-registry.ts';
import { closeRedis, createRedis } from '../../../src/runtime/redis.ts';
import { ContainerSweep, containerPool } from '../../../src/worker/consumer/container-sweep.ts';
import { requireEngineAndImage, SKIP_CONTAINER_TESTS, TEST_DOCKER_SOCKET, TEST_ENV_IMAGE } from '../../helpers/container-engine.ts';
import { testLogger } from '../../helpers/test-logger.ts';
import { useTestRedis } from '../../helpers/test-redis.ts';
import { refusedPort } from '../../miners/test-server.ts';

const redis = useTestRedis();
const GRACE_MS = 60_000;
const SWEEPER = `sweeper-${process.pid}`;
/** An owner on another host: `ownerState` cannot judge it, so no manager's start removes it. */
const ELSEWHERE = { host: 'another-host.invalid', pid: 1, start: '1' };

describe('the container sweep (real engine, real worker registry)', { skip: SKIP_CONTAINER_TESTS }, () => {
  let engine: DockerEngine;
  let manager: ContainerManager;
  let pool: string;
  const made: string[] = [];
  const instance = randomUUID();

  /** A running container of the test image with a worker's labels; its id. */
  async function container(workerId: string, labels: { pool?: string } = {}): Promise<string> {
    const port = await freePort();
    const id = await engine.run({
      image: TEST_ENV_IMAGE,
      name: `evalpool-sweep-test-${process.pid}-${made.length}-${instance.slice(0, 8)}`,
      labels: containerLabels({ workerId, envs: ['container/reach-v1'], owner: ELSEWHERE, instance, replica: 0, ...labels }),
      env: [`PORT=${port}`, 'HOST=127.0.0.1'],
      stopGraceSeconds: 1,
    });
    made.push(id);
    return id;
  }

  const exists = async (id: string): Promise<boolean> => (await engine.state(id)) !== undefined;
  const beat = (id: string, heartbeatMs = 600_000): Promise<void> =>
    publishHeartbeat(redis.redis, redis.prefix, {
      id,
      host: 'h',
      pid: 1,
      envs: [],
      concurrency: 1,
      version: 't',
      kind: 'worker',
      startedAt: Date.now(),
      lastSeenAt: Date.now(),
      heartbeatMs,
      episodes: {},
      inFlight: 0,
    });
  const sweepWith = (client = redis.redis): ContainerSweep =>
    new ContainerSweep({
      containers: manager,
      redis: client,
      prefix: redis.prefix,
      workerId: SWEEPER,
      intervalMs: 5_000,
      graceMs: GRACE_MS,
      logger: testLogger(),
    });

  before(async () => {
    await requireEngineAndImage();
    engine = new DockerEngine({ socketPath: TEST_DOCKER_SOCKET });
    pool = containerPool(redis.url, redis.prefix);
    manager = new ContainerManager({ socketPath: TEST_DOCKER_SOCKET, workerId: SWEEPER, envs: [], logger: testLogger(), pool });
    await beat(SWEEPER);
  });

  after(async () => {
    await Promise.all(made.map((id) => engine.remove(id).catch(() => undefined)));
    await manager.stop();
    engine.close();
  });

  test("a gone worker's containers are removed once it has been seen gone for the grace, never a live worker's, another pool's, an eval's or the sweeper's own", async () => {
    const gone = await container('gone-worker', { pool });
    await beat('live-worker');
    const live = await container('live-worker', { pool });
    const otherPool = await container('gone-worker', { pool: containerPool(redis.url, `${redis.prefix}-other`) });
    const evalRun = await container(`eval-${process.pid}`);
    const own = await container(SWEEPER, { pool });
    const labels = (await engine.list([`${LABELS.instance}=${instance}`])).map((c) => c.labels[LABELS.pool] ?? '(none)');
    assert.equal(labels.filter((l) => l === pool).length, 3, 'three containers of the pool, as a pool worker labels them');

    const sweep = sweepWith();
    const t0 = Date.now();
    assert.deepEqual(await sweep.sweep(t0), [], 'first seen gone now: not yet');
    assert.deepEqual(await sweep.sweep(t0 + GRACE_MS - 1), [], 'gone for less than the grace');
    assert.equal((await sweep.sweep(t0 + GRACE_MS)).length, 1, 'gone for the grace: swept');
    assert.equal(await exists(gone), false);
    assert.deepEqual(await sweep.sweep(t0 + 100 * GRACE_MS), [], 'nothing else, however late');
    for (const id of [live, otherPool, evalRun, own]) assert.equal(await exists(id), true);
    await sweep.stop();
  });

  test('Redis unreachable, or a registry that does not list the sweeper (its data lost): nothing is removed, and the grace starts over', async () => {
    const gone = await container('gone-again', { pool });
    const sweep = sweepWith();
    const t0 = Date.now();
    assert.deepEqual(await sweep.sweep(t0), []);

    // The registry lost its data (Redis restarted empty): no worker is listed, this one included.
    await redis.redis.del(`${redis.prefix}:worker:${SWEEPER}`);
    assert.deepEqual(await sweep.sweep(t0 + GRACE_MS), [], 'a registry without the sweeper is not believed');
    assert.equal(await exists(gone), true);
    await beat(SWEEPER);
    assert.deepEqual(await sweep.sweep(t0 + GRACE_MS + 1), [], 'seen gone again from now: the grace starts over');

    // Redis unreachable: its connection to a port where nothing listens.
    const away = createRedis(`redis://127.0.0.1:${await refusedPort()}`, 'bullmq', testLogger());
    const blind = sweepWith(away);
    assert.deepEqual(await blind.sweep(t0), []);
    assert.deepEqual(await blind.sweep(t0 + 100 * GRACE_MS), [], 'Redis unreachable: nothing swept, however late');
    assert.equal(await exists(gone), true);
    await blind.stop();
    await closeRedis(away);

    assert.equal((await sweep.sweep(t0 + 2 * GRACE_MS + 1)).length, 1, 'with the registry back, swept after a full grace');
    assert.equal(await exists(gone), false);
    await sweep.stop();
  });
});
