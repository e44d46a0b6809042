// The container manager against a real engine (podman's Docker API on TEST_DOCKER_SOCKET), the
// real test image (containers/build-env-image.sh) and a real demo miner over HTTP. One manager
// and one container serve the file's tests in turn; the tests that recycle it come last.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { hostname } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { type DemoMiner, startDemoMiner } from '../../../src/demo/miners/demo-miner.ts';
import { ContainerError } from '../../../src/envs/container/container-error.ts';
import { containerLabels, LABELS } from '../../../src/envs/container/container-labels.ts';
import { ContainerManager } from '../../../src/envs/container/container-manager.ts';
import { currentOwner } from '../../../src/envs/container/container-owner.ts';
import type { EvaluateKwargs } from '../../../src/envs/container/contract.ts';
import { DockerEngine } from '../../../src/envs/container/docker-engine.ts';
import { freePort } from '../../../src/envs/container/free-port.ts';
import { requireEngineAndImage, SKIP_CONTAINER_TESTS, TEST_DOCKER_SOCKET, TEST_ENV_IMAGE } from '../../helpers/container-engine.ts';
import { testLogger } from '../../helpers/test-logger.ts';
import { waitFor } from '../../helpers/wait-for.ts';

const REACH = 'container/reach-v1';
const STALL = 'container/stall-v1';
const workerId = `test-manager-${process.pid}`;

async function rejection(promise: Promise<unknown>): Promise<ContainerError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ContainerError, String(error));
    return error;
  }
  assert.fail('expected a ContainerError');
}

describe('the container manager (real engine, test image, demo miner)', { skip: SKIP_CONTAINER_TESTS }, () => {
  let engine: DockerEngine;
  let miner: DemoMiner;
  let manager: ContainerManager;
  const kwargs = (env: string, taskId: number): EvaluateKwargs => ({
    task_id: taskId,
    base_url: miner.url,
    env_id: env,
    max_timesteps: 200,
    action_timeout: 5,
    use_images: false,
    timeout: 60,
    episode_id: `episode-${taskId}`,
  });
  const evaluate = (env: string, taskId: number, timeoutMs = 65_000, signal?: AbortSignal) =>
    manager.evaluate(env, kwargs(env, taskId), { timeoutMs, ...(signal && { signal }) });
  const current = () => manager.containers()[0];

  before(async () => {
    await requireEngineAndImage();
    engine = new DockerEngine({ socketPath: TEST_DOCKER_SOCKET });
    miner = await startDemoMiner({ policy: 'expert' });
    manager = new ContainerManager({
      socketPath: TEST_DOCKER_SOCKET,
      workerId,
      // evalpool's own image runs each episode on a simulator of its own: one container takes them all.
      envs: [
        { envId: REACH, image: TEST_ENV_IMAGE, maxTimesteps: 200, maxConcurrency: 8 },
        { envId: STALL, image: TEST_ENV_IMAGE, maxTimesteps: 200, maxConcurrency: 8 },
      ],
      logger: testLogger(),
      // Often enough for a test to see it work.
      healthIntervalMs: 300,
    });
  });

  after(async () => {
    await manager?.stop();
    await miner?.close();
    if (engine) {
      // Whatever a failed test left behind.
      for (const c of await engine.list([`${LABELS.worker}=${workerId}`]).catch(() => [])) await engine.remove(c.id).catch(() => undefined);
      for (const c of await engine.list(['evalpool.test-leftover=true']).catch(() => [])) await engine.remove(c.id).catch(() => undefined);
      engine.close();
    }
  });

  test('at start, containers of a dead owner on this host are removed; live owners and other hosts are left alone', async () => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await once(child, 'exit');
    const me = currentOwner();
    const owners = {
      dead: { host: hostname(), pid: child.pid!, start: '12345' },
      alive: me,
      elsewhere: { host: `not-${hostname()}`, pid: 1, start: '1' },
    };
    const ids: Record<string, string> = {};
    for (const [name, owner] of Object.entries(owners)) {
      ids[name] = await engine.run({
        image: TEST_ENV_IMAGE,
        name: `evalpool-test-leftover-${name}-${process.pid}`,
        labels: {
          ...containerLabels({ workerId: `crashed-${name}`, envs: [REACH], owner, instance: `old-${name}` }),
          'evalpool.test-leftover': 'true',
        },
        env: [`PORT=${await freePort()}`, 'HOST=127.0.0.1'],
        stopGraceSeconds: 1,
      });
    }
    await manager.start();
    // The engine may still be stopping it when the removal returns: wait until it is gone.
    await waitFor('the dead owner’s container is gone', async () => (await engine.state(ids.dead!)) === undefined);
    assert.equal((await engine.state(ids.alive!))?.running, true);
    assert.equal((await engine.state(ids.elsewhere!))?.running, true);
    await engine.remove(ids.alive!);
    await engine.remove(ids.elsewhere!);
    assert.deepEqual(manager.containers(), [], 'no container before the first task');
  });

  test('one labelled container per image (max_concurrency 8), started on first need, reused by every task (concurrent ones too)', async () => {
    const results = await Promise.all([1, 2, 3, 4].map((taskId) => evaluate(REACH, taskId)));
    for (const r of [...results, await evaluate(REACH, 5)]) {
      assert.equal(r.success, true, JSON.stringify(r));
      assert.ok(r.extra.timesteps !== undefined && r.extra.timesteps !== null && r.extra.timesteps > 0);
    }
    assert.equal(manager.containers().length, 1);
    assert.equal(current()?.generation, 1);
    const listed = await engine.list([`${LABELS.worker}=${workerId}`]);
    assert.equal(listed.length, 1);
    assert.equal(listed[0]?.id, current()?.id);
    assert.equal(listed[0]?.labels[LABELS.managed], 'true');
    assert.equal(listed[0]?.labels[LABELS.env], `${REACH},${STALL}`);
    assert.equal(listed[0]?.labels[LABELS.owner]?.startsWith(`${hostname()}/${process.pid}/`), true);
    assert.equal(listed[0]?.labels[LABELS.replica], '0');
  });

  test('the env reports an unreachable miner in its result, not as a failure of the container', async () => {
    const r = await manager.evaluate(REACH, { ...kwargs(REACH, 1), base_url: 'http://127.0.0.1:9' }, { timeoutMs: 30_000 });
    assert.equal(r.success, false);
    assert.equal(r.extra.error_class, 'miner_unavailable');
    assert.equal(r.extra.timesteps, 0);
    assert.match(r.error ?? '', /ECONNREFUSED/);
  });

  test('killed from outside mid-call: the call fails (connection lost), the container is restarted, the next call succeeds', async () => {
    const first = current()!;
    miner.setMisbehaviour({ mode: 'slow', on: 'act', delayMs: 50 });
    const acts = miner.counts.act;
    const call = evaluate(REACH, 6);
    call.catch(() => undefined);
    await waitFor('the episode to be under way', () => miner.counts.act >= acts + 3);
    await engine.kill(first.id);
    const error = await rejection(call);
    assert.equal(error.kind, 'connection_lost', error.message);
    miner.setMisbehaviour({ mode: 'none' });
    await waitFor('a new container', () => current() !== undefined && current()!.generation > first.generation);
    assert.equal(await engine.state(first.id), undefined, 'the dead container was removed');
    assert.equal((await evaluate(REACH, 6)).success, true);
  });

  test('killed while idle: the periodic health check replaces it before a task needs it', async () => {
    const idle = current()!;
    await engine.kill(idle.id);
    await waitFor('a new container without any task', () => current() !== undefined && current()!.generation > idle.generation);
    assert.equal(await engine.state(idle.id), undefined);
  });

  test('a call that overruns its timeout fails as an overrun and the container is recycled (the work inside stops with it)', async () => {
    const before = current()!;
    const error = await rejection(evaluate(STALL, 1, 500));
    assert.equal(error.kind, 'overrun');
    assert.match(error.message, /no answer within 500 ms/);
    await waitFor('the recycled container', () => current() !== undefined && current()!.generation > before.generation);
    assert.equal(await engine.state(before.id), undefined, 'the overrunning container was removed');
    assert.equal((await evaluate(REACH, 7)).success, true);
  });

  test('a call the worker abandons (its signal) is aborted and the container recycled too', async () => {
    const before = current()!;
    const controller = new AbortController();
    const call = evaluate(STALL, 2, 60_000, controller.signal);
    call.catch(() => undefined);
    setTimeout(() => controller.abort(new Error('hard timeout')), 300);
    assert.equal((await rejection(call)).kind, 'aborted');
    await waitFor('the recycled container', () => current() !== undefined && current()!.generation > before.generation);
    assert.equal(await engine.state(before.id), undefined);
  });

  test('an image the engine does not have: a start_failed error that says so; nothing is left behind', async () => {
    const missing = new ContainerManager({
      socketPath: TEST_DOCKER_SOCKET,
      workerId,
      envs: [{ envId: 'container/missing-v1', image: 'localhost/evalpool-no-such-image:dev', maxTimesteps: 10 }],
      logger: testLogger(),
    });
    try {
      const error = await rejection(missing.evaluate('container/missing-v1', kwargs('container/missing-v1', 1), { timeoutMs: 5_000 }));
      assert.equal(error.kind, 'start_failed');
      assert.match(error.message, /localhost\/evalpool-no-such-image:dev is not on the engine .*never pulls/);
    } finally {
      await missing.stop();
    }
  });

  test('stop removes every container of the manager; stop is idempotent; a stopped manager refuses work', async () => {
    assert.equal((await engine.list([`${LABELS.worker}=${workerId}`])).length, 1);
    await Promise.all([manager.stop(), manager.stop()]);
    assert.deepEqual(await engine.list([`${LABELS.worker}=${workerId}`]), []);
    assert.deepEqual(manager.containers(), []);
    assert.equal((await rejection(evaluate(REACH, 1))).kind, 'closed');
  });
});

test('no engine on the socket: start fails, saying how to get one', async () => {
  const manager = new ContainerManager({
    socketPath: '/nonexistent/evalpool-test.sock',
    workerId,
    envs: [{ envId: REACH, image: TEST_ENV_IMAGE, maxTimesteps: 200 }],
    logger: testLogger(),
  });
  try {
    const error = await rejection(manager.start());
    assert.equal(error.kind, 'engine');
    assert.match(error.message, /\/nonexistent\/evalpool-test\.sock: ping failed/);
    assert.match(error.message, /EVALPOOL_DOCKER_SOCKET/);
    assert.match(error.message, /containers\/podman-engine\.sh/);
  } finally {
    await manager.stop();
  }
});
